import type { AppPaths } from '../paths.js';
import { githubApiError } from './apiErrors.js';
import { defaultGithubDeps, type GithubDeps } from './deps.js';
import { githubEndpoints } from './endpoints.js';
import { createGithubClient } from './octokit.js';
import { fetchHeadSha } from './pullRequest.js';
import type { GithubTarget } from './targetParse.js';

/**
 * The current head commit of a pull request, with one API request (to deduplicate requests for the
 * same PR at the same commit). Uses the host's token when there is one. Throws CoworkerError.
 */
export async function resolveHeadSha(
  spec: GithubTarget,
  opts: { paths: AppPaths; env?: NodeJS.ProcessEnv; signal?: AbortSignal; github?: GithubDeps },
): Promise<string> {
  const github =
    opts.github ?? defaultGithubDeps({ paths: opts.paths, ...(opts.env ? { env: opts.env } : {}) });
  const endpoints = githubEndpoints(spec.host, github.env);
  const token = await github.token(spec.host);
  const ctx = {
    host: spec.host,
    apiUrl: endpoints.apiUrl,
    what: `pull request ${spec.owner}/${spec.repo}#${spec.number}`,
    ...(token ? { tokenSource: token.source } : {}),
  };
  try {
    const client = await createGithubClient({
      apiUrl: endpoints.apiUrl,
      ...(token ? { token: token.token } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      maxRateLimitWaitMs: 10_000,
      retries: 1,
    });
    return await fetchHeadSha(client, spec);
  } catch (err) {
    throw githubApiError(err, ctx);
  }
}
