import { CoworkerError } from '../errors.js';

/** Where a GitHub host's API, OAuth (device flow) and git endpoints live. */
export interface GithubEndpoints {
  /** github.com, SUBDOMAIN.ghe.com, or a GitHub Enterprise Server host. */
  host: string;
  /** REST API base, no trailing slash. */
  apiUrl: string;
  /** Base of /login/device/code and /login/oauth/access_token. */
  oauthUrl: string;
  /**
   * Origins the token may be sent to by git. The clone URL comes from the API response; the token only
   * goes with it when it points at the host itself (or at the configured API's origin: proxies, tests).
   */
  gitOrigins: string[];
}

export const defaultHost = 'github.com';

// A host name, optionally with a port (GitHub Enterprise Server behind a non-standard port).
const hostPattern =
  /^(?=.{1,253}(?::\d{1,5})?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\d{1,5})?$/;

/** Lower-case, scheme and trailing slash removed, www./api. of github.com folded; undefined when invalid. */
export function normalizeHost(input: string): string | undefined {
  let host = input.trim().toLowerCase();
  host = host.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (host === 'www.github.com' || host === 'api.github.com') host = defaultHost;
  return hostPattern.test(host) ? host : undefined;
}

export function requireHost(input: string, what = 'host name'): string {
  const host = normalizeHost(input);
  if (!host) {
    throw new CoworkerError(
      'INVALID_INPUT',
      `${JSON.stringify(input.slice(0, 100))} is not a valid ${what}.`,
      'Pass a host name such as github.com or github.example.com (no path).',
    );
  }
  return host;
}

const isGithubDotCom = (host: string) => host === defaultHost;
const isGheCom = (host: string) => host.endsWith('.ghe.com');

/** GH_TOKEN/GITHUB_TOKEN belong to github.com and *.ghe.com; Enterprise Server hosts use GH_ENTERPRISE_TOKEN. */
export function isEnterpriseServer(host: string): boolean {
  return !isGithubDotCom(host) && !isGheCom(host);
}

/**
 * Endpoints of a host. `MYFAV_GITHUB_API_URL` replaces the API base (proxies, unusual Enterprise
 * setups, tests); the OAuth base is then derived from it the way Octokit does it (strip `/api/v3`,
 * `api.` of github.com/ghe.com), unless `MYFAV_GITHUB_OAUTH_URL` says otherwise.
 */
export function githubEndpoints(host: string, env: NodeJS.ProcessEnv = process.env): GithubEndpoints {
  const override = env.MYFAV_GITHUB_API_URL?.trim();
  const apiUrl = override
    ? checkedBaseUrl(override, 'MYFAV_GITHUB_API_URL')
    : isGithubDotCom(host)
      ? 'https://api.github.com'
      : isGheCom(host)
        ? `https://api.${host}`
        : `https://${host}/api/v3`;
  const oauthOverride = env.MYFAV_GITHUB_OAUTH_URL?.trim();
  const oauthUrl = oauthOverride
    ? checkedBaseUrl(oauthOverride, 'MYFAV_GITHUB_OAUTH_URL')
    : oauthBaseFor(apiUrl);
  const gitOrigins = [...new Set([`https://${host}`, new URL(apiUrl).origin, new URL(oauthUrl).origin])];
  return { host, apiUrl, oauthUrl, gitOrigins };
}

export function oauthBaseFor(apiUrl: string): string {
  if (/^https:\/\/(api\.)?github\.com$/.test(apiUrl)) return 'https://github.com';
  if (/^https:\/\/api\.[^/]+\.ghe\.com$/.test(apiUrl)) return apiUrl.replace('://api.', '://');
  return apiUrl.replace(/\/api\/v3$/, '');
}

function checkedBaseUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    url = new URL('invalid:');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
    throw new CoworkerError(
      'INVALID_CONFIG',
      `${name} is not an http(s) URL without credentials: ${JSON.stringify(value.slice(0, 200))}.`,
      `Set ${name} to a base URL such as https://github.example.com/api/v3, or unset it.`,
    );
  }
  return url.href.replace(/\/+$/, '');
}
