import type { Logger } from '../log.js';
import type { AppPaths } from '../paths.js';
import { envTokenFor } from './envToken.js';
import { resolveHost } from './settings.js';
import { deleteStoredToken } from './tokenStore.js';

export interface LogoutResult {
  host: string;
  /** Places the token was removed from (empty: nothing was stored). */
  removedFrom: string[];
  /** An environment variable that still provides a token (we cannot unset the user's environment). */
  envToken?: string;
  /** The keychain could not be reached: a token may remain there. */
  keychainProblem?: string;
}

export async function logout(opts: {
  host?: string;
  paths: AppPaths;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  keychainTimeoutMs?: number;
}): Promise<LogoutResult> {
  const env = opts.env ?? process.env;
  const host = await resolveHost(opts.host, env, opts.paths);
  const removed = await deleteStoredToken(host, {
    paths: opts.paths,
    env,
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.keychainTimeoutMs ? { keychainTimeoutMs: opts.keychainTimeoutMs } : {}),
  });
  const fromEnv = envTokenFor(host, env);
  return { host, ...removed, ...(fromEnv ? { envToken: fromEnv.name } : {}) };
}
