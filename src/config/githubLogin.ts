// Which login to suggest. The browser login (device flow) needs an OAuth app's client id; until one is
// configured (or shipped), pointing users at plain `myfav-coworker login` sends them into an error, so
// every "log in" hint goes through here and suggests a token instead.

import { resolvePaths } from '../paths.js';
import { loadUserConfigSync, type UserConfig } from './userConfig.js';

/**
 * OAuth app client ids shipped with the package, per host (a client id is public, not a secret).
 * Empty until the project registers its OAuth app; until then users register their own or use a token.
 */
export const shippedClientIds: Readonly<Record<string, string>> = Object.freeze({});

/** MYFAV_GITHUB_CLIENT_ID, else the config file (per host, then for all hosts), else the shipped one. */
export function configuredClientId(
  host: string,
  env: NodeJS.ProcessEnv,
  config: Pick<UserConfig, 'githubClientId' | 'githubClientIds'>,
): string | undefined {
  return (
    env.MYFAV_GITHUB_CLIENT_ID?.trim() ||
    config.githubClientIds?.[host] ||
    config.githubClientId ||
    shippedClientIds[host]
  );
}

/** Whether `login` (browser device flow) can work for this host: a client id in env, config or the package. */
export function browserLoginAvailable(host: string, env: NodeJS.ProcessEnv = process.env): boolean {
  let config: UserConfig = {};
  try {
    // Sync on purpose: this only runs to word an error message or a status line.
    config = loadUserConfigSync(resolvePaths(env).config);
  } catch {
    // An unreadable config names no client id (loading it for real says what is wrong).
  }
  return configuredClientId(host, env, config) !== undefined;
}

/** The login command to suggest for `host`. */
export function loginCommand(host: string, env: NodeJS.ProcessEnv = process.env): string {
  const hostname = host === 'github.com' ? '' : ` --hostname ${host}`;
  return browserLoginAvailable(host, env)
    ? `myfav-coworker login${hostname}`
    : `myfav-coworker login${hostname} --with-token < token.txt`;
}
