// Start the app and wait until it answers: free port → own process group → HTTP readiness probe →
// check the answering server is really ours. Any failure kills everything that was started.

import { randomUUID } from 'node:crypto';
import { pause } from '../bounded.js';
import { CoworkerError, throwIfCancelled } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { openSandboxRun } from '../sandbox/run.js';
import type { Sandbox } from '../sandbox/types.js';
import { findAnnouncedApp } from './announcedUrl.js';
import { checkoutDirOf } from './checkoutRoot.js';
import { buildChildEnv } from './childEnv.js';
import { parseEntryUrl } from './entryUrl.js';
import { formatLogTail } from './logTail.js';
import { checkPortOwner, describeHolders, portHolders } from './portOwner.js';
import { isLoopback, isPortInUse, pickFreePort } from './ports.js';
import {
  type ExitInfo,
  type GroupProcess,
  killProcessesWithEnv,
  killProcessGroup,
  spawnInGroup,
} from './processGroup.js';
import { probeHttp } from './readiness.js';
import { startStaticServer } from './staticServer.js';
import type { AppPlan, PlanNote, RunningApp } from './types.js';

export interface LaunchOptions {
  jobId: string;
  /** Per-job HOME for the app (created if missing). */
  home: string;
  /** The repo config's `env`. */
  extra?: Record<string, string>;
  /** Where allowlisted variables are read from (default: our process env). */
  parentEnv?: Record<string, string | undefined>;
  logFile: string;
  signal?: AbortSignal;
  readyTimeoutMs: number;
  /** SIGTERM → SIGKILL grace when stopping (default 3 s). */
  stopGraceMs?: number;
  logger?: Logger;
  /** Where the app runs: the job's sandbox (sandboxForJob), or none when the user chose so. */
  sandbox: Sandbox;
}

/**
 * Each launch also marks its processes with its own id, so stop() sweeps exactly this launch's escaped
 * grandchildren even when the same job runs a second app (e.g. the base commit) at the same time.
 */
const launchMarkerName = 'MYFAV_LAUNCH_ID';

export async function launchApp(plan: AppPlan, opts: LaunchOptions): Promise<RunningApp> {
  throwIfCancelled(opts.signal);
  const log = opts.logger ?? silentLogger;
  const entry = parseEntryUrl(plan.url);

  if (!plan.startCommand) {
    if (entry.kind === 'absolute') {
      throw new CoworkerError(
        'INVALID_INPUT',
        `The app URL ${entry.url.href} is absolute, but there is no start command: a static site is served by myfav-coworker itself.`,
        'Pass --url as a path (e.g. /docs/), or pass --start with the command that serves the site at that URL.',
      );
    }
    const app = await startStaticServer(plan.staticRoot ?? plan.dir, { path: entry.path });
    log.debug(`serving ${plan.staticRoot ?? plan.dir} at ${app.url}`);
    return app;
  }

  let port: number;
  let url: URL;
  if (entry.kind === 'absolute') {
    ({ port, url } = entry);
    // Checked before we start anything: whatever answers there now is not our app.
    if (await isPortInUse(url.hostname, port)) {
      throw new CoworkerError(
        'PORT_TAKEN',
        `Port ${port} of the app URL ${url.href} is already in use by another process${describeHolders(portHolders(port))}, before the app was even started.`,
        portTakenHint(port),
      );
    }
  } else {
    port = 0;
    url = new URL(entry.path, 'http://127.0.0.1');
  }

  // In a sandbox the app has a network of its own: the browser reaches it through our loopback bridge,
  // which listens on the host port and hands every connection to the same port inside.
  const { sandbox } = opts;
  const run =
    sandbox.kind === 'bwrap'
      ? await openSandboxRun(sandbox, {
          phase: 'app',
          checkoutDir: checkoutDirOf(plan),
          home: opts.home,
          cwd: plan.dir,
          appPort: port,
          appHost: isLoopback(url.hostname) ? '127.0.0.1' : url.hostname,
        })
      : undefined;
  let proc: GroupProcess | undefined;
  let stopping: Promise<void> | undefined;
  const launchId = randomUUID();
  const stop = () => {
    stopping ??= (async () => {
      if (proc) {
        await killProcessGroup(proc.pgid, { graceMs: opts.stopGraceMs ?? 3000 });
        // Grandchildren that moved to their own process group still carry the marker.
        await killProcessesWithEnv(launchMarkerName, launchId, { graceMs: 1000 });
      }
      await run?.close();
    })();
    return stopping;
  };

  try {
    if (run?.port !== undefined) port = run.port;
    else if (port === 0) port = await pickFreePort();
    if (entry.kind !== 'absolute') url = new URL(entry.path, `http://127.0.0.1:${port}`);
    const env = {
      ...buildChildEnv(
        {
          home: opts.home,
          port,
          jobId: opts.jobId,
          extra: opts.extra ?? {},
          ...packageManagerOf(plan),
          ...(sandbox.kind === 'bwrap' ? { packageCacheDir: sandbox.packageCacheDir } : {}),
        },
        opts.parentEnv,
      ),
      ...run?.env,
      [launchMarkerName]: launchId,
    };
    const command = plan.startCommand;
    proc = spawnInGroup(command, {
      cwd: plan.dir,
      env,
      logFile: opts.logFile,
      ...(run ? { wrap: run.wrap(command, env) } : {}),
    });
    log.debug(`started "${command}" (pgid ${proc.pgid}${run ? ', sandboxed' : ''}), waiting for ${url.href}`);

    const started = Date.now();
    const marker = { name: launchMarkerName, value: launchId };
    // Sandboxed, only the port we bridge is reachable: another port the app announces is not.
    const ready = await waitUntilReady(plan, url, proc, opts, run ? undefined : { pgid: proc.pgid, marker });
    const answeredFrom = ready.remoteAddress;
    let note: PlanNote | undefined;
    if (ready.announced) {
      note = {
        severity: 'info',
        title: `The app listens on ${ready.announced.url.origin}, not on the port it was given`,
        detail:
          `Its log announced ${ready.announced.announced} and that port is held by the app's own processes, so it was used instead of ${url.origin} ` +
          '(the start command does not pass PORT on; see "Real apps" in the README for the flags each dev server takes).',
      };
      url = ready.announced.url;
      port = Number(url.port);
    }
    // Sandboxed, only the sandbox can answer through the bridge: the port inside is its own.
    const owner = run
      ? ({ kind: 'ours' } as const)
      : await checkPortOwner(port, answeredFrom, {
          pgid: proc.pgid,
          marker: { name: launchMarkerName, value: launchId },
        });
    // 'unknown' (no /proc, no lsof, or the holder is invisible to us): the port was free before we
    // started, so the answer is ours as long as our process still runs.
    if (
      owner.kind === 'foreign' ||
      (owner.kind === 'unknown' && (proc.child.exitCode !== null || proc.child.signalCode !== null))
    ) {
      const holders = owner.kind === 'foreign' ? describeHolders(owner.holders) : '';
      throw new CoworkerError(
        'PORT_TAKEN',
        `Another process${holders} answers on port ${port} (${url.href}), not the app we started — testing it would test the wrong app.`,
        portTakenHint(port),
      );
    }
    log.debug(`app ready at ${url.href} after ${Date.now() - started} ms`);
    return { url: url.href, origin: url.origin, pgid: proc.pgid, stop, ...(note ? { note } : {}) };
  } catch (err) {
    await stop();
    // An app that died because the sandbox refused a connection says which host, and where to allow it.
    const refused = run?.refusedHint();
    if (refused && err instanceof CoworkerError && err.code !== 'CANCELLED')
      throw new CoworkerError(err.code, `${err.message}\n\n${refused}`, err.hint, { cause: err });
    throw err;
  }
}

/** Poll the entry URL until it answers (< 500); fail fast when the app exits; honour cancel. */
async function waitUntilReady(
  plan: AppPlan,
  url: URL,
  proc: GroupProcess,
  opts: LaunchOptions,
  /** undefined: do not look for a port the log announces (sandboxed: only the bridged port is reachable). */
  ours: import('./portOwner.js').Ours | undefined,
): Promise<{ remoteAddress: string; announced?: import('./announcedUrl.js').AnnouncedApp }> {
  const deadline = Date.now() + opts.readyTimeoutMs;
  let exit: ExitInfo | undefined;
  void proc.exited.then((e) => {
    exit = e;
  });
  let delay = 100;
  let lastReason = 'not tried';
  let nextLogLook = Date.now() + 500;
  for (;;) {
    throwIfCancelled(opts.signal);
    if (exit) throw appExited(plan, url, exit, opts.logFile);
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw appNotReady(plan, url, opts, lastReason);
    // A cancel ends the probe at once (its connection closed before the app is stopped).
    const result = await probeHttp(url, Math.min(2000, remaining), opts.signal);
    throwIfCancelled(opts.signal);
    if (result.ok) return { remoteAddress: result.remoteAddress };
    lastReason = result.reason;
    if (ours && Date.now() >= nextLogLook) {
      // Not on our port: perhaps the log says where it went instead.
      const announced = await findAnnouncedApp(
        opts.logFile,
        Number(url.port),
        url.pathname + url.search,
        ours,
      );
      if (announced) return { remoteAddress: announced.remoteAddress, announced };
      nextLogLook = Date.now() + 1000;
    }
    // Until the next try, unless the app exits or the job is cancelled first.
    await pause(Math.min(delay, deadline - Date.now()), { until: proc.exited, signal: opts.signal });
    delay = Math.min(Math.round(delay * 1.5), 500);
  }
}

function appExited(plan: AppPlan, url: URL, exit: ExitInfo, logFile: string): CoworkerError {
  const how = exit.code === null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return new CoworkerError(
    'APP_EXITED',
    `The app ${how} before it answered at ${url.href} ("${plan.startCommand}" in ${plan.relDir || 'the repo root'}).${formatLogTail(logFile)}`,
    `Fix the error shown in the log, or give the command that starts the app with --start (or "start" in .myfav-coworker.json). Full log: ${logFile}`,
  );
}

function appNotReady(plan: AppPlan, url: URL, opts: LaunchOptions, lastReason: string): CoworkerError {
  return new CoworkerError(
    'APP_NOT_READY',
    `The app did not answer at ${url.href} within ${Math.round(opts.readyTimeoutMs / 1000)} s ` +
      `(last attempt: ${lastReason}; start command "${plan.startCommand}").${formatLogTail(opts.logFile)}`,
    'The app gets its port in PORT (and HOST=127.0.0.1): if it listens elsewhere, pass --url with its address or ' +
      '--start with a command that honours PORT; if it is just slow to start, raise --ready-timeout. ' +
      `Full log: ${opts.logFile}`,
  );
}

function portTakenHint(port: number): string {
  return (
    `Stop the other process on port ${port}, or change --url ("url" in .myfav-coworker.json). Without an absolute ` +
    '--url the app gets a free port through PORT, which avoids clashes.'
  );
}

function packageManagerOf(plan: AppPlan): { packageManager?: NonNullable<AppPlan['packageManager']> } {
  return plan.packageManager ? { packageManager: plan.packageManager } : {};
}
