// Independent checks on real processes and ports for tests. Deliberately does not reuse src/app/procfs.ts:
// a test that asks "is anything of this job still running?" must not trust the code under test.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** True where /proc exists: tests of /proc-based behaviour skip elsewhere. */
export const hasProc = process.platform === 'linux' && existsSync('/proc/self/environ');

/** Pids of running (non-zombie) processes whose environment has MYFAV_JOB_ID=<jobId>. */
export function processesWithMarker(jobId: string, name = 'MYFAV_JOB_ID'): number[] {
  const wanted = `${name}=${jobId}`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (env.includes(wanted) && isAlive(Number(entry))) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** Wait until no process carries the marker; returns the pids still there after `ms` ([] = all gone). */
export async function waitForNoProcesses(jobId: string, ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = processesWithMarker(jobId);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await sleep(50);
  }
}

/** Whether a pid runs (a zombie waiting to be reaped does not count). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * How a child we spawned ended, from its own 'exit' event (null: still running after `ms`). Unlike
 * waitForExit, its exit code is known by then: /proc shows a zombie before Node has reaped it.
 */
export function exitOf(
  child: import('node:child_process').ChildProcess,
  ms: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null } | null> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

/** Wait until `pid` no longer runs; true when gone within `ms`. */
export async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * Whether `url` still answers with a body containing `text`. After stopping an app this is the check
 * that matters ("our app is gone"): a bare "port refuses connections" check is flaky on a busy machine,
 * where another process may be handed the freed port a moment later.
 */
export async function answersWith(url: string, text: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return (await res.text()).includes(text);
  } catch {
    return false;
  }
}

/** Kill whatever a failed test left behind (SIGKILL, no grace): cleanup must never be the flaky part. */
export function killMarked(jobId: string): void {
  for (const pid of processesWithMarker(jobId)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
