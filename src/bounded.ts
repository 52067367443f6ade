// Waiting with a limit, done one way everywhere: a time limit that gives a fallback, a cancel that
// stops the wait, and a pause between two tries that a cancel or an event cuts short. None stops the
// work itself (a hung page call or an Octokit rate-limit wait cannot be stopped: give such work the
// signal too when it takes one); each leaves no timer or listener behind.

import { CancelledError, CoworkerError } from './errors.js';

/** `work`'s outcome, or `fallback` once `ms` pass first. */
export async function withTimeout<T, F>(work: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<F>((resolve) => {
        timer = setTimeout(() => resolve(fallback), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** `work`'s outcome, or a CancelledError (the signal's own reason when it is one) as soon as `signal` fires. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(signal.reason instanceof CoworkerError ? signal.reason : new CancelledError());
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Wait `ms`, or less: until `signal` fires or `until` settles (e.g. the process being waited for exits),
 * whichever comes first. Never rejects — the caller looks at what ended it (`signal.aborted`…).
 */
export function pause(
  ms: number,
  opts: { signal?: AbortSignal | undefined; until?: Promise<unknown> | undefined } = {},
): Promise<void> {
  const { signal, until } = opts;
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(finish, Math.max(0, ms));
    signal?.addEventListener('abort', finish, { once: true });
    until?.then(finish, finish);
  });
}
