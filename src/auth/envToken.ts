import { isEnterpriseServer } from '../github/endpoints.js';

export type EnvTokenName = 'GH_TOKEN' | 'GITHUB_TOKEN' | 'GH_ENTERPRISE_TOKEN' | 'GITHUB_ENTERPRISE_TOKEN';
export type TokenSource = EnvTokenName | 'keychain' | 'file';

/**
 * A token from the environment wins over a stored one, as in gh: GH_TOKEN then GITHUB_TOKEN for
 * github.com (and *.ghe.com); GH_ENTERPRISE_TOKEN then GITHUB_ENTERPRISE_TOKEN for an Enterprise Server
 * host — so a github.com token is never sent to another company's server.
 */
export function envTokenFor(
  host: string,
  env: NodeJS.ProcessEnv,
): { name: EnvTokenName; token: string } | undefined {
  const names: EnvTokenName[] = isEnterpriseServer(host)
    ? ['GH_ENTERPRISE_TOKEN', 'GITHUB_ENTERPRISE_TOKEN']
    : ['GH_TOKEN', 'GITHUB_TOKEN'];
  for (const name of names) {
    const token = env[name]?.trim();
    if (token) return { name, token };
  }
  return undefined;
}
