// One side of a simulation — the head commit, or the base commit it is compared with — from a checked-out
// worktree to a running app: read the repository's config, detect the app, install, launch. Both sides go
// through this one function, so they are prepared the same way (and the base run is a fair reference).

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { detectApp } from '../app/detect.js';
import { copyEnvTemplate } from '../app/dotenvTemplate.js';
import { installDependencies } from '../app/install.js';
import { launchApp } from '../app/launch.js';
import { readLogTail } from '../app/logTail.js';
import { composeServices } from '../app/services/compose.js';
import { nodeBackendServices } from '../app/services/nodeBackend.js';
import { pythonServices } from '../app/services/pythonApp.js';
import { type RunningServices, startServices, withLocalPorts } from '../app/services/start.js';
import type { AppPlan, RunningApp } from '../app/types.js';
import { type DetectedServices, type JobSettings, settingsForJob } from '../config/jobSettings.js';
import type { RepoConfig, SettingOverrides, SimulationSettings } from '../config/schema.js';
import { throwIfCancelled } from '../errors.js';
import type { AppInfo } from '../report/model.js';
import type { Sandbox } from '../sandbox/types.js';
import type { Teardown } from './teardown.js';

export type SidePhase = 'detect' | 'install' | 'launch';

export interface SideInput {
  jobId: string;
  worktree: string;
  changedFiles: string[];
  overrides: SettingOverrides;
  /** The target's repository (HOST/OWNER/REPO or a local path): picks the user config's `repos` entry. */
  repo: string;
  /** The user config folder (its config.json may have settings for this repository). */
  configDir: string;
  /** Where install.log and app.log go. */
  logDir: string;
  /** The side's own HOME (and temp files): head and base never share one. */
  home: string;
  /** The job's sandbox; each install and launch gets its own run of it (runtime dir, proxy, bridge). */
  sandbox: Sandbox;
  teardown: Teardown;
  signal: AbortSignal;
  /** A phase starts (the head reports it as the job's phase; the base keeps its own timings). */
  enter(phase: SidePhase, message: string): void;
  progress(message: string): void;
  /** The app was found (before anything is installed: a failed install still names the app). */
  onDetected?(plan: AppPlan): void;
  /** The side's settings when the caller has resolved them already (the head's: the job reads them first). */
  resolved?: JobSettings;
  /** Before the app starts (the base waits here for the head's port when both pin the same one). */
  beforeLaunch?(plan: AppPlan): Promise<void>;
  /** The launch failed: true to start it once more (the base, once the head app freed the port). */
  retryLaunch?(err: unknown, appLog: string): Promise<boolean>;
}

export interface PreparedSide {
  repoConfig: RepoConfig;
  settings: SimulationSettings;
  plan: AppPlan;
  app: RunningApp;
  appLog: string;
  installLog?: string;
  /** A full-stack app's other services (database, API), running until the side's teardown. */
  services?: RunningServices;
}

export async function prepareSide(input: SideInput): Promise<PreparedSide> {
  const { signal } = input;
  input.enter('detect', 'looking for the app');
  const { settings, repoConfig, sources, detectedNote } = input.resolved ?? (await sideSettings(input));
  if (sources.length) input.progress(`settings from ${sources.join(', ')}`);
  const plan = await detectApp(input.worktree, input.changedFiles, settings);
  if (detectedNote) plan.notes.push(detectedNote);
  input.progress(
    `${plan.kind === 'static' ? 'static site' : `${plan.packageManager ?? 'node'} app`} in ${plan.relDir || 'the repository root'}: ${plan.dirReason}`,
  );
  // Both sides get the same .env, so the base stays a fair reference.
  const envNote = plan.kind === 'node' ? await copyEnvTemplate(plan.dir, settings.envTemplate) : undefined;
  if (envNote) {
    plan.notes.push(envNote);
    input.progress(envNote.title);
  }
  input.onDetected?.(plan);
  throwIfCancelled(signal);

  const childEnv = { home: input.home, jobId: input.jobId, extra: settings.env, sandbox: input.sandbox };
  let installLog: string | undefined;
  if (plan.installCommand) {
    input.enter('install', `installing dependencies: ${plan.installCommand}`);
    installLog = path.join(input.logDir, 'install.log');
    await installDependencies(plan, {
      ...childEnv,
      logFile: installLog,
      signal,
      timeoutMs: settings.installTimeoutMs,
    });
  }

  // The app service's own `${port}` is its PORT, which the shell expands (its port is chosen at launch).
  if (settings.appService && plan.startCommand)
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's placeholder, not JS
    plan.startCommand = plan.startCommand.replaceAll('${port}', '$PORT');
  let services: RunningServices | undefined;
  if (settings.services.length > 0) {
    input.enter('launch', `starting ${settings.services.map((s) => s.name).join(', ')}`);
    services = await startServices(settings.services, {
      jobId: input.jobId,
      worktree: input.worktree,
      homeRoot: `${input.home}-services`,
      logDir: input.logDir,
      sandbox: input.sandbox,
      signal,
      readyTimeoutMs: settings.readyTimeoutMs,
      installTimeoutMs: settings.installTimeoutMs,
      progress: input.progress,
    });
    // Registered before the app: torn down after it (reverse order).
    input.teardown.add('stop the services', () => services!.stop());
    plan.notes.push(services.note);
    if (plan.startCommand) plan.startCommand = services.substitute(plan.startCommand);
  }

  await input.beforeLaunch?.(plan);
  input.enter('launch', plan.startCommand ? `starting: ${plan.startCommand}` : 'serving the static site');
  const appLog = path.join(input.logDir, 'app.log');
  const launch = () =>
    launchApp(plan, {
      ...childEnv,
      ...(services
        ? {
            extra: services.substituteEnv(settings.env),
            sandbox: withLocalPorts(input.sandbox, services.ports),
          }
        : {}),
      logFile: appLog,
      signal,
      readyTimeoutMs: settings.readyTimeoutMs,
    });
  let app: RunningApp;
  try {
    app = await launch();
  } catch (err) {
    const log = await readFile(appLog, 'utf8').catch(() => '');
    if (!(await input.retryLaunch?.(err, log))) throw err;
    input.progress(plan.startCommand ? `starting again: ${plan.startCommand}` : 'serving the static site');
    app = await launch();
  }
  input.teardown.add('stop the app', () => app.stop());
  input.progress(`app answers at ${app.url}`);
  if (app.note) plan.notes.push(app.note);
  throwIfCancelled(signal);
  return {
    repoConfig,
    settings,
    plan,
    app,
    appLog,
    ...(installLog ? { installLog } : {}),
    ...(services ? { services } : {}),
  };
}

/**
 * The services' logs as the crawl's findings quote them (a 5xx the app passed on from its API), and
 * why the run cannot be judged when one of them stopped during the crawl.
 */
export async function serviceLogsOf(side: PreparedSide): Promise<Array<{ text: string; file: string }>> {
  return Promise.all(
    (side.services?.logs ?? []).map(async (log) => ({
      text: await readFile(log.file, 'utf8').catch(() => ''),
      file: `services/${log.name}.log`,
    })),
  );
}

export function stoppedServiceReason(side: PreparedSide): string | undefined {
  const stopped = side.services?.stopped()[0];
  if (!stopped) return undefined;
  return `the service "${stopped.name}" ${stopped.how} during the run (see services/${stopped.name}.log):\n${readLogTail(stopped.logFile, 15)}`;
}

/** Without a config: a docker-compose.yml run without Docker, else a Python web app found in the checkout. */
/** A side's settings from every layer (the branch's file, the user config, --config, the flags). */
export function sideSettings(input: {
  worktree: string;
  repo: string;
  configDir: string;
  overrides: SettingOverrides;
}): Promise<JobSettings> {
  return settingsForJob({
    worktree: input.worktree,
    repo: input.repo,
    configDir: input.configDir,
    overrides: input.overrides,
    detectServices: detectedServices,
  });
}

function detectedServices(worktree: string): DetectedServices | undefined {
  const compose = composeServices(worktree);
  if (compose)
    return { services: compose.services, source: `${compose.file} (run without Docker)`, note: compose.note };
  const python = pythonServices(worktree);
  if (python) return { ...python, source: 'a Python web app found in the repository' };
  const node = nodeBackendServices(worktree);
  return node && { ...node, source: 'a Node backend found beside the frontend' };
}

export function appInfo(plan: AppPlan, url: string): AppInfo {
  return {
    dir: plan.relDir,
    kind: plan.kind,
    ...(plan.packageManager ? { packageManager: plan.packageManager } : {}),
    ...(plan.installCommand ? { installCommand: plan.installCommand } : {}),
    ...(plan.startCommand ? { startCommand: plan.startCommand } : {}),
    url,
    dirReason: plan.dirReason,
  };
}
