// Cancelling a job that another process runs (a second MCP server, a `simulate` in a terminal): the
// requester leaves a file in the job's artifact dir, the owner polls for it and aborts its job.
// A file rather than a column: it needs no schema change, and the owner only looks while a job runs.

import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const fileName = '.cancel-requested';
export const CANCEL_POLL_MS = 1000;

export async function requestCancel(artifactDir: string, reason: string): Promise<void> {
  await mkdir(artifactDir, { recursive: true, mode: 0o700 });
  await writeFile(
    path.join(artifactDir, fileName),
    `${JSON.stringify({ reason, by: process.pid, at: new Date().toISOString() })}\n`,
  );
}

export const cancelRequested = (artifactDir: string): boolean => existsSync(path.join(artifactDir, fileName));

export async function clearCancelRequest(artifactDir: string): Promise<void> {
  await rm(path.join(artifactDir, fileName), { force: true }).catch(() => {});
}
