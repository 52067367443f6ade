// Which package manager a project uses and the install command that reproduces its lockfile exactly.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { isInside } from '../paths.js';
import { readRepoFile } from '../repoFile.js';
import { declaresDependencies, type PackageJson, readPackageJson } from './packageJson.js';
import type { PackageManager } from './types.js';

const lockfiles: ReadonlyArray<[file: string, pm: PackageManager]> = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
];
// When a folder has several lockfiles and no "packageManager" field decides, the list order above wins:
// a stray package-lock.json next to another manager's lockfile is the usual accident (someone ran `npm i`).

export interface PackageManagerChoice {
  packageManager: PackageManager;
  /** Absolute path of the lockfile used, if any. */
  lockfile?: string;
  /** Where the install runs: the app dir, or the workspace root holding the lockfile. */
  installDir: string;
  /** Yarn 2+ ("berry"), whose frozen-install flag is --immutable. */
  yarnBerry: boolean;
  why: string;
}

/**
 * Find the lockfile for the app in `appDir`: its own, else the nearest one up to `checkoutDir` that belongs
 * to a workspace root (a lockfile of an unrelated root project would not install the app's dependencies).
 */
export function choosePackageManager(
  appDir: string,
  checkoutDir: string,
  pkg: PackageJson | undefined,
): PackageManagerChoice {
  let lockDir: string | undefined;
  for (let dir = appDir; ; dir = path.dirname(dir)) {
    if (lockfilesIn(dir).length > 0 && (dir === appDir || isWorkspaceRoot(dir, checkoutDir))) {
      lockDir = dir;
      break;
    }
    if (dir === checkoutDir || path.dirname(dir) === dir || !isInside(checkoutDir, dir)) break;
  }

  const fieldPm =
    packageManagerField(pkg) ?? (lockDir ? packageManagerField(pkgAt(lockDir, checkoutDir)) : undefined);
  if (lockDir) {
    const found = lockfilesIn(lockDir);
    const pick = found.find(([, pm]) => pm === fieldPm) ?? found[0]!;
    const [file, pm] = pick;
    const rel = path.relative(checkoutDir, path.join(lockDir, file)) || file;
    const why =
      found.length > 1
        ? `${rel} (several lockfiles; ${fieldPm ? '"packageManager" field' : 'precedence'} decided)`
        : rel;
    return {
      packageManager: pm,
      lockfile: path.join(lockDir, file),
      installDir: lockDir,
      yarnBerry: pm === 'yarn' && isYarnBerry(lockDir, checkoutDir, pkg),
      why,
    };
  }
  const pm = fieldPm ?? 'npm';
  return {
    packageManager: pm,
    installDir: appDir,
    yarnBerry: pm === 'yarn' && isYarnBerry(appDir, checkoutDir, pkg),
    why: fieldPm ? '"packageManager" field (no lockfile)' : 'no lockfile: npm by default',
  };
}

/** The install command for a choice; null when there is nothing to install (keeps tiny apps fast). */
export function installCommandFor(
  choice: PackageManagerChoice,
  appDir: string,
  pkg: PackageJson,
  /** What starts the package manager (a pinned version through npx); default its name. */
  runner: string = choice.packageManager,
  /** The checkout: files read to decide must not lead out of it (repoFile.ts). */
  checkoutDir: string = appDir,
): string | null {
  if (
    choice.installDir === appDir &&
    !declaresDependencies(pkg) &&
    !lockfileHasEntries(choice.lockfile, checkoutDir)
  )
    return null;
  const locked = choice.lockfile !== undefined;
  switch (choice.packageManager) {
    case 'npm':
      return locked ? `${runner} ci` : `${runner} install`;
    case 'pnpm':
      return locked ? `${runner} install --frozen-lockfile` : `${runner} install`;
    case 'yarn':
      if (!locked) return `${runner} install`;
      return choice.yarnBerry ? `${runner} install --immutable` : `${runner} install --frozen-lockfile`;
    case 'bun':
      return locked ? `${runner} install --frozen-lockfile` : `${runner} install`;
  }
}

function lockfilesIn(dir: string): Array<[string, PackageManager]> {
  return lockfiles.filter(([file]) => existsSync(path.join(dir, file)));
}

function isWorkspaceRoot(dir: string, checkoutDir: string): boolean {
  return (
    existsSync(path.join(dir, 'pnpm-workspace.yaml')) || pkgAt(dir, checkoutDir)?.workspaces !== undefined
  );
}

function pkgAt(dir: string, checkoutDir: string): PackageJson | undefined {
  const read = readPackageJson(dir, checkoutDir);
  return read.kind === 'ok' ? read.pkg : undefined;
}

/** "pnpm@9.1.0" → 'pnpm' (corepack's field). */
function packageManagerField(pkg: PackageJson | undefined): PackageManager | undefined {
  const value = pkg?.packageManager;
  if (typeof value !== 'string') return undefined;
  const name = value.split('@')[0];
  return name === 'npm' || name === 'pnpm' || name === 'yarn' || name === 'bun' ? name : undefined;
}

// Yarn 2+ is configured by .yarnrc.yml (Yarn 1 uses .yarnrc), or pinned as yarn@2+ through corepack.
function isYarnBerry(dir: string, checkoutDir: string, pkg: PackageJson | undefined): boolean {
  if (existsSync(path.join(dir, '.yarnrc.yml')) || existsSync(path.join(checkoutDir, '.yarnrc.yml')))
    return true;
  const field = typeof pkg?.packageManager === 'string' ? pkg.packageManager : '';
  const major = /^yarn@(\d+)/.exec(field)?.[1];
  return major !== undefined && Number(major) >= 2;
}

// Only npm's lockfile is cheap to read reliably; any other lockfile is assumed to list packages.
function lockfileHasEntries(lockfile: string | undefined, checkoutDir: string): boolean {
  if (lockfile === undefined) return false;
  if (!/(package-lock|npm-shrinkwrap)\.json$/.test(lockfile)) return true;
  // An empty lockfile is a few hundred bytes; one with packages in it may be tens of MB: only the head
  // is read, and a lockfile that does not fit in it has entries.
  const head = readRepoFile(checkoutDir, lockfile, { head: lockfileHeadBytes }) ?? '';
  if (head.length >= lockfileHeadBytes) return true;
  try {
    const lock = JSON.parse(head) as { packages?: object; dependencies?: object };
    const packages = Object.keys(lock.packages ?? {}).filter((k) => k !== '');
    return packages.length > 0 || Object.keys(lock.dependencies ?? {}).length > 0;
  } catch {
    return true; // unreadable: let `npm ci` report it
  }
}

const lockfileHeadBytes = 256 * 1024;
