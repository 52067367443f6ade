// Honour the `packageManager` field ("pnpm@8.15.4+sha512…", corepack's format). A lockfile is only
// read correctly by the major version that wrote it (pnpm 9 refuses lockfile v6, yarn 1 cannot read a
// berry lockfile), so when the pinned major is not the one on PATH, the pinned version runs through
// `npx` — which uses the npm registry and cache the user already has. What ran is said in the report.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readRepoFile } from '../repoFile.js';
import type { PackageJson } from './packageJson.js';
import type { PackageManager } from './types.js';

export interface PackageManagerRunner {
  /** What starts it: "pnpm", "npx --yes pnpm@8.15.4", "node .yarn/releases/yarn-4.1.0.cjs". */
  command: string;
  /** For the report: "pnpm 8.15.4 through npx (package.json pins pnpm@8.15.4; pnpm on PATH is 10.2.0)". */
  description: string;
}

export function pinnedVersion(pkg: PackageJson | undefined, pm: PackageManager): string | undefined {
  const value = typeof pkg?.packageManager === 'string' ? pkg.packageManager : '';
  const m = /^(npm|pnpm|yarn|bun)@(\d+\.\d+\.\d+[^+\s]*)/.exec(value);
  return m && m[1] === pm ? m[2] : undefined;
}

export function runnerFor(
  pm: PackageManager,
  pinned: string | undefined,
  opts: {
    installDir: string;
    checkoutDir: string;
    /** The lockfile, to choose a version when the package manager is neither pinned nor installed. */
    lockfile?: string;
    installed?: (pm: PackageManager) => string | undefined;
  },
): PackageManagerRunner {
  const installed = (opts.installed ?? installedVersion)(pm);
  const onPath = installed ? `${pm} ${installed}` : `${pm} (version unknown: not found on PATH)`;
  if (pm === 'yarn') {
    // Yarn 2+ committed to the repository (`yarnPath`): any yarn, or node itself, runs that one.
    const yarnPath = committedYarnPath(opts.installDir, opts.checkoutDir);
    if (yarnPath && !installed)
      return {
        command: `node ${yarnPath}`,
        description: `yarn from ${yarnPath} (the repository's yarnPath)`,
      };
    if (yarnPath)
      return { command: 'yarn', description: `${onPath}, which runs the repository's ${yarnPath}` };
  }
  if (!pinned && (installed || pm === 'npm'))
    return { command: pm, description: installed ? `${onPath} on PATH` : onPath };
  if (!pinned) {
    // Neither pinned nor installed (no `corepack enable` here): the major its lockfile format needs.
    const version = versionForLockfile(pm, opts.lockfile, opts.checkoutDir);
    return {
      command: `npx --yes ${npxSpec(pm, version)}`,
      description: `${pm}@${version} through npx (no ${pm} on PATH and no "packageManager" pin; the version reads the lockfile's format)`,
    };
  }
  const wanted = `package.json pins ${pm}@${pinned}`;
  // npm reads every lockfile version since npm 7: the npm that comes with Node is right.
  if (pm === 'npm') return { command: pm, description: `${onPath} on PATH (${wanted})` };
  if (installed && major(installed) === major(pinned)) {
    return {
      command: pm,
      description: `${pm} ${installed} on PATH (${wanted}: same major version)`,
    };
  }
  return {
    command: `npx --yes ${npxSpec(pm, pinned)}`,
    description: `${pm} ${pinned} through npx (${wanted}; ${installed ? `${pm} on PATH is ${installed}` : `no ${pm} on PATH`})`,
  };
}

const versions = new Map<PackageManager, string | undefined>();

/** `<pm> --version`, once per process; undefined when it is not installed. */
export function installedVersion(pm: PackageManager): string | undefined {
  if (!versions.has(pm)) {
    let version: string | undefined;
    try {
      const out = execFileSync(pm, ['--version'], {
        encoding: 'utf8',
        timeout: 10_000,
        stdio: ['ignore', 'pipe', 'ignore'],
        // Outside any project: a packageManager field of the cwd must not make corepack answer for it.
        cwd: path.parse(process.cwd()).root,
        env: { ...process.env, COREPACK_ENABLE_STRICT: '0', COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' },
      });
      version = /\d+\.\d+\.\d+\S*/.exec(out)?.[0];
    } catch {
      version = undefined;
    }
    versions.set(pm, version);
  }
  return versions.get(pm);
}

const major = (version: string) => version.split('.')[0] ?? '';

/** Yarn 2+ is published as @yarnpkg/cli-dist (the `yarn` package is Yarn 1). */
function npxSpec(pm: PackageManager, version: string): string {
  return pm === 'yarn' && Number(major(version)) >= 2
    ? `-p @yarnpkg/cli-dist@${version} yarn`
    : `${pm}@${version}`;
}

function committedYarnPath(installDir: string, checkoutDir: string): string | undefined {
  for (const dir of new Set([installDir, checkoutDir])) {
    const rc = path.join(dir, '.yarnrc.yml');
    if (!existsSync(rc)) continue;
    const value = /^yarnPath:\s*["']?([^"'\s]+)/m.exec(headOf(checkoutDir, rc, 64 * 1024))?.[1];
    if (!value) continue;
    const abs = path.resolve(dir, value);
    if (existsSync(abs) && !path.relative(checkoutDir, abs).startsWith('..'))
      return path.relative(installDir, abs).split(path.sep).join('/');
  }
  return undefined;
}

/** pnpm-lock.yaml's lockfileVersion names the pnpm major that reads it; a Yarn 2+ lockfile has __metadata. */
function versionForLockfile(pm: PackageManager, lockfile: string | undefined, checkoutDir: string): string {
  // Only the head: lockfiles of big projects are tens of MB, and a branch's may be a link to /dev/zero.
  const head = lockfile ? headOf(checkoutDir, lockfile, 4000) : '';
  if (pm === 'pnpm') {
    const v = /lockfileVersion:\s*'?(\d+)/.exec(head)?.[1];
    return v === '5' ? '7' : v === '6' ? '8' : '9';
  }
  if (pm === 'yarn') return /^__metadata:/m.test(head) ? '4' : '1';
  return 'latest';
}

/** The first bytes of a file of the branch; '' when it is missing or not a regular file inside the checkout. */
function headOf(checkoutDir: string, file: string, bytes: number): string {
  try {
    return readRepoFile(checkoutDir, file, { head: bytes }) ?? '';
  } catch {
    return '';
  }
}
