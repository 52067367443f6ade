import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { CoworkerError } from '../errors.js';
import {
  defaultSettings,
  type RepoConfig,
  repoConfigSchema,
  type SettingOverrides,
  type SimulationSettings,
} from './schema.js';

export const repoConfigFileName = '.myfav-coworker.json';

/** Read `.myfav-coworker.json` from a checkout; absent → {}. A bad file names the field and the fix. */
export async function loadRepoConfig(checkoutDir: string): Promise<RepoConfig> {
  const file = path.join(checkoutDir, repoConfigFileName);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    // A folder, or a file we may not read: part of the branch, so the user's to fix (not a bug of ours).
    throw new CoworkerError(
      'INVALID_CONFIG',
      `${repoConfigFileName} could not be read: ${(err as Error).message}`,
      `Make ${repoConfigFileName} a readable JSON file at the repository root, or remove it.`,
      { cause: err },
    );
  }
  return parseRepoConfig(text);
}

export function parseRepoConfig(text: string): RepoConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CoworkerError(
      'INVALID_CONFIG',
      `${repoConfigFileName} is not valid JSON: ${(err as Error).message}`,
      `Fix the JSON syntax in ${repoConfigFileName} at the repository root.`,
    );
  }
  const parsed = repoConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CoworkerError(
      'INVALID_CONFIG',
      `${repoConfigFileName} is invalid: ${describeIssues(parsed.error)}`,
      `Fix or remove that field. Valid fields: ${Object.keys(repoConfigSchema.shape).join(', ')}.`,
    );
  }
  return parsed.data;
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
  const readyTimeoutSeconds = pick(flags.readyTimeoutSeconds, file.readyTimeout, undefined);
  return {
    appDir: pick(flags.appDir, file.appDir, defaultSettings.appDir),
    install: pick(flags.install, file.install, defaultSettings.install),
    start: pick(flags.start, file.start, defaultSettings.start),
    url: pick(flags.url, file.url, defaultSettings.url),
    readyTimeoutMs:
      readyTimeoutSeconds !== undefined ? readyTimeoutSeconds * 1000 : defaultSettings.readyTimeoutMs,
    installTimeoutMs:
      file.installTimeout !== undefined ? file.installTimeout * 1000 : defaultSettings.installTimeoutMs,
    // Routes add up: the repo's own list plus the ones asked for now.
    routes: [...new Set([...(file.routes ?? []), ...(flags.routes ?? [])])],
    maxPages: pick(flags.maxPages, file.maxPages, defaultSettings.maxPages),
    env: { ...(file.env ?? {}) },
    allowedOrigins: file.allowedOrigins ?? [],
    instructions: [file.instructions, flags.instructions].filter(Boolean).join('\n\n') || undefined,
  };
}
