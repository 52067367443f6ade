// What a job needs from the outside to simulate a pull request: the token of a host (looked up when
// the job runs, never stored with it) and the environment the endpoints come from.

import { type ResolvedToken, resolveToken } from '../auth/resolveToken.js';
import type { Logger } from '../log.js';
import type { AppPaths } from '../paths.js';

export interface GithubDeps {
  /** The token for a host (env, OS keychain, token file), or null: public repositories work without. */
  token(host: string): Promise<ResolvedToken | null>;
  /** Where MYFAV_GITHUB_API_URL / MYFAV_GITHUB_OAUTH_URL are read from. */
  env: NodeJS.ProcessEnv;
  /** Longest a rate limit may hold the job's GitHub requests (default 60 s). */
  maxRateLimitWaitMs?: number;
  logger?: Logger;
}

export function defaultGithubDeps(opts: {
  paths: AppPaths;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
}): GithubDeps {
  const env = opts.env ?? process.env;
  return {
    env,
    ...(opts.logger ? { logger: opts.logger } : {}),
    token: (host) =>
      resolveToken({ host, paths: opts.paths, env, ...(opts.logger ? { logger: opts.logger } : {}) }),
  };
}
