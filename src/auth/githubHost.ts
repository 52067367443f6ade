// A GitHub host as the rest of the program uses it: its endpoints, the user's token for it, and an
// Octokit with that token whose failures come back as CoworkerErrors naming where the token came from.
// Built once per host by deps.ts (`deps.github(host)`); nothing else puts endpoints, a token and an
// Octokit together. Token lookup, Octokit and the error wording load on first use, not with deps.ts.

import { untilAborted } from '../bounded.js';
import { type GithubEndpoints, githubEndpoints } from '../github/endpoints.js';
import type { GithubClient, GithubClientOptions } from '../github/octokit.js';
import type { Logger } from '../log.js';
import type { AppPaths } from '../paths.js';
import type { ResolvedToken } from './resolveToken.js';

export interface GithubCallOptions
  extends Pick<GithubClientOptions, 'signal' | 'maxRateLimitWaitMs' | 'retries'> {
  /** A token to use instead of the host's own (login checks a new one); null: anonymous. */
  token?: (Pick<ResolvedToken, 'token'> & { source: string }) | null;
}

export interface GithubHost {
  readonly host: string;
  readonly endpoints: GithubEndpoints;
  /** The user's token for this host (env, OS keychain, token file), looked up now; null: none. */
  token(): Promise<ResolvedToken | null>;
  /** Whether the user configured (or logged in to) this host: tokens go nowhere else. */
  isUserHost(): Promise<boolean>;
  /** An Octokit for this host with `opts.token`, else the host's own token (for callers that read raw errors). */
  client(opts?: GithubCallOptions): Promise<GithubClient>;
  /**
   * `work` with an Octokit for this host, its failure turned into a CoworkerError about `what`
   * ("pull request acme/app#3"), the token's source named when GitHub refused it; a cancel through
   * `opts.signal` stops the wait at once.
   */
  call<T>(what: string, work: (client: GithubClient) => Promise<T>, opts?: GithubCallOptions): Promise<T>;
}

export function openGithubHost(
  host: string,
  ctx: { paths: AppPaths; env: NodeJS.ProcessEnv; logger?: Logger },
): GithubHost {
  const endpoints = githubEndpoints(host, ctx.env);
  const tokenOptions = {
    host,
    paths: ctx.paths,
    env: ctx.env,
    ...(ctx.logger ? { logger: ctx.logger } : {}),
  };
  const token = async () => (await import('./resolveToken.js')).resolveToken(tokenOptions);
  const client = async (opts: GithubCallOptions, using: GithubCallOptions['token'] | null) => {
    const { createGithubClient } = await import('../github/octokit.js');
    return createGithubClient({
      apiUrl: endpoints.apiUrl,
      ...(using ? { token: using.token } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(ctx.logger ? { logger: ctx.logger } : {}),
      ...(opts.maxRateLimitWaitMs !== undefined ? { maxRateLimitWaitMs: opts.maxRateLimitWaitMs } : {}),
      ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    });
  };
  const tokenFor = async (opts: GithubCallOptions) => (opts.token !== undefined ? opts.token : await token());
  return {
    host,
    endpoints,
    token,
    isUserHost: async () => (await import('./resolveToken.js')).isUserHost(tokenOptions),
    client: async (opts = {}) => client(opts, await tokenFor(opts)),
    async call(what, work, opts = {}) {
      const using = await tokenFor(opts);
      try {
        // Octokit's rate-limit waits cannot be cancelled: stop waiting for them when the caller is.
        return await untilAborted(client(opts, using).then(work), opts.signal);
      } catch (err) {
        const { githubApiError } = await import('../github/apiErrors.js');
        throw githubApiError(err, {
          host,
          apiUrl: endpoints.apiUrl,
          what,
          ...(using ? { tokenSource: using.source } : {}),
        });
      }
    },
  };
}
