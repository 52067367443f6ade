import { loginCommand } from '../config/githubLogin.js';
import { userConfigPath } from '../config/userConfig.js';
import { describeTokenSource, isRequestError } from '../github/apiErrors.js';
import { isEnterpriseServer } from '../github/endpoints.js';
import { fetchViewer } from '../github/user.js';
import type { AppPaths } from '../paths.js';
import { envTokenFor, type TokenSource } from './envToken.js';
import { openGithubHost } from './githubHost.js';
import { resolveToken } from './resolveToken.js';
import { resolveHost } from './settings.js';

export interface AuthStatus {
  /** A token exists and GitHub did not reject it. */
  loggedIn: boolean;
  login?: string;
  host: string;
  scopes?: string[];
  source?: TokenSource;
  /** What is wrong (no token, token rejected, GitHub unreachable). */
  problem?: string;
  /** The command or step that fixes it. */
  fix?: string;
}

/** Whether we can use GitHub for a host, as who, with what, and from which token. Never throws for auth problems. */
export async function authStatus(opts: {
  host?: string;
  paths: AppPaths;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}): Promise<AuthStatus> {
  const env = opts.env ?? process.env;
  const host = await resolveHost(opts.host, env, opts.paths);
  const login = loginCommand(host, env);
  const resolved = await resolveToken({ host, paths: opts.paths, env });
  if (!resolved) {
    const withheld = envTokenFor(host, env);
    if (withheld) {
      // The token is there but the host is not one the user named: it is not sent (tokenHosts.ts).
      return {
        loggedIn: false,
        host,
        problem: `${withheld.name} is set, but ${host} is not a GitHub host you configured, so the token is not sent to it.`,
        fix: `If ${host} is yours, set GH_HOST=${host} or add it to "githubHosts" in ${userConfigPath(opts.paths.config)}.`,
      };
    }
    return {
      loggedIn: false,
      host,
      problem: `Not logged in to ${host}.`,
      fix: `Run \`${login}\` (or set ${isEnterpriseServer(host) ? 'GH_ENTERPRISE_TOKEN' : 'GH_TOKEN'}).`,
    };
  }
  const source = resolved.source;
  const github = openGithubHost(host, { paths: opts.paths, env });
  try {
    const client = await github.client({
      token: resolved,
      retries: 0,
      maxRateLimitWaitMs: 0,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const viewer = await fetchViewer(client);
    return {
      loggedIn: true,
      host,
      login: viewer.login,
      source,
      ...(viewer.scopes ? { scopes: viewer.scopes } : {}),
      ...(viewer.scopes && !viewer.scopes.includes('repo')
        ? {
            problem: 'The token has no `repo` scope: private repositories are out of its reach.',
            fix: `Run \`${login}\` again, or use a token with the repo scope.`,
          }
        : {}),
    };
  } catch (err) {
    const status = isRequestError(err) ? err.response?.status : undefined;
    if (status === 401) {
      const fromEnv = /TOKEN$/.test(source);
      return {
        loggedIn: false,
        host,
        source,
        ...(resolved.login ? { login: resolved.login } : {}),
        problem: `The token from ${describeTokenSource(source)} is invalid or revoked.`,
        fix: fromEnv
          ? `Set ${source} to a valid token, or unset it and run \`${login}\`.`
          : `Run \`${login}\`.`,
      };
    }
    return {
      loggedIn: true,
      host,
      source,
      ...(resolved.login ? { login: resolved.login } : {}),
      problem: `Could not check the token with ${github.endpoints.apiUrl}: ${status ? `HTTP ${status}` : (err as Error).message}.`,
      fix: 'Check your network connection and try again.',
    };
  }
}
