// The services of a full-stack app (database, API…) started before the app, one after another in
// dependency order: each on a port of its own chosen for this job, with a HOME and data dir of its own
// in the job's temp dir, its output in services/<name>.log, health-checked before the next one starts.
// Sandboxed, each runs in a bubblewrap sandbox of its own (own mounts, PID namespace, HOME): they meet
// only through their ports, which our loopback bridges connect — the network is all they share.

import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pause } from '../../bounded.js';
import type { ServiceSpec } from '../../config/schema.js';
import { CancelledError, CoworkerError, throwIfCancelled } from '../../errors.js';
import { isInside } from '../../paths.js';
import { openSandboxRun, type SandboxRun } from '../../sandbox/run.js';
import type { Sandbox } from '../../sandbox/types.js';
import { buildChildEnv } from '../childEnv.js';
import { installDependencies, waitForOutcome } from '../install.js';
import { formatLogTail } from '../logTail.js';
import { pickFreePort } from '../ports.js';
import {
  type ExitInfo,
  type GroupProcess,
  killProcessesWithEnv,
  killProcessGroup,
  spawnInGroup,
} from '../processGroup.js';
import { probeHttp } from '../readiness.js';
import type { PlanNote } from '../types.js';
import { type Placeholders, type ServiceAddress, substitute, substituteEnv } from './substitute.js';
import { probeTcp } from './tcpProbe.js';

export interface StartServicesOptions {
  jobId: string;
  /** The checkout the services' folders are in. */
  worktree: string;
  /** Parent of each service's HOME (and data dir): inside the job's temp dir, so recovery removes it. */
  homeRoot: string;
  /** services/<name>.log go here. */
  logDir: string;
  sandbox: Sandbox;
  signal: AbortSignal;
  readyTimeoutMs: number;
  installTimeoutMs: number;
  progress(message: string): void;
  parentEnv?: Record<string, string | undefined>;
}

export interface ServiceLog {
  name: string;
  file: string;
}

export interface RunningServices {
  /** `${services.NAME.port}` and friends resolved (for the app's env). */
  substitute(text: string): string;
  substituteEnv(env: Record<string, string>): Record<string, string>;
  /** Host ports of the services: the app's sandbox may connect to them. */
  ports: number[];
  logs: ServiceLog[];
  /** What was started and how, for the report. */
  note: PlanNote;
  /** Services that stopped after they were ready (a dead database makes a run inconclusive). */
  stopped(): Array<{ name: string; how: string; logFile: string }>;
  /** Stops every service, the last started first. Idempotent. */
  stop(): Promise<void>;
}

/** Marks each service's processes, so stop() also sweeps the ones that left its process group. */
const serviceMarkerName = 'MYFAV_SERVICE_ID';

export async function startServices(
  specs: ServiceSpec[],
  opts: StartServicesOptions,
): Promise<RunningServices> {
  const addresses = new Map<string, ServiceAddress>();
  for (const spec of specs) addresses.set(spec.name, { port: await pickFreePort(), host: '127.0.0.1' });
  const started: StartedService[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      for (const service of started.splice(0).reverse()) await service.stop();
    })();
    return stopping;
  };
  try {
    for (const spec of specs) {
      throwIfCancelled(opts.signal);
      started.push(await startService(spec, addresses, opts));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const values: Placeholders = { services: addresses };
  const all = [...started];
  return {
    substitute: (text) => substitute(text, values),
    substituteEnv: (env) => substituteEnv(env, values),
    ports: [...addresses.values()].map((a) => a.port),
    logs: all.map((s) => ({ name: s.name, file: s.logFile })),
    note: {
      severity: 'info',
      title: `Started ${all.length} service${all.length === 1 ? '' : 's'} before the app: ${all.map((s) => s.name).join(', ')}`,
      detail: all
        .map(
          (s) =>
            `${s.name}: "${s.command}" on port ${s.port}${s.seeded ? ', seeded' : ''} (log ${s.logFile})`,
        )
        .join('; '),
    },
    stopped: () =>
      all.flatMap((s) => (s.exit ? [{ name: s.name, how: describeExit(s.exit), logFile: s.logFile }] : [])),
    stop,
  };
}

interface StartedService {
  name: string;
  command: string;
  port: number;
  logFile: string;
  seeded: boolean;
  /** Set when the service exited (after it was ready). */
  exit?: ExitInfo;
  stop(): Promise<void>;
}

async function startService(
  spec: ServiceSpec,
  addresses: Map<string, ServiceAddress>,
  opts: StartServicesOptions,
): Promise<StartedService> {
  const { port } = addresses.get(spec.name)!;
  const dir = path.resolve(opts.worktree, spec.cwd || '.');
  if (!isInside(opts.worktree, dir)) {
    throw new CoworkerError(
      'INVALID_CONFIG',
      `Service "${spec.name}": its "cwd" (${spec.cwd}) is outside the repository.`,
      'Give "cwd" relative to the repository root, inside it.',
    );
  }
  const home = path.join(opts.homeRoot, spec.name);
  const dataDir = path.join(home, 'data');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const logFile = path.join(opts.logDir, 'services', `${spec.name}.log`);
  const values: Placeholders = { own: { port, dataDir }, services: addresses };
  const command = substitute(spec.start, values);
  const marker = randomUUID();
  const env = {
    ...buildChildEnv(
      {
        home,
        port,
        jobId: opts.jobId,
        extra: substituteEnv(spec.env, values),
        ...(opts.sandbox.kind === 'bwrap' ? { packageCacheDir: opts.sandbox.packageCacheDir } : {}),
      },
      opts.parentEnv,
    ),
    [serviceMarkerName]: marker,
  };
  const label = `service "${spec.name}"`;
  const dependencyPorts = spec.dependsOn.flatMap((dep) => {
    const address = addresses.get(dep);
    return address ? [address.port] : [];
  });

  if (spec.install) {
    opts.progress(`${spec.name}: installing: ${spec.install}`);
    await installDependencies(
      {
        dir,
        relDir: spec.cwd,
        dirReason: label,
        kind: 'node',
        installCommand: substitute(spec.install, values),
        startCommand: null,
        notes: [],
      },
      { env, logFile, signal: opts.signal, timeoutMs: opts.installTimeoutMs, sandbox: opts.sandbox },
    ).catch((err: unknown) => {
      throw prefixed(err, `Service "${spec.name}": `);
    });
  }

  const sandbox = withLocalPorts(opts.sandbox, dependencyPorts);
  if (spec.nonRoot && sandbox.kind !== 'bwrap' && process.getuid?.() === 0) {
    // Sandboxed it runs as "nobody"; unsandboxed it would run as the root we are, which it refuses.
    throw new CoworkerError(
      'SERVICE_FAILED',
      `The service "${spec.name}" must not run as root ("nonRoot"), and without the sandbox it would: myfav-coworker runs as root.`,
      'Run with the sandbox (the default: drop --no-sandbox / "sandbox": false), where it runs as an unprivileged user, or run myfav-coworker as a normal user.',
    );
  }
  opts.progress(`${spec.name}: starting: ${command}`);
  const run =
    sandbox.kind === 'bwrap'
      ? await openSandboxRun(sandbox, {
          phase: 'app',
          checkoutDir: opts.worktree,
          home,
          cwd: dir,
          appPort: port,
          ...(spec.nonRoot ? { nonRoot: true } : {}),
        })
      : undefined;
  let proc: GroupProcess | undefined;
  let stopping: Promise<void> | undefined;
  const service: StartedService = {
    name: spec.name,
    command,
    port,
    logFile,
    seeded: false,
    stop: () => {
      stopping ??= (async () => {
        if (proc) {
          await killProcessGroup(proc.pgid, { graceMs: 5000 });
          await killProcessesWithEnv(serviceMarkerName, marker, { graceMs: 1000 });
        }
        await run?.close();
      })();
      return stopping;
    },
  };
  try {
    const runEnv = { ...env, ...run?.env };
    proc = spawnInGroup(command, {
      cwd: dir,
      env: runEnv,
      logFile,
      ...(run ? { wrap: run.wrap(command, runEnv) } : {}),
    });
    await waitUntilServing(spec, port, proc, { ...opts, logFile, command, run });
    void proc.exited.then((exit) => {
      if (!stopping) service.exit = exit;
    });
    if (spec.seed) {
      const seed = substitute(spec.seed, values);
      opts.progress(`${spec.name}: seeding: ${seed}`);
      await runOnce(seed, {
        ...opts,
        label,
        cwd: dir,
        home,
        env,
        logFile,
        sandbox: withLocalPorts(opts.sandbox, [port, ...dependencyPorts]),
      });
      service.seeded = true;
    }
    opts.progress(`${spec.name}: ready on port ${port}`);
    return service;
  } catch (err) {
    await service.stop();
    throw err;
  }
}

/** The sandbox with these host ports reachable from inside (other services this one talks to). */
export function withLocalPorts(sandbox: Sandbox, ports: number[]): Sandbox {
  if (sandbox.kind !== 'bwrap' || ports.length === 0) return sandbox;
  return { ...sandbox, allowLocalPorts: [...new Set([...sandbox.allowLocalPorts, ...ports])] };
}

async function waitUntilServing(
  spec: ServiceSpec,
  port: number,
  proc: GroupProcess,
  opts: StartServicesOptions & { logFile: string; command: string; run: SandboxRun | undefined },
): Promise<void> {
  const deadline = Date.now() + opts.readyTimeoutMs;
  const url =
    'url' in spec.ready
      ? new URL(
          substitute(spec.ready.url, { own: { port, dataDir: '' }, services: new Map() }),
          `http://127.0.0.1:${port}`,
        )
      : undefined;
  const what = url ? `answered at ${url.href}` : `accepted connections on port ${port}`;
  let exit: ExitInfo | undefined;
  void proc.exited.then((e) => {
    exit = e;
  });
  let lastReason = 'not tried';
  let delay = 100;
  for (;;) {
    throwIfCancelled(opts.signal);
    if (exit) {
      throw new CoworkerError(
        'SERVICE_FAILED',
        `The service "${spec.name}" ${describeExit(exit)} before it ${what} ("${opts.command}").${refusedSentence(opts.run)}${formatLogTail(opts.logFile)}`,
        `Fix the error shown in its log, or its "start" in "services" of .myfav-coworker.json. Full log: ${opts.logFile}`,
      );
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new CoworkerError(
        'SERVICE_FAILED',
        `The service "${spec.name}" did not get ready within ${Math.round(opts.readyTimeoutMs / 1000)} s: it never ${what} (last attempt: ${lastReason}; "${opts.command}").${formatLogTail(opts.logFile)}`,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder of the config, not of JS
        'A service gets its port in PORT (and as ${port} in its commands): it must listen on 127.0.0.1 at that port. ' +
          `If it is just slow, raise "readyTimeout". Full log: ${opts.logFile}`,
      );
    }
    const probe = url
      ? await probeHttp(url, Math.min(2000, remaining), opts.signal)
      : await probeTcp(opts.run?.probe ? { probe: opts.run.probe } : { port }, Math.min(2000, remaining));
    if (probe.ok) return;
    if ('reason' in probe) lastReason = probe.reason;
    await pause(Math.min(delay, deadline - Date.now()), { until: proc.exited, signal: opts.signal });
    delay = Math.min(Math.round(delay * 1.5), 500);
  }
}

/** A one-shot command of a service (its seed): in its own sandbox run, reaching the service's port. */
async function runOnce(
  command: string,
  opts: StartServicesOptions & {
    label: string;
    cwd: string;
    home: string;
    env: Record<string, string>;
    logFile: string;
  },
): Promise<void> {
  const run =
    opts.sandbox.kind === 'bwrap'
      ? await openSandboxRun(opts.sandbox, {
          phase: 'app',
          checkoutDir: opts.worktree,
          home: opts.home,
          cwd: opts.cwd,
        })
      : undefined;
  try {
    const env = { ...opts.env, ...run?.env };
    const proc = spawnInGroup(command, {
      cwd: opts.cwd,
      env,
      logFile: opts.logFile,
      ...(run ? { wrap: run.wrap(command, env) } : {}),
    });
    const outcome = await waitForOutcome(proc.exited, opts.readyTimeoutMs, opts.signal);
    await killProcessGroup(proc.pgid, { graceMs: 1000 });
    if (outcome.kind === 'aborted') {
      throwIfCancelled(opts.signal);
      throw new CancelledError();
    }
    const how =
      outcome.kind === 'timeout'
        ? `did not finish within ${Math.round(opts.readyTimeoutMs / 1000)} s`
        : outcome.exit.code === 0
          ? ''
          : describeExit(outcome.exit);
    if (how) {
      throw new CoworkerError(
        'SERVICE_FAILED',
        `The seed of ${opts.label} ${how} ("${command}"): the service started, but its schema or data could not be set up.${formatLogTail(opts.logFile)}`,
        `Fix the migration or seed in the branch (the log above ends with the service's own output and the seed's). Full log: ${opts.logFile}`,
      );
    }
  } finally {
    await run?.close();
  }
}

function describeExit(exit: ExitInfo): string {
  return exit.code === null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

function refusedSentence(run: SandboxRun | undefined): string {
  const hint = run?.refusedHint() ?? '';
  return hint ? ` ${hint}` : '';
}

function prefixed(err: unknown, prefix: string): unknown {
  if (!(err instanceof CoworkerError) || err.code === 'CANCELLED') return err;
  return new CoworkerError(err.code, `${prefix}${err.message}`, err.hint, { cause: err });
}
