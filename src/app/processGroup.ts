// Run a shell command in its own process group and kill the whole group later. Dev servers fork
// (npm → sh → node → esbuild…): signalling only the direct child leaves grandchildren holding the port,
// so every command we start gets its own group and we signal the group.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupMembers, hasProcFs, isRunning, listPids, readEnviron, readStat } from './procfs.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface GroupProcess {
  child: ChildProcess;
  /** Process group id (= pid of the shell that leads it). */
  pgid: number;
  /** Settles when the shell exits; never rejects (a spawn error becomes exit code 127). */
  exited: Promise<ExitInfo>;
}

export interface SpawnOptions {
  cwd: string;
  env: Record<string, string>;
  /** stdout and stderr are appended here; we never share our stdio (MCP stdout is protocol). */
  logFile: string;
  /** Run `command` through this program instead of /bin/sh -c (the sandbox; it runs the shell itself). */
  wrap?: { file: string; args: string[] };
}

/** Start `command` through the platform shell, detached into its own process group, output to logFile. */
export function spawnInGroup(command: string, opts: SpawnOptions): GroupProcess {
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  appendFileSync(opts.logFile, `$ ${command}\n`);
  const fd = openSync(opts.logFile, 'a');
  let child: ChildProcess;
  try {
    const [shell, args] = opts.wrap
      ? [opts.wrap.file, opts.wrap.args]
      : process.platform === 'win32'
        ? [process.env.ComSpec ?? 'cmd.exe', ['/d', '/s', '/c', `"${command}"`]]
        : ['/bin/sh', ['-c', command]];
    child = spawn(shell, args, {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      // stdin ignored: a child that reads stdin must not drain (or wait on) ours.
      stdio: ['ignore', fd, fd],
      windowsHide: true,
      windowsVerbatimArguments: process.platform === 'win32',
    });
  } finally {
    // The child has its own copy of the descriptor.
    closeSync(fd);
  }
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (err) => {
      appendFileSync(opts.logFile, `failed to start: ${err.message}\n`);
      resolve({ code: 127, signal: null });
    });
  });
  return { child, pgid: child.pid ?? -1, exited };
}

/** Whether any process of the group still runs (zombies do not count). */
export function isGroupAlive(pgid: number): boolean {
  if (pgid <= 0) return false;
  if (hasProcFs()) return groupMembers(pgid).length > 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    // EPERM: the group exists but is not ours to signal — still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface KillOptions {
  /** How long SIGTERM gets before SIGKILL. */
  graceMs?: number;
  /** How long to wait for the group to vanish after SIGKILL. */
  killWaitMs?: number;
}

/**
 * SIGTERM the whole group, wait up to graceMs for it to disappear, then SIGKILL what is left (a process
 * that ignores SIGTERM). Resolves true when the group is gone.
 */
export async function killProcessGroup(pgid: number, opts: KillOptions = {}): Promise<boolean> {
  const { graceMs = 3000, killWaitMs = 5000 } = opts;
  if (pgid <= 0) return true;
  if (process.platform === 'win32') return killWindowsTree(pgid);
  if (!signalGroup(pgid, 'SIGTERM')) return true;
  if (await waitUntil(() => !isGroupAlive(pgid), graceMs)) return true;
  signalGroup(pgid, 'SIGKILL');
  return waitUntil(() => !isGroupAlive(pgid), killWaitMs);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: nothing left in the group
  }
}

// Windows has no process groups we can signal; taskkill /T walks the child tree.
function killWindowsTree(pid: number): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('taskkill', ['/pid', String(pid), '/T', '/F'], { windowsHide: true }, () => resolve(true));
  });
}

/** Poll `done` every 50 ms until it holds or `ms` passed. */
export async function waitUntil(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

export const jobMarkerName = 'MYFAV_JOB_ID';

/**
 * Running processes that carry `MYFAV_JOB_ID=<jobId>` in their environment: everything a job started,
 * including grandchildren that left its process group. Linux only (/proc); elsewhere [].
 */
export function findJobProcesses(jobId: string): number[] {
  return findProcessesWithEnv(jobMarkerName, jobId);
}

/** SIGTERM every process of the job, SIGKILL the ones still there after graceMs. Returns the pids found. */
export function killJobProcesses(jobId: string, opts: KillOptions = {}): Promise<number[]> {
  return killProcessesWithEnv(jobMarkerName, jobId, opts);
}

/** Every process carrying any job marker, by job id — for cleaning up after jobs a crash left behind. */
export function findMarkedProcesses(): Map<string, number[]> {
  const byJob = new Map<string, number[]>();
  for (const [pid, jobId] of scanEnv(jobMarkerName)) byJob.set(jobId, [...(byJob.get(jobId) ?? []), pid]);
  return byJob;
}

/** Running processes (not us) whose start-up environment has `name=value`. */
export function findProcessesWithEnv(name: string, value: string): number[] {
  return scanEnv(name)
    .filter(([, v]) => v === value)
    .map(([pid]) => pid);
}

export async function killProcessesWithEnv(
  name: string,
  value: string,
  opts: KillOptions = {},
): Promise<number[]> {
  const { graceMs = 3000, killWaitMs = 5000 } = opts;
  const pids = findProcessesWithEnv(name, value);
  if (pids.length === 0) return [];
  for (const pid of pids) signalPid(pid, 'SIGTERM');
  // Wait on the pids themselves: an exiting process loses its readable environment before it is gone.
  const running = () => pids.filter((pid) => isRunning(readStat(pid)));
  if (await waitUntil(() => running().length === 0, graceMs)) return pids;
  // Only pids still running with the marker: one that exited may already belong to someone else.
  const stubborn = findProcessesWithEnv(name, value);
  for (const pid of stubborn) signalPid(pid, 'SIGKILL');
  await waitUntil(() => stubborn.every((pid) => !isRunning(readStat(pid))), killWaitMs);
  return pids;
}

function scanEnv(name: string): Array<[pid: number, value: string]> {
  const prefix = `${name}=`;
  const found: Array<[number, string]> = [];
  for (const pid of listPids()) {
    if (pid === process.pid) continue;
    const entry = readEnviron(pid).find((e) => e.startsWith(prefix));
    if (entry !== undefined && isRunning(readStat(pid))) found.push([pid, entry.slice(prefix.length)]);
  }
  return found;
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
