// Where a token may go: only where the user put it. A target names its host, and a target can come
// from anyone (a chat, a pasted link), so an Enterprise token in the environment must not follow a
// target to a server the user never named. github.com is always a host of the user's; another host is
// one only when the user configured it: GH_HOST, `githubHost`/`githubHosts` in the user config, or a
// token stored for it by `login --hostname HOST` (checked by the caller, which has the token store).

import { loadUserConfig } from '../config/userConfig.js';
import { defaultHost, normalizeHost } from '../github/endpoints.js';
import type { AppPaths } from '../paths.js';

/** Hosts named by GH_HOST and the user config (besides github.com). */
export async function configuredHosts(env: NodeJS.ProcessEnv, paths: AppPaths): Promise<Set<string>> {
  const hosts = new Set<string>([defaultHost]);
  const add = (value: string | undefined) => {
    const host = value ? normalizeHost(value) : undefined;
    if (host) hosts.add(host);
  };
  add(env.GH_HOST);
  // A broken config file is reported by the commands that need it; here it just names no host.
  const config = await loadUserConfig(paths.config).catch(() => ({}) as Record<string, undefined>);
  add(config.githubHost);
  for (const host of config.githubHosts ?? []) add(host);
  return hosts;
}

/** Why no token went to `host`, for a note in progress and reports. */
export function anonymousHostNote(host: string, configFile: string): string {
  return (
    `${host} is not a GitHub host you configured, so no token is sent to it (asking it anonymously). ` +
    `If it is your GitHub Enterprise Server, set GH_HOST=${host}, log in with \`myfav-coworker login --hostname ${host}\`, ` +
    `or add it to "githubHosts" in ${configFile}.`
  );
}
