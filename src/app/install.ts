// Install the app's dependencies with its own package manager, in its own process group, output to the
// job's log file. Whatever happens (failure, timeout, cancel) nothing of the install is left running.

import { untilAborted } from '../bounded.js';
import { CancelledError, CoworkerError, throwIfCancelled } from '../errors.js';
import { openSandboxRun, type SandboxRun } from '../sandbox/run.js';
import type { Sandbox } from '../sandbox/types.js';
import { checkoutDirOf } from './checkoutRoot.js';
import { buildChildEnv } from './childEnv.js';
import { installFailureHint } from './installHints.js';
import { formatLogTail } from './logTail.js';
import { type ExitInfo, killProcessGroup, spawnInGroup } from './processGroup.js';
import type { AppPlan } from './types.js';

interface InstallRunOptions {
  logFile: string;
  signal?: AbortSignal;
  timeoutMs: number;
  /** Where the install runs: the job's sandbox (sandboxForJob), or none when the user chose so. */
  sandbox: Sandbox;
}

/**
 * Either a ready environment (from buildChildEnv), or its inputs: then the environment is built here,
 * pointed at the plan's package manager caches.
 */
export type InstallOptions = InstallRunOptions &
  (
    | { env: Record<string, string> }
    | {
        home: string;
        jobId: string;
        extra?: Record<string, string>;
        parentEnv?: Record<string, string | undefined>;
      }
  );

type Outcome = { kind: 'exit'; exit: ExitInfo } | { kind: 'timeout' } | { kind: 'aborted' };

/** Runs plan.installCommand; null when the plan skips installing. */
export async function installDependencies(
  plan: AppPlan,
  opts: InstallOptions,
): Promise<{ ms: number } | null> {
  const command = plan.installCommand;
  if (!command) return null;
  throwIfCancelled(opts.signal);
  const started = Date.now();
  const cwd = plan.installDir ?? plan.dir;
  const { sandbox } = opts;
  const childEnv =
    'env' in opts
      ? opts.env
      : buildChildEnv(
          {
            home: opts.home,
            jobId: opts.jobId,
            extra: opts.extra ?? {},
            ...(plan.packageManager ? { packageManager: plan.packageManager } : {}),
            ...(sandbox.kind === 'bwrap' ? { packageCacheDir: sandbox.packageCacheDir } : {}),
          },
          opts.parentEnv,
        );
  const home = 'env' in opts ? (opts.env.HOME ?? cwd) : opts.home;
  let run: SandboxRun | undefined;
  let outcome: Outcome;
  const turn = plan.yarnClassic ? await yarnClassicTurn(opts.signal) : undefined;
  try {
    run =
      sandbox.kind === 'bwrap'
        ? await openSandboxRun(sandbox, { phase: 'install', checkoutDir: checkoutDirOf(plan), home, cwd })
        : undefined;
    const env = { ...childEnv, ...run?.env };
    const proc = spawnInGroup(command, {
      cwd,
      env,
      logFile: opts.logFile,
      ...(run ? { wrap: run.wrap(command, env) } : {}),
    });
    outcome = await waitForOutcome(proc.exited, opts.timeoutMs, opts.signal);
    // Also after a clean exit: postinstall scripts sometimes leave watchers or daemons behind (in a
    // sandbox they died with it already).
    await killProcessGroup(proc.pgid, { graceMs: outcome.kind === 'exit' ? 1000 : 3000 });
  } finally {
    await run?.close();
    turn?.release();
  }
  const refused = run?.refusedHint() ?? '';

  const where = cwd === plan.dir && plan.relDir === '' ? '' : ` in ${cwd}`;
  const hint =
    `Full log: ${opts.logFile}. Fix the install in the branch, or pass --install "<command>" (or --no-install; ` +
    '"install" in .myfav-coworker.json) when it needs something else.';
  if (outcome.kind === 'aborted') {
    throwIfCancelled(opts.signal);
    throw new CancelledError();
  }
  if (outcome.kind === 'timeout') {
    throw new CoworkerError(
      'INSTALL_FAILED',
      `Installing dependencies timed out after ${Math.round(opts.timeoutMs / 1000)} s ("${command}"${where}).${refused ? ` ${refused}` : ''}${formatLogTail(opts.logFile)}`,
      `${hint} A slow network or a cold cache can need more time: raise "installTimeout" in .myfav-coworker.json.`,
    );
  }
  const { code, signal } = outcome.exit;
  if (code !== 0) {
    const how = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
    const notFound =
      code === 127
        ? ` The command was not found: is ${command.split(' ')[0]} installed? (pnpm and yarn come with \`corepack enable\`.)`
        : '';
    throw new CoworkerError(
      'INSTALL_FAILED',
      `Installing dependencies failed: "${command}"${where} ${how}.${refused ? ` ${refused}` : ''}${formatLogTail(opts.logFile)}`,
      `${hint}${notFound}${installFailureHint(opts.logFile, plan.packageManager)}`,
    );
  }
  return { ms: Date.now() - started };
}

/** The last Yarn 1 install of this process to be started (or waiting for its turn). */
let lastYarnClassic: Promise<void> = Promise.resolve();

/**
 * Yarn 1 installs take turns: two at once corrupt its shared cache (they write the same cache entries;
 * yarn 1 has no lock of its own unless `--mutex` is given), and a job installs its head and its base side
 * by side — in the same package cache. A cancel while waiting gives the turn up at once.
 */
async function yarnClassicTurn(signal?: AbortSignal): Promise<{ release(): void }> {
  const previous = lastYarnClassic;
  let release = () => {};
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  lastYarnClassic = previous.then(() => mine);
  try {
    await untilAborted(previous, signal);
  } catch (err) {
    release();
    throw err;
  }
  return { release };
}

/** First of: the process exits, the timeout passes, the signal fires. */
export function waitForOutcome(
  exited: Promise<ExitInfo>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const onAbort = () => finish({ kind: 'aborted' });
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    const finish = (o: Outcome) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(o);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    void exited.then((exit) => finish({ kind: 'exit', exit }));
  });
}
