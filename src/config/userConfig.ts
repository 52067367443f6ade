import { readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { CoworkerError } from '../errors.js';
import { userConfigPath } from '../paths.js';
import { repoConfigSchema } from './schema.js';

/**
 * The user's own settings, `<config dir>/config.json` (written 0600 since it may hold an API key).
 * Environment variables win over it: MYFAV_GITHUB_CLIENT_ID, ANTHROPIC_API_KEY, MYFAV_MODEL.
 */
export const userConfigSchema = z
  .object({
    /** OAuth app client id for `login` (device flow), per host or for all hosts. */
    githubClientId: z.string().min(1).optional(),
    githubClientIds: z.record(z.string(), z.string().min(1)).optional(),
    /** Default GitHub host for `login` (else GH_HOST, else github.com); also a host tokens may go to. */
    githubHost: z.string().min(1).optional(),
    /** Other GitHub Enterprise hosts the user's tokens may be sent to (github.com always may). */
    githubHosts: z.array(z.string().min(1)).optional(),
    /** Repositories whose pull requests run without asking: "OWNER/REPO" (github.com) or "HOST/OWNER/REPO". */
    trustedRepos: z.array(z.string().min(1)).optional(),
    /** Owners (users, organisations) whose repositories' pull requests run without asking: "OWNER" or "HOST/OWNER". */
    trustedOwners: z.array(z.string().min(1)).optional(),
    anthropicApiKey: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    /**
     * Settings per repository, the fields of `.myfav-coworker.json`: keyed "owner/name" (a PR, or a
     * local clone whose origin is that GitHub repository) or the absolute path of a local repository.
     */
    repos: z.record(z.string().min(1), repoConfigSchema).optional(),
    /**
     * The OS sandbox of the PR's install and app: false runs them unconfined (reports say so); else
     * what they may reach besides the package registries in use.
     */
    sandbox: z
      .union([
        z.literal(false),
        z
          .object({
            allowHosts: z
              .array(z.string().min(1))
              .describe('Hosts (host, host:port, *.domain) the install and the app may connect to.')
              .optional(),
            allowLocalPorts: z
              .array(z.number().int().min(1).max(65535))
              .describe('Ports on this machine (127.0.0.1) the app may connect to, e.g. a local Postgres.')
              .optional(),
          })
          .strict(),
      ])
      .optional(),
  })
  .strict();

export type UserConfig = z.infer<typeof userConfigSchema>;

export { userConfigPath };

export async function loadUserConfig(configDir: string): Promise<UserConfig> {
  const file = userConfigPath(configDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  return parseUserConfig(text, file);
}

/** The same, synchronously: only for wording a message or a status line. */
export function loadUserConfigSync(configDir: string): UserConfig {
  const file = userConfigPath(configDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  return parseUserConfig(text, file);
}

function parseUserConfig(text: string, file: string): UserConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CoworkerError(
      'INVALID_CONFIG',
      `${file} is not valid JSON: ${(err as Error).message}`,
      `Fix or delete ${file}.`,
    );
  }
  const parsed = userConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `field "${issue.path.join('.')}"` : 'the file';
    throw new CoworkerError(
      'INVALID_CONFIG',
      `${file} is invalid: ${where}: ${issue?.message ?? 'unknown problem'}`,
      `Valid fields: ${Object.keys(userConfigSchema.shape).join(', ')}.`,
    );
  }
  return parsed.data;
}

/** Merge `patch` into the user config and write it back atomically, 0600 in a 0700 dir. */
export async function updateUserConfig(configDir: string, patch: Partial<UserConfig>): Promise<UserConfig> {
  const next = { ...(await loadUserConfig(configDir)), ...patch };
  await mkdir(configDir, { recursive: true, mode: 0o700 });
  const file = userConfigPath(configDir);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
  return next;
}
