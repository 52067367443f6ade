import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { CoworkerError } from '../errors.js';
import { readRepoFile } from '../repoFile.js';
import {
  defaultSettings,
  type RepoConfig,
  repoConfigSchema,
  type SettingOverrides,
  type SimulationSettings,
} from './schema.js';
import { planServices } from './services.js';

export const repoConfigFileName = '.myfav-coworker.json';

/** Read `.myfav-coworker.json` from a checkout; absent → {}. A bad file names the field and the fix. */
export async function loadRepoConfig(checkoutDir: string): Promise<RepoConfig> {
  const file = path.join(checkoutDir, repoConfigFileName);
  let text: string | undefined;
  try {
    text = readRepoFile(checkoutDir, file);
  } catch (err) {
    // A folder, a link out of the repo, a device, a huge file: part of the branch, so the user's to fix.
    throw new CoworkerError(
      'INVALID_CONFIG',
      `${repoConfigFileName} could not be read: ${(err as Error).message}`,
      `Make ${repoConfigFileName} a readable JSON file (at most a few MB) at the repository root, or remove it.`,
      { cause: err },
    );
  }
  if (text === undefined) return {};
  return parseRepoConfig(text);
}

/** `where` names the file in messages (the repo's own file, a --config file, the user config's entry). */
export function parseRepoConfig(
  text: string,
  where: { name: string; fix: string } = {
    name: repoConfigFileName,
    fix: `Fix the JSON syntax in ${repoConfigFileName} at the repository root.`,
  },
): RepoConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CoworkerError(
      'INVALID_CONFIG',
      `${where.name} is not valid JSON: ${(err as Error).message}`,
      where.fix,
    );
  }
  return validateRepoConfig(raw, where.name);
}

export function validateRepoConfig(raw: unknown, name: string): RepoConfig {
  const parsed = repoConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CoworkerError(
      'INVALID_CONFIG',
      `${name} is invalid: ${describeIssues(parsed.error)}`,
      `Fix or remove that field. Valid fields: ${Object.keys(repoConfigSchema.shape).join(', ')}.`,
    );
  }
  return parsed.data;
}

/** A `.myfav-coworker.json` given with --config (outside the repository: for a PR you cannot change). */
export async function loadConfigFile(file: string): Promise<RepoConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CoworkerError(
      'INVALID_INPUT',
      `The config file ${file} (--config) could not be read: ${(err as Error).message}`,
      'Give --config the path of a JSON file with the fields of .myfav-coworker.json.',
      { cause: err },
    );
  }
  return parseRepoConfig(text, { name: `${file} (--config)`, fix: `Fix the JSON syntax in ${file}.` });
}

/**
 * The layers of one simulation's settings, lowest first: the repository's own file (part of the
 * branch), the user config's entry for this repository, a --config file, then flags. The user's own
 * choices win over the branch's, and what was asked for now wins over both.
 */
export interface ConfigLayers {
  repo: RepoConfig;
  user?: RepoConfig;
  file?: RepoConfig;
}

export function mergeConfigs(layers: ConfigLayers): RepoConfig {
  const merged: RepoConfig = {};
  for (const layer of [layers.repo, layers.user, layers.file]) {
    if (!layer) continue;
    const { env, routes, allowedOrigins, ignore, instructions, ...rest } = layer;
    Object.assign(merged, rest);
    // Lists and maps add up; instructions join.
    if (env) merged.env = { ...(merged.env ?? {}), ...env };
    if (routes) merged.routes = [...new Set([...(merged.routes ?? []), ...routes])];
    if (allowedOrigins)
      merged.allowedOrigins = [...new Set([...(merged.allowedOrigins ?? []), ...allowedOrigins])];
    if (ignore) merged.ignore = [...(merged.ignore ?? []), ...ignore];
    if (instructions) merged.instructions = [merged.instructions, instructions].filter(Boolean).join('\n\n');
  }
  return merged;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const field = issue.path.length ? issue.path.join('.') : '(top level)';
      if (issue.code === 'unrecognized_keys')
        return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      return `field "${field}": ${issue.message}`;
    })
    .join('; ');
}

/** defaults < repo config < flags. */
export function resolveSettings(file: RepoConfig, flags: SettingOverrides): SimulationSettings {
  const pick = <T>(flag: T | undefined, fromFile: T | undefined, fallback: T): T =>
    flag !== undefined ? flag : fromFile !== undefined ? fromFile : fallback;
  const services = file.services ? planServices(file.services, 'the config') : undefined;
  // A full-stack app: the app service's folder, commands and env are the app's (flags still win).
  const app = services?.app.config;
  const appDirReason =
    flags.appDir !== undefined
      ? 'set by --app-dir'
      : file.appDir !== undefined
        ? 'set by "appDir" in the config'
        : services
          ? `the folder of the app service "${services.app.name}"`
          : undefined;
  if (app) {
    file = {
      ...file,
      appDir: file.appDir ?? app.cwd ?? '.',
      ...(app.start ? { start: app.start } : {}),
      // A detected app (no start given) gets its detected install; a given start installs nothing unasked.
      ...(app.install || app.start ? { install: app.install ?? false } : {}),
      env: { ...(file.env ?? {}), ...(app.env ?? {}) },
      ...(file.url === undefined && app.ready && 'url' in app.ready ? { url: app.ready.url } : {}),
    };
  }
  const readyTimeoutSeconds = pick(flags.readyTimeoutSeconds, file.readyTimeout, undefined);
  const installTimeoutSeconds = pick(flags.installTimeoutSeconds, file.installTimeout, undefined);
  return {
    appDir: pick(flags.appDir, file.appDir, defaultSettings.appDir),
    ...(appDirReason ? { appDirReason } : {}),
    install: pick(flags.install, file.install, defaultSettings.install),
    start: pick(flags.start, file.start, defaultSettings.start),
    url: pick(flags.url, file.url, defaultSettings.url),
    readyTimeoutMs:
      readyTimeoutSeconds !== undefined ? readyTimeoutSeconds * 1000 : defaultSettings.readyTimeoutMs,
    installTimeoutMs:
      installTimeoutSeconds !== undefined ? installTimeoutSeconds * 1000 : defaultSettings.installTimeoutMs,
    // Routes add up: the repo's own list plus the ones asked for now.
    routes: [...new Set([...(file.routes ?? []), ...(flags.routes ?? [])])],
    maxPages: pick(flags.maxPages, file.maxPages, defaultSettings.maxPages),
    env: { ...(file.env ?? {}), ...(flags.env ?? {}) },
    allowedOrigins: [...new Set([...(file.allowedOrigins ?? []), ...(flags.allowedOrigins ?? [])])],
    instructions: [file.instructions, flags.instructions].filter(Boolean).join('\n\n') || undefined,
    ignore: file.ignore ?? [],
    envTemplate: file.envFile ?? defaultSettings.envTemplate,
    visualThreshold: file.visualThreshold ?? defaultSettings.visualThreshold,
    mask: file.mask ?? defaultSettings.mask,
    accessibility: file.accessibility ?? defaultSettings.accessibility,
    services: services?.before ?? [],
    ...(services ? { appService: services.app.name } : {}),
    compareBase: pick(flags.compareBase, file.compareBase, defaultSettings.compareBase),
  };
}
