import type { Phase } from '../report/model.js';

/** Live progress of a job, for the CLI's stderr lines and MCP progress notifications. */
export interface ProgressEvent {
  jobId: string;
  phase: Phase;
  /** What is happening now, one short line. */
  message: string;
  /** Since the job started. */
  elapsedMs: number;
}

export type ProgressListener = (event: ProgressEvent) => void;
