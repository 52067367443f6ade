// An Octokit for one host with the user's token for it (none for a host the user never configured),
// and the context its errors are worded in. The one place the write path (comments, statuses) builds
// its client: when Deps grows a client factory, this is what it replaces.

import type { ApiErrorContext } from './apiErrors.js';
import type { GithubDeps } from './deps.js';
import { githubEndpoints } from './endpoints.js';
import { createGithubClient, type GithubClient } from './octokit.js';

export interface HostClient {
  client: GithubClient;
  /** Whether a token goes with the requests (writes need one). */
  authenticated: boolean;
  errorContext(what: string): ApiErrorContext;
}

export async function clientForHost(
  host: string,
  github: GithubDeps,
  opts: { signal?: AbortSignal; maxRateLimitWaitMs?: number } = {},
): Promise<HostClient> {
  const endpoints = githubEndpoints(host, github.env);
  const token = await github.token(host);
  const client = await createGithubClient({
    apiUrl: endpoints.apiUrl,
    ...(token ? { token: token.token } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(github.logger ? { logger: github.logger } : {}),
    maxRateLimitWaitMs: opts.maxRateLimitWaitMs ?? github.maxRateLimitWaitMs ?? 30_000,
  });
  return {
    client,
    authenticated: token !== null,
    errorContext: (what) => ({
      host,
      apiUrl: endpoints.apiUrl,
      what,
      ...(token ? { tokenSource: token.source } : {}),
    }),
  };
}
