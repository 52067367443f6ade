// Which host and which OAuth app a login uses: flag, then environment, then the config file.

import { configuredClientId } from '../config/githubLogin.js';
import { loadUserConfig, userConfigPath } from '../config/userConfig.js';
import { CoworkerError } from '../errors.js';
import { defaultHost, normalizeHost, requireHost } from '../github/endpoints.js';
import type { AppPaths } from '../paths.js';

/** --hostname, else GH_HOST, else "githubHost" in the config file, else github.com. */
export async function resolveHost(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  paths: AppPaths,
): Promise<string> {
  if (flag) return requireHost(flag, '--hostname');
  if (env.GH_HOST) return requireHost(env.GH_HOST, 'GH_HOST value');
  const config = await loadUserConfig(paths.config).catch(() => ({}) as { githubHost?: string });
  return (config.githubHost && normalizeHost(config.githubHost)) || defaultHost;
}

/** MYFAV_GITHUB_CLIENT_ID, else the config file (per host, then for all hosts), else the shipped one. */
export async function resolveClientId(
  host: string,
  env: NodeJS.ProcessEnv,
  paths: AppPaths,
): Promise<string> {
  const clientId = configuredClientId(
    host,
    env,
    env.MYFAV_GITHUB_CLIENT_ID?.trim() ? {} : await loadUserConfig(paths.config),
  );
  if (clientId) return clientId;
  throw new CoworkerError(
    'INVALID_CONFIG',
    `No OAuth app is configured for logging in to ${host} with the browser (device flow).`,
    [
      `Either register an OAuth app at https://${host}/settings/applications/new (any homepage and callback URL;`,
      'tick "Enable Device Flow"), then set MYFAV_GITHUB_CLIENT_ID=<its client id> or add',
      `{"githubClientId": "<its client id>"} to ${userConfigPath(paths.config)};`,
      `or log in with a personal access token: \`myfav-coworker login${host === defaultHost ? '' : ` --hostname ${host}`} --with-token < token.txt\`.`,
    ].join(' '),
  );
}
