// Typed errors with a message a user can act on. Every failure a user can cause ends up here:
// `message` says what failed, `hint` says what to do; the exit code follows from `code` (src/exit.ts).

import { tidyPunctuation } from './punctuation.js';

export type ErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_A_GIT_REPO'
  | 'INVALID_REF'
  | 'UNKNOWN_REF'
  | 'GIT_FAILED'
  | 'INVALID_CONFIG'
  | 'NO_APP'
  | 'INSTALL_FAILED'
  | 'APP_EXITED'
  | 'APP_NOT_READY'
  | 'SERVICE_FAILED'
  | 'PORT_TAKEN'
  | 'SANDBOX_UNAVAILABLE'
  | 'UNSAFE_FILE'
  | 'NO_BROWSER'
  | 'BROWSER_FAILED'
  | 'CANCELLED'
  | 'TIMEOUT'
  | 'JOB_NOT_FOUND'
  | 'AUTH_REQUIRED'
  | 'AUTH_FAILED'
  | 'GITHUB_NOT_FOUND'
  | 'GITHUB_RATE_LIMITED'
  | 'GITHUB_FAILED'
  | 'UNTRUSTED_CODE'
  | 'HISTORY_CORRUPT'
  | 'KEYCHAIN_FAILED'
  | 'ENV_TOKEN_SET'
  | 'AGENT_FAILED'
  | 'INTERRUPTED'
  | 'INTERNAL';

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  hint: string;
}

export class CoworkerError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;

  constructor(code: ErrorCode, message: string, hint: string, options?: { cause?: unknown }) {
    super(tidyPunctuation(message), options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CoworkerError';
    this.code = code;
    this.hint = tidyPunctuation(hint);
  }

  toJSON(): ErrorInfo {
    return { code: this.code, message: this.message, hint: this.hint };
  }
}

export class CancelledError extends CoworkerError {
  constructor(reason = 'The simulation was cancelled.') {
    super('CANCELLED', reason, 'Nothing was left running; start it again when you are ready.');
    this.name = 'CancelledError';
  }
}

// The job history's file, for the message of a corruption found by any later query (db.ts notes it).
let historyFile: string | undefined;

export function noteHistoryFile(file: string): void {
  historyFile = file;
}

/** SQLite's "database disk image is malformed" (SQLITE_CORRUPT*) and "file is not a database". */
export function isCorruptDatabase(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/** A damaged job history: which file, and what to do (it is never moved without being asked). */
export function corruptHistoryError(file: string, detail: string): CoworkerError {
  return new CoworkerError(
    'HISTORY_CORRUPT',
    `The job history ${file} is damaged and cannot be read${detail ? ` (${detail})` : ''}.`,
    `Move it aside and start an empty history with \`myfav-coworker doctor --move-corrupt-history\` ` +
      '(it is renamed to jobs.sqlite.corrupt-<time>; the job folders with their reports stay), or restore the file from a backup.',
  );
}

/** Turn anything thrown into a CoworkerError, keeping typed ones as they are. */
export function toCoworkerError(err: unknown): CoworkerError {
  if (err instanceof CoworkerError) return err;
  if (isAbortError(err)) return new CancelledError();
  if (isCorruptDatabase(err)) {
    return corruptHistoryError(historyFile ?? 'jobs.sqlite', err instanceof Error ? err.message : '');
  }
  const message = err instanceof Error ? err.message : String(err);
  return new CoworkerError(
    'INTERNAL',
    `Unexpected internal error: ${message}`,
    'This is a bug in myfav-coworker. Re-run with MYFAV_DEBUG=1 and report the output.',
    { cause: err },
  );
}

export function isAbortError(err: unknown): boolean {
  return (
    err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR')
  );
}

/** Throw a CancelledError when the signal has fired; call between steps of long work. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason = signal.reason;
    throw reason instanceof CoworkerError ? reason : new CancelledError();
  }
}
