// Where the user's package managers keep their download caches. The app under test runs with a fresh
// per-job HOME (so it cannot read ~/.npmrc tokens or ~/.gitconfig), which would also hide these caches:
// every job would then re-download every package, and installs would fail offline. So we point the
// child at the real cache directories explicitly. The caches are content-addressed and verified against
// lockfile integrity hashes, so sharing them does not let one job's packages corrupt another's.

import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PackageManager } from './types.js';

type Env = Record<string, string | undefined>;

/** Env entries pointing the given package manager (and npm, which scripts often call) at the user's caches. */
export function packageCacheEnv(
  parentEnv: Env,
  packageManager: PackageManager | undefined,
): Record<string, string> {
  const home = parentEnv.HOME || parentEnv.USERPROFILE || os.homedir();
  const isWin = process.platform === 'win32';
  const isMac = process.platform === 'darwin';
  const localAppData = parentEnv.LOCALAPPDATA || path.join(home, 'AppData', 'Local');
  const xdgCache = parentEnv.XDG_CACHE_HOME || path.join(home, '.cache');
  const xdgData = parentEnv.XDG_DATA_HOME || path.join(home, '.local', 'share');
  const out: Record<string, string> = {};

  // npm: always (npx inside scripts uses it too). An explicit setting in our env wins over the default.
  out.npm_config_cache =
    parentEnv.npm_config_cache ||
    parentEnv.NPM_CONFIG_CACHE ||
    (isWin ? path.join(localAppData, 'npm-cache') : path.join(home, '.npm'));

  // Corepack keeps the pnpm/yarn binaries a project pins via "packageManager"; without it, offline fails.
  const corepack =
    parentEnv.COREPACK_HOME ||
    (isWin ? path.join(localAppData, 'node', 'corepack') : path.join(xdgCache, 'node', 'corepack'));
  if (existsSync(corepack)) out.COREPACK_HOME = corepack;

  // pnpm and yarn only when they run: npm warns about config names it does not know.
  if (packageManager === 'pnpm') {
    const store =
      parentEnv.npm_config_store_dir ||
      (parentEnv.PNPM_HOME ? path.join(parentEnv.PNPM_HOME, 'store') : undefined) ||
      (isWin
        ? path.join(localAppData, 'pnpm', 'store')
        : isMac
          ? path.join(home, 'Library', 'pnpm', 'store')
          : path.join(xdgData, 'pnpm', 'store'));
    if (existsSync(store)) {
      out.npm_config_store_dir = store; // pnpm ≤ 10
      out.pnpm_config_store_dir = store; // newer pnpm reads pnpm_config_*
    }
  }
  if (packageManager === 'yarn') {
    // Yarn 1 cache; Yarn 2+ keeps its global cache under the global folder.
    const classic =
      parentEnv.YARN_CACHE_FOLDER ||
      (isWin
        ? path.join(localAppData, 'Yarn', 'Cache')
        : isMac
          ? path.join(home, 'Library', 'Caches', 'Yarn')
          : path.join(xdgCache, 'yarn'));
    if (existsSync(classic)) out.YARN_CACHE_FOLDER = classic;
    const berry = parentEnv.YARN_GLOBAL_FOLDER || path.join(home, '.yarn', 'berry');
    if (existsSync(berry)) out.YARN_GLOBAL_FOLDER = berry;
  }
  return out;
}

/**
 * Env entries pointing every package manager at our own caches under `dir` (sandboxed runs). Shared by
 * jobs, so repeated installs stay fast; content-addressed and checked against lockfile hashes.
 */
export function ownPackageCacheEnv(
  dir: string,
  packageManager: PackageManager | undefined,
): Record<string, string> {
  const out: Record<string, string> = {
    npm_config_cache: path.join(dir, 'npm'),
    COREPACK_HOME: path.join(dir, 'corepack'),
    YARN_CACHE_FOLDER: path.join(dir, 'yarn'),
    YARN_GLOBAL_FOLDER: path.join(dir, 'yarn-berry'),
    BUN_INSTALL_CACHE_DIR: path.join(dir, 'bun'),
  };
  if (packageManager === 'pnpm') {
    out.npm_config_store_dir = path.join(dir, 'pnpm-store'); // pnpm ≤ 10
    out.pnpm_config_store_dir = path.join(dir, 'pnpm-store');
  }
  return out;
}
