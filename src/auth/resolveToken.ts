import type { Logger } from '../log.js';
import type { AppPaths } from '../paths.js';
import { registerSecret } from '../redact.js';
import { envTokenFor, type TokenSource } from './envToken.js';
import { configuredHosts } from './tokenHosts.js';
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

/**
 * The token for a host, in precedence order: environment, OS keychain, token file. null: none — also
 * when the only candidate is an environment token and the user never configured that host (see
 * tokenHosts.ts): a target naming some other server must not receive the user's Enterprise token.
 */
export async function resolveToken(opts: ResolveTokenOptions): Promise<ResolvedToken | null> {
  const env = opts.env ?? process.env;
  const fromEnv = envTokenFor(opts.host, env);
  const configured = (await configuredHosts(env, opts.paths)).has(opts.host);
  if (fromEnv && configured) {
    registerSecret(fromEnv.token);
    return { token: fromEnv.token, source: fromEnv.name };
  }
  // A token stored for the host means the user logged in to it (`login --hostname`): theirs.
  const stored = await storedToken(opts, env);
  if (!stored) return null;
  if (fromEnv) {
    // The environment still wins over the store, as everywhere else.
    registerSecret(fromEnv.token);
    return { token: fromEnv.token, source: fromEnv.name };
  }
  registerSecret(stored.token);
  return { token: stored.token, source: stored.source, login: stored.login };
}

/** Whether tokens may be sent to `host`: github.com, a configured host, or one logged in to. */
export async function isUserHost(opts: ResolveTokenOptions): Promise<boolean> {
  const env = opts.env ?? process.env;
  if ((await configuredHosts(env, opts.paths)).has(opts.host)) return true;
  const stored = await storedToken(opts, env);
  return stored !== null;
}

function storedToken(opts: ResolveTokenOptions, env: NodeJS.ProcessEnv) {
  return readStoredToken(opts.host, {
    paths: opts.paths,
    env,
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.keychainTimeoutMs ? { keychainTimeoutMs: opts.keychainTimeoutMs } : {}),
  });
}
