// How the program ends, decided in one place (as gh's ghcmd.Main): commands and the MCP server return
// what happened, `exitCodeFor` turns it into the exit code, and `exitProcess` is the only process.exit.
// 0 pass, 1 fail or inconclusive, 2 error or cancelled, 4 authentication needed, 128+n a second signal.

import type { ErrorCode } from './errors.js';
import type { Report } from './report/model.js';

export const ExitCode = {
  pass: 0,
  fail: 1,
  error: 2,
  auth: 4,
} as const;

/** What a command (or the MCP server) ended with. */
export type Outcome =
  /** It did what was asked. */
  | { kind: 'done' }
  /** A simulation's report; `publishFailed`: writing the verdict to the PR failed (the verdict stands). */
  | { kind: 'report'; report: Pick<Report, 'status' | 'verdict' | 'error'>; publishFailed?: boolean }
  /** It failed and has said why (a failed doctor check, a keychain that could not be reached). */
  | { kind: 'failed' }
  /** Nobody is logged in (`whoami`). */
  | { kind: 'not-logged-in' }
  /** It threw: a CoworkerError (or anything, turned into one by toCoworkerError). */
  | { kind: 'error'; error: { code: ErrorCode } }
  /** A usage error commander already printed. */
  | { kind: 'usage' }
  /** Stopped by a second signal without waiting for clean-up. */
  | { kind: 'signal'; signal: NodeJS.Signals };

const signalNumbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

export function exitCodeFor(outcome: Outcome): number {
  switch (outcome.kind) {
    case 'done':
      return ExitCode.pass;
    case 'report': {
      const { report } = outcome;
      if (report.status === 'completed') {
        const code = report.verdict === 'pass' ? ExitCode.pass : ExitCode.fail;
        return outcome.publishFailed && code === ExitCode.pass ? ExitCode.error : code;
      }
      return isAuth(report.error?.code) ? ExitCode.auth : ExitCode.error;
    }
    case 'not-logged-in':
      return ExitCode.auth;
    case 'error':
      return isAuth(outcome.error.code) ? ExitCode.auth : ExitCode.error;
    case 'signal':
      return 128 + (signalNumbers[outcome.signal] ?? 15);
    case 'failed':
    case 'usage':
      return ExitCode.error;
  }
}

const isAuth = (code: ErrorCode | undefined) => code === 'AUTH_REQUIRED' || code === 'AUTH_FAILED';

/** End the process with `code`. The only process.exit in src/ (tests/unit/exitPath.test.ts holds it so). */
export function exitProcess(code: number): never {
  process.exit(code);
}
