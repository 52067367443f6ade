import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimulationView } from '../../src/report/machine.js';
import type { Report } from '../../src/report/model.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binPath = path.join(repoRoot, 'bin', 'myfav-coworker.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A throwaway MYFAV_COWORKER_HOME, so tests never touch the user's history or caches. */
export function tempHome(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'myfav-test-home-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The environment the CLI runs with in tests: ours minus secrets and colour, plus the temp home. */
export function cliEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(GH_TOKEN|GITHUB_TOKEN|ANTHROPIC_API_KEY|FORCE_COLOR|MYFAV_.*)$/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, MYFAV_COWORKER_HOME: home, NO_COLOR: '1', ...extra };
}

export function spawnCli(
  args: string[],
  opts: { home: string; env?: Record<string, string>; cwd?: string },
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [binPath, ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: cliEnv(opts.home, opts.env),
    stdio: 'pipe',
  });
}

export function runCli(
  args: string[],
  opts: { home: string; env?: Record<string, string>; input?: string; cwd?: string; timeoutMs?: number },
): Promise<CliResult> {
  const child = spawnCli(args, opts);
  return collect(child, opts.input, opts.timeoutMs ?? 120_000);
}

export function collect(
  child: ChildProcessWithoutNullStreams,
  input?: string,
  timeoutMs = 120_000,
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  child.stdin.end(input ?? '');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Worktrees and temp dirs a job may leave in the cache dir: must be none after a job. */
export function leftoversIn(home: string): string[] {
  const found: string[] = [];
  for (const sub of ['cache/worktrees', 'cache/tmp']) {
    const dir = path.join(home, sub);
    if (existsSync(dir)) found.push(...readdirSync(dir).map((d) => path.join(sub, d)));
  }
  return found;
}

/** What one job left in the cache dir (its worktree, its temp dir): must be none after it ended. */
export function leftoversOf(home: string, jobId: string): string[] {
  return leftoversIn(home).filter((entry) => path.basename(entry) === jobId);
}

/**
 * What `simulate --json` and `show --json` print: the fields MCP's get_simulation returns for the job,
 * or `{ error }` alone when no job was made.
 */
export function simulationJson(stdout: string): SimulationView {
  try {
    return JSON.parse(stdout) as SimulationView;
  } catch {
    throw new Error(`no JSON on stdout: ${stdout.slice(0, 2000)}`);
  }
}

/** The whole Report of a `simulate --json` run: the report.json its answer points at. */
export function reportFromJson(stdout: string): Report {
  const view = simulationJson(stdout);
  const file = view.artifacts?.report_json;
  if (!file) throw new Error(`the answer names no report.json: ${stdout.slice(0, 2000)}`);
  return JSON.parse(readFileSync(file, 'utf8')) as Report;
}

/**
 * The job a terminal `simulate` announces on stderr ("job ID: target"), and whether it follows a job
 * that was already running (the same simulation, deduplicated) rather than running its own.
 */
export function announcedJob(
  cli: ChildProcessWithoutNullStreams,
  timeoutMs = 60_000,
): Promise<{ id: string; following: boolean }> {
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no job announced in ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      stderr += d;
      const line = /job (\S+): [^\n]*\n/.exec(stderr);
      if (!line?.[1]) return;
      clearTimeout(timer);
      cli.stderr.off('data', onData);
      resolve({ id: line[1], following: line[0].includes('already running: following it') });
    };
    cli.stderr.on('data', onData);
    cli.on('exit', () => {
      clearTimeout(timer);
      if (!/job (\S+): [^\n]*\n/.test(stderr)) reject(new Error(`exited before announcing a job: ${stderr}`));
    });
  });
}
