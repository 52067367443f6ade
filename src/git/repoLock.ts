import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { throwIfCancelled } from '../errors.js';

// One lock per cached repository, across jobs in this process and across processes sharing the
// data dir (an MCP client may start a second server). A lock file holds the owner's pid; a lock
// whose owner is gone is stale and taken over.

const inProcess = new Map<string, Promise<unknown>>();

export async function withRepoLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const previous = inProcess.get(lockPath) ?? Promise.resolve();
  const run = previous
    .catch(() => {})
    .then(async () => {
      await acquireFileLock(lockPath, signal);
      try {
        return await fn();
      } finally {
        await rm(lockPath, { force: true });
      }
    });
  inProcess.set(lockPath, run);
  try {
    return await run;
  } finally {
    if (inProcess.get(lockPath) === run) inProcess.delete(lockPath);
  }
}

async function acquireFileLock(lockPath: string, signal?: AbortSignal): Promise<void> {
  await mkdir(path.dirname(lockPath), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    throwIfCancelled(signal);
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await isStale(lockPath)) {
      await rm(lockPath, { force: true });
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** Math.min(attempt, 5), 1000)));
  }
}

async function isStale(lockPath: string): Promise<boolean> {
  const pid = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
  if (!Number.isInteger(pid) || pid <= 0) {
    // The owner may be between creating the file and writing its pid: only an old empty lock is stale.
    const info = await stat(lockPath).catch(() => null);
    return info === null || Date.now() - info.mtimeMs > 5_000;
  }
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
