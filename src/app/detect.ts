// Decide what to run for a checkout: which folder holds the app, how to install it, how to start it.
//
// Folder: `appDir` from settings wins; else the repo root when it has a runnable app; else (monorepos)
// the app folder most of the PR's changed files live in (the others are named in the report). A
// `start` command without `appDir` runs in that same detected folder, or at the root when no folder
// has an app (monorepo root commands such as `turbo dev`); `--app-dir .` forces the root. A folder is runnable when its package.json has
// a dev/start/preview/serve script (a "node" app), or when it is a static site: `index.html` or
// `public/index.html` without such a script. `dist/index.html` deliberately does not count: it is build
// output, and serving it would test whatever was last built instead of the PR's sources.

import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { defaultSettings, type SimulationSettings } from '../config/schema.js';
import { CoworkerError } from '../errors.js';
import { isInside } from '../paths.js';
import { pinnedPort } from './devServerPort.js';
import { parseEntryUrl } from './entryUrl.js';
import { isFile } from './fileKinds.js';
import { readPackageJson, startScriptNames, startScriptOf } from './packageJson.js';
import { choosePackageManager, installCommandFor } from './packageManager.js';
import { pinnedVersion, runnerFor } from './pinnedPackageManager.js';
import { routesFromDiff } from './routes/index.js';
import { startCommandFor } from './startCommand.js';
import type { AppPlan, PlanNote } from './types.js';

type Runnable = { kind: 'node' } | { kind: 'static'; staticRoot: string };

interface Inspection {
  app: Runnable | null;
  /** Why the folder is not runnable, for error messages. */
  problem: string;
}

const noAppHint =
  'Pass --app-dir <folder> (for monorepos) or --start "<command that starts the app>", or add ' +
  '.myfav-coworker.json at the repo root with {"appDir": "...", "start": "..."}.';

export async function detectApp(
  checkoutDir: string,
  changedFiles: string[],
  settings: SimulationSettings,
): Promise<AppPlan> {
  const root = realpathSync(path.resolve(checkoutDir));
  parseEntryUrl(settings.url); // a bad --url should fail now, not after a long install
  const inspect = memoize((dir: string) => inspectDir(root, dir));
  const { dir, dirReason, others } = chooseAppDir(root, changedFiles, settings, inspect);
  const plan = planFor(root, dir, dirReason, settings, inspect(dir));
  if (others?.length) {
    plan.notes.push({
      severity: 'info',
      title: `Changes also touch ${others.map((o) => o.dir).join(', ')}: only ${plan.relDir} was tested`,
      detail:
        `The changed files point at several apps: ${plan.relDir} (most of them), and ${others.map((o) => `${o.dir} (${o.files})`).join(', ')}. ` +
        `Run again with --app-dir ${others[0]?.dir} to test another.`,
    });
  }
  plan.diffRoutes = routesFromDiff(dir, plan.relDir, changedFiles);
  return plan;
}

/**
 * How a Node program in `dir` is installed and started, decided as for an app (package manager,
 * lockfile, start script): for a backend beside the app, started as a service. Undefined when the
 * folder has no start script, or installs from a workspace root above it (a monorepo: the root's app
 * detection covers it).
 */
export function nodeProgramIn(
  root: string,
  dir: string,
): { install: string | null; start: string; notes: PlanNote[]; packageManager?: string } | undefined {
  if (!leadsInside(root, dir)) return undefined;
  const read = readPackageJson(dir, root);
  if (read.kind !== 'ok' || !startScriptOf(read.pkg)) return undefined;
  const plan = planFor(root, dir, 'a backend folder', defaultSettings, {
    app: { kind: 'node' },
    problem: '',
  });
  if (!plan.startCommand || plan.installDir) return undefined;
  return {
    install: plan.installCommand,
    start: plan.startCommand,
    notes: plan.notes,
    ...(plan.packageManager ? { packageManager: plan.packageManager } : {}),
  };
}

function chooseAppDir(
  root: string,
  changedFiles: string[],
  settings: SimulationSettings,
  inspect: (dir: string) => Inspection,
): { dir: string; dirReason: string; others?: Array<{ dir: string; files: number }> } {
  if (settings.appDir !== undefined) {
    const dir = resolveAppDir(root, settings.appDir);
    if (settings.start === undefined && !inspect(dir).app) {
      throw new CoworkerError(
        'NO_APP',
        `No runnable app in "${settings.appDir}": ${inspect(dir).problem}.`,
        noAppHint,
      );
    }
    return {
      dir,
      dirReason: settings.appDirReason ?? 'set by --app-dir or "appDir" in .myfav-coworker.json',
    };
  }
  const rootInspection = inspect(root);
  if (rootInspection.app) return { dir: root, dirReason: 'the repository root has a runnable app' };

  const inferred = inferFromChangedFiles(root, changedFiles, inspect);
  if (inferred) return inferred;
  // A start command with no app folder found runs at the root: monorepo root commands
  // (`pnpm --filter web dev`, `turbo dev`) are the usual reason to pass one.
  if (settings.start !== undefined)
    return { dir: root, dirReason: 'no app folder found, so the start command runs at the repository root' };
  throw new CoworkerError(
    'NO_APP',
    `No runnable app found: the repo root has ${rootInspection.problem}, and none of the ${changedFiles.length} ` +
      'changed file(s) is inside a folder that has one.',
    noAppHint,
  );
}

function resolveAppDir(root: string, appDir: string): string {
  const dir = path.resolve(root, appDir);
  const outside = () =>
    new CoworkerError(
      'INVALID_INPUT',
      `The app folder "${appDir}" is outside the repository.`,
      'Give --app-dir (or "appDir" in .myfav-coworker.json) as a folder inside the repo, e.g. apps/web.',
    );
  if (!isInside(root, dir)) throw outside();
  let real: string;
  try {
    real = realpathSync(dir);
    if (!statSync(real).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new CoworkerError(
      'NO_APP',
      `The app folder "${appDir}" does not exist in the checkout.`,
      'Check the folder name given with --app-dir or as "appDir" in .myfav-coworker.json (it is relative to the repo root).',
    );
  }
  // A symlink in the branch must not lead us to run commands in a folder outside the checkout.
  if (!isInside(root, real)) throw outside();
  return real;
}

/** Vote: each changed file points at its nearest runnable ancestor folder; the most-pointed-at wins. */
function inferFromChangedFiles(
  root: string,
  changedFiles: string[],
  inspect: (dir: string) => Inspection,
): { dir: string; dirReason: string; others: Array<{ dir: string; files: number }> } | undefined {
  const votes = new Map<string, number>();
  for (const file of changedFiles) {
    const rel = normalizeRepoPath(file);
    if (rel === undefined) continue;
    const appRel = nearestAppFolder(root, rel, inspect);
    if (appRel !== undefined) votes.set(appRel, (votes.get(appRel) ?? 0) + 1);
  }
  const ranked = [...votes.entries()].sort(
    ([a, na], [b, nb]) => nb - na || a.split('/').length - b.split('/').length || a.localeCompare(b),
  );
  const [best, ...others] = ranked;
  if (!best) return undefined;
  const also = others.length ? `; also ${others.map(([d, n]) => `${d} (${n})`).join(', ')}` : '';
  return {
    dir: path.join(root, best[0]),
    dirReason: `${best[1]} of ${changedFiles.length} changed files are in ${best[0]} (the repo root has no runnable app${also})`,
    others: others.map(([d, n]) => ({ dir: d, files: n })),
  };
}

/** Nearest ancestor (below the root) with a node app; failing that, the nearest static site. */
function nearestAppFolder(
  root: string,
  relFile: string,
  inspect: (dir: string) => Inspection,
): string | undefined {
  let staticFolder: string | undefined;
  for (let rel = path.posix.dirname(relFile); rel !== '.' && rel !== ''; rel = path.posix.dirname(rel)) {
    if (rel.split('/').some((seg) => seg === 'node_modules')) continue;
    const app = inspect(path.join(root, rel)).app;
    if (app?.kind === 'node') return rel;
    if (app?.kind === 'static' && staticFolder === undefined) staticFolder = rel;
  }
  return staticFolder;
}

function inspectDir(root: string, dir: string): Inspection {
  // A symlink in the branch must not lead us to run or serve a folder outside the checkout (as with
  // appDir): a folder the changed files point at, or `public/`, may be one.
  if (!leadsInside(root, dir)) return { app: null, problem: 'a link to a folder outside the repository' };
  const read = readPackageJson(dir, root);
  if (read.kind === 'ok' && startScriptOf(read.pkg)) return { app: { kind: 'node' }, problem: '' };
  for (const candidate of [dir, path.join(dir, 'public')]) {
    if (leadsInside(root, candidate) && isFile(path.join(candidate, 'index.html')))
      return { app: { kind: 'static', staticRoot: candidate }, problem: '' };
  }
  const scripts = startScriptNames.join(', ');
  if (read.kind === 'invalid')
    return { app: null, problem: `an invalid package.json (${read.error}) and no index.html` };
  if (read.kind === 'ok')
    return { app: null, problem: `a package.json without a ${scripts} script and no index.html` };
  return { app: null, problem: 'no package.json and no index.html' };
}

function planFor(
  root: string,
  dir: string,
  dirReason: string,
  settings: SimulationSettings,
  inspection: Inspection,
): AppPlan {
  const relDir = path.relative(root, dir).split(path.sep).join('/');
  const read = readPackageJson(dir, root);
  const needsPackageJson = settings.start === undefined || settings.install === undefined;
  if (read.kind === 'invalid' && needsPackageJson) {
    throw new CoworkerError(
      'NO_APP',
      `${relDir ? `${relDir}/` : ''}package.json is not valid JSON: ${read.error}`,
      'Fix package.json in the branch, or pass both --start and --install so it is not needed.',
    );
  }
  const pkg = read.kind === 'ok' ? read.pkg : undefined;
  const choice = pkg ? choosePackageManager(dir, root, pkg) : undefined;
  const script = pkg ? startScriptOf(pkg) : undefined;
  const notes: PlanNote[] = [];
  // Only worth a `--version` call when we run the package manager ourselves.
  const runsPackageManager = settings.start === undefined || settings.install === undefined;
  const runner =
    choice && runsPackageManager
      ? runnerFor(
          choice.packageManager,
          pinnedVersion(pkg, choice.packageManager) ??
            pinnedVersion(
              choice.installDir !== dir ? readPkg(choice.installDir, root) : undefined,
              choice.packageManager,
            ),
          {
            installDir: choice.installDir,
            checkoutDir: root,
            ...(choice.lockfile ? { lockfile: choice.lockfile } : {}),
          },
        )
      : undefined;

  const startCommand =
    settings.start ??
    (choice && script && runner
      ? startCommandFor({ pm: choice.packageManager, command: runner.command }, script)
      : null);
  const isStatic = startCommand === null && inspection.app?.kind === 'static';

  let installCommand: string | null = null;
  let installDir: string | undefined;
  if (typeof settings.install === 'string') {
    installCommand = settings.install;
  } else if (settings.install === undefined && pkg && choice && !isStatic) {
    // A static site is served as-is by our server: nothing of its dependencies would run.
    installCommand = installCommandFor(choice, dir, pkg, runner?.command, root);
    if (installCommand && choice.installDir !== dir) installDir = choice.installDir;
    if (installCommand && runner) {
      notes.push({
        severity: 'info',
        title: `Package manager: ${runner.description}`,
        detail: `Installed with "${installCommand}" (chosen from ${choice.why}).`,
      });
    }
    if (installCommand && choice.lockfile === undefined) {
      notes.push({
        severity: 'warning',
        title: 'No lockfile: dependency versions are not reproducible',
        detail:
          `${relDir || 'The app'} has no lockfile, so "${installCommand}" resolved the newest versions its package.json allows; ` +
          'another run (or the base commit) may get different ones. Commit a lockfile to test exactly what users get.',
      });
    }
  }

  const plan: AppPlan = {
    dir,
    relDir,
    dirReason,
    kind: isStatic ? 'static' : 'node',
    installCommand,
    startCommand,
    notes,
  };
  if (choice && !isStatic) plan.packageManager = choice.packageManager;
  if (choice?.packageManager === 'yarn' && !choice.yarnBerry && installCommand) plan.yarnClassic = true;
  if (installDir) plan.installDir = installDir;
  if (isStatic && inspection.app?.kind === 'static') plan.staticRoot = inspection.app.staticRoot;
  if (settings.url !== undefined) plan.url = settings.url;
  const fixedPort = startCommand
    ? (pinnedPort(startCommand) ??
      (settings.start === undefined && script ? pinnedPort(script.body) : undefined))
    : undefined;
  if (fixedPort !== undefined) plan.fixedPort = fixedPort;
  return plan;
}

function readPkg(dir: string, root: string) {
  const read = readPackageJson(dir, root);
  return read.kind === 'ok' ? read.pkg : undefined;
}

/** Repo-relative POSIX path, or undefined for paths that leave the repo. */
function normalizeRepoPath(file: string): string | undefined {
  const rel = path.posix.normalize(file.replaceAll('\\', '/')).replace(/^\.\//, '');
  if (rel === '..' || rel.startsWith('../') || rel.startsWith('/')) return undefined;
  return rel;
}

/** Whether `dir` (following symlinks) is inside the checkout; a folder that does not exist is not a way out. */
function leadsInside(root: string, dir: string): boolean {
  try {
    return isInside(root, realpathSync(dir));
  } catch {
    return true;
  }
}

function memoize<T>(fn: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    if (!cache.has(key)) cache.set(key, fn(key));
    return cache.get(key) as T;
  };
}
