// Everything that decides one simulation's settings, gathered when the job runs: the branch's own
// `.myfav-coworker.json`, the user config's entry for the repository, a `--config` file, an
// `--env-file` (secrets: registered for masking, never stored), and the flags.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { registerSecret } from '../redact.js';
import { readDotenvFile } from './dotenvFile.js';
import { loadConfigFile, loadRepoConfig, mergeConfigs, repoConfigFileName, resolveSettings } from './load.js';
import type { RepoConfig, ServiceConfig, SettingOverrides, SimulationSettings } from './schema.js';
import { loadUserConfig } from './userConfig.js';

export interface JobSettings {
  settings: SimulationSettings;
  /** The branch's own file (its instructions are hints from the branch, not the user's words). */
  repoConfig: RepoConfig;
  /** Which layers were used, for the report ("user config repos[acme/web]", "--config /x.json"). */
  sources: string[];
  /** How a docker-compose.yml or a found Python app became services, when one was used (for the report). */
  detectedNote?: DetectedServices['note'];
  /** Which layer turned the base comparison off, when one did ("--no-compare-base", "--config /x.json"). */
  compareBaseOffBy?: string;
}

/**
 * Services found in the checkout when nothing describes the app (a docker-compose.yml, a Python web
 * app): given by the caller (the app layer finds them), so settings stay below the app layer.
 */
export interface DetectedServices {
  services: Record<string, ServiceConfig>;
  /** For the progress line "settings from …". */
  source: string;
  note: { severity: 'info' | 'warning'; title: string; detail: string };
}

export async function settingsForJob(opts: {
  worktree: string;
  /** The target's repository: HOST/OWNER/REPO for a PR, the local path for a local repository. */
  repo: string;
  configDir: string;
  overrides: SettingOverrides;
  /** Asked only when no layer describes the app and the repository root has none of its own. */
  detectServices?: (worktree: string) => DetectedServices | undefined;
}): Promise<JobSettings> {
  const repoConfig = await loadRepoConfig(opts.worktree);
  const sources: string[] = [];
  const branchName = `${repoConfigFileName} in the branch`;
  if (Object.keys(repoConfig).length) sources.push(branchName);
  const userRepos = (await loadUserConfig(opts.configDir)).repos ?? {};
  const key = matchRepoKey(Object.keys(userRepos), opts.repo);
  const user = key !== undefined ? userRepos[key] : undefined;
  const userName = `repos["${key}"] in the user config`;
  if (key !== undefined) sources.push(userName);
  const file = opts.overrides.configFile ? await loadConfigFile(opts.overrides.configFile) : undefined;
  const fileName = `--config ${opts.overrides.configFile}`;
  if (opts.overrides.configFile) sources.push(fileName);

  const merged = mergeConfigs({ repo: repoConfig, ...(user ? { user } : {}), ...(file ? { file } : {}) });
  // No app described anywhere and none at the root: a compose file may say what the app is made of,
  // or a Python web app (at the root, or a backend beside a frontend) may be found.
  let detected: DetectedServices | undefined;
  const described = [
    merged.services,
    merged.start,
    merged.appDir,
    opts.overrides.start,
    opts.overrides.appDir,
  ];
  if (described.every((v) => v === undefined) && !hasRootApp(opts.worktree)) {
    detected = opts.detectServices?.(opts.worktree);
    if (detected) {
      merged.services = detected.services;
      sources.push(detected.source);
    }
  }
  const settings = resolveSettings(merged, opts.overrides);
  // The last layer that says wins (flags over --config over the user config over the branch).
  const compareBaseOffBy = settings.compareBase
    ? undefined
    : (
        [
          ['--no-compare-base', opts.overrides.compareBase],
          [`"compareBase": false in ${fileName}`, file?.compareBase],
          [`"compareBase": false in ${userName}`, user?.compareBase],
          [`"compareBase": false in ${branchName}`, repoConfig.compareBase],
        ] as const
      ).find(([, value]) => value !== undefined)?.[0];
  if (opts.overrides.envFile) {
    const secrets = await readDotenvFile(opts.overrides.envFile, '--env-file');
    for (const value of Object.values(secrets)) registerSecret(value);
    // --env (the flags) still wins over the file; the file wins over the configs.
    settings.env = { ...merged.env, ...secrets, ...(opts.overrides.env ?? {}) };
    sources.push(`--env-file (${Object.keys(secrets).length} variable(s), masked)`);
  }
  return {
    settings,
    repoConfig,
    sources,
    ...(detected ? { detectedNote: detected.note } : {}),
    ...(compareBaseOffBy ? { compareBaseOffBy } : {}),
  };
}

/**
 * "owner/name" matches a PR's HOST/OWNER/NAME and a local clone whose origin is that repository;
 * an absolute path matches that local repository.
 */
export function matchRepoKey(keys: string[], repo: string): string | undefined {
  const lower = repo.toLowerCase();
  const origin = path.isAbsolute(repo) ? originSlug(repo) : undefined;
  return keys.find((key) => {
    const k = key.toLowerCase().replace(/\/+$/, '');
    if (path.isAbsolute(key)) return path.resolve(key) === path.resolve(repo);
    return lower === k || lower.endsWith(`/${k}`) || origin === k;
  });
}

/** OWNER/NAME of a local clone's `origin` remote, read from its git config (no git process needed). */
function originSlug(repoPath: string): string | undefined {
  let config: string;
  try {
    config = readFileSync(path.join(repoPath, '.git', 'config'), 'utf8');
  } catch {
    return undefined;
  }
  const section = /\[remote "origin"\]([^[]*)/.exec(config)?.[1] ?? '';
  const url = /^\s*url\s*=\s*(\S+)/m.exec(section)?.[1];
  const slug = url && /[:/]([^/:]+\/[^/]+?)(?:\.git)?\/?$/.exec(url)?.[1];
  return slug ? slug.toLowerCase() : undefined;
}

/** A package.json or index.html at the root: a single app there, which a compose file must not replace. */
function hasRootApp(worktree: string): boolean {
  return ['package.json', 'index.html'].some((name) => existsSync(path.join(worktree, name)));
}
