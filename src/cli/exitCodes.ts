import { ExitCode } from '../errors.js';
import type { Report } from '../report/model.js';

/** 0 pass, 1 fail or inconclusive, 2 error or cancelled, 4 authentication needed. */
export function exitCodeFor(report: Pick<Report, 'status' | 'verdict' | 'error'>): number {
  if (report.status === 'completed') return report.verdict === 'pass' ? ExitCode.pass : ExitCode.fail;
  if (report.error?.code === 'AUTH_REQUIRED' || report.error?.code === 'AUTH_FAILED') return ExitCode.auth;
  return ExitCode.error;
}
