import path from 'node:path';
import envPaths from 'env-paths';

export interface AppPaths {
  /** SQLite history and per-job artifacts. */
  data: string;
  /** Cached clones and job worktrees: safe to delete. */
  cache: string;
  /** User settings and the token fallback file. */
  config: string;
}

/**
 * Where myfav-coworker keeps its files. `MYFAV_COWORKER_HOME` moves all of them under one folder
 * (tests, CI, and users who want everything in one place).
 */
export function resolvePaths(env: NodeJS.ProcessEnv = process.env): AppPaths {
  const home = env.MYFAV_COWORKER_HOME;
  if (home) {
    const root = path.resolve(home);
    return {
      data: path.join(root, 'data'),
      cache: path.join(root, 'cache'),
      config: path.join(root, 'config'),
    };
  }
  const p = envPaths('myfav-coworker', { suffix: '' });
  return { data: p.data, cache: p.cache, config: p.config };
}

/** The user's own settings file (config/userConfig.ts reads it). */
export const userConfigPath = (configDir: string): string => path.join(configDir, 'config.json');

export const jobsDbPath = (paths: AppPaths): string => path.join(paths.data, 'jobs.sqlite');
export const artifactsDir = (paths: AppPaths, jobId: string): string => path.join(paths.data, 'jobs', jobId);
export const reposCacheDir = (paths: AppPaths): string => path.join(paths.cache, 'repos');
export const worktreesDir = (paths: AppPaths): string => path.join(paths.cache, 'worktrees');
export const jobTempDir = (paths: AppPaths, jobId: string): string => path.join(paths.cache, 'tmp', jobId);
export const baseRunsCacheDir = (paths: AppPaths): string => path.join(paths.cache, 'base-runs');

/** Whether `child` is `parent` or below it (both resolved paths). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
