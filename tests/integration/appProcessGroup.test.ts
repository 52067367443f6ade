// Process groups and job markers with real processes.

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildChildEnv } from '../../src/app/childEnv.js';
import {
  findJobProcesses,
  findMarkedProcesses,
  isGroupAlive,
  killJobProcesses,
  killProcessGroup,
  spawnInGroup,
} from '../../src/app/processGroup.js';
import { hasProc, isAlive, killMarked, processesWithMarker, waitForExit } from '../helpers/processes.js';

let work: string;
let jobId: string;
beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'myfav-pg-'));
  jobId = `test-${randomUUID()}`;
});
afterEach(async () => {
  if (hasProc) killMarked(jobId);
  await rm(work, { recursive: true, force: true });
});

const env = () => buildChildEnv({ home: path.join(work, 'home'), jobId });
const logFile = () => path.join(work, 'out.log');

async function waitForFile(file: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    try {
      const text = readFileSync(file, 'utf8');
      if (text) return text;
    } catch {}
    await sleep(25);
  }
  throw new Error(`${file} never appeared`);
}

describe('spawnInGroup / killProcessGroup', () => {
  it('writes output to the log file and runs in its own process group', async () => {
    const proc = spawnInGroup(`echo to-stdout; echo to-stderr >&2`, {
      cwd: work,
      env: env(),
      logFile: logFile(),
    });
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(readFileSync(logFile(), 'utf8')).toBe(
      '$ echo to-stdout; echo to-stderr >&2\nto-stdout\nto-stderr\n',
    );
    expect(proc.pgid).toBe(proc.child.pid);
  });

  it('gets rid of a grandchild that ignores SIGTERM: SIGTERM, grace, then SIGKILL', async () => {
    const script = `node -e "process.on('SIGTERM', () => {}); require('fs').writeFileSync('stubborn.pid', String(process.pid)); setInterval(() => {}, 1000)" & wait`;
    const proc = spawnInGroup(script, { cwd: work, env: env(), logFile: logFile() });
    const stubborn = Number(await waitForFile(path.join(work, 'stubborn.pid')));
    expect(isAlive(stubborn)).toBe(true);
    const started = Date.now();
    expect(await killProcessGroup(proc.pgid, { graceMs: 500 })).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450); // it had to wait for the grace period
    expect(isAlive(stubborn)).toBe(false);
    expect(isGroupAlive(proc.pgid)).toBe(false);
  });

  it('returns at once for a group that is already gone', async () => {
    const proc = spawnInGroup('true', { cwd: work, env: env(), logFile: logFile() });
    await proc.exited;
    // A grace period far longer than the test may take: returning at all shows it did not wait for it.
    expect(await killProcessGroup(proc.pgid, { graceMs: 10 * 60_000 })).toBe(true);
  });
});

describe.runIf(hasProc)('job markers (cleanup after a crash)', () => {
  it('finds and kills every process of a job, also ones outside any group we know', async () => {
    // What a crashed job leaves: detached processes we no longer have handles for.
    const orphans = [1, 2].map(() => {
      const child = spawn(
        process.execPath,
        ['-e', `process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)`],
        {
          env: env(),
          detached: true,
          stdio: 'ignore',
        },
      );
      child.unref();
      return child.pid!;
    });
    await sleep(200);
    expect(findJobProcesses(jobId).sort()).toEqual([...orphans].sort());
    expect(processesWithMarker(jobId).sort()).toEqual([...orphans].sort());
    expect(findMarkedProcesses().get(jobId)?.sort()).toEqual([...orphans].sort());
    expect(findJobProcesses(`${jobId}-other`)).toEqual([]);

    expect((await killJobProcesses(jobId, { graceMs: 300 })).sort()).toEqual([...orphans].sort());
    for (const pid of orphans) expect(await waitForExit(pid, 2000)).toBe(true);
    expect(processesWithMarker(jobId)).toEqual([]);
  });

  it('does nothing when the job left nothing behind', async () => {
    expect(await killJobProcesses(jobId)).toEqual([]);
  });
});
