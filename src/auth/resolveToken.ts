import type { Logger } from '../log.js';
import type { AppPaths } from '../paths.js';
import { registerSecret } from '../redact.js';
import { envTokenFor, type TokenSource } from './envToken.js';
import { readStoredToken } from './tokenStore.js';

export interface ResolvedToken {
  token: string;
  source: TokenSource;
  /** Known for stored tokens (the keychain account); env tokens are anonymous until GET /user. */
  login?: string;
}

export interface ResolveTokenOptions {
  host: string;
  paths: AppPaths;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  keychainTimeoutMs?: number;
}

/** The token for a host, in precedence order: environment, OS keychain, token file. null: none. */
export async function resolveToken(opts: ResolveTokenOptions): Promise<ResolvedToken | null> {
  const env = opts.env ?? process.env;
  const fromEnv = envTokenFor(opts.host, env);
  if (fromEnv) {
    registerSecret(fromEnv.token);
    return { token: fromEnv.token, source: fromEnv.name };
  }
  const stored = await readStoredToken(opts.host, {
    paths: opts.paths,
    env,
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.keychainTimeoutMs ? { keychainTimeoutMs: opts.keychainTimeoutMs } : {}),
  });
  if (!stored) return null;
  registerSecret(stored.token);
  return { token: stored.token, source: stored.source, login: stored.login };
}
