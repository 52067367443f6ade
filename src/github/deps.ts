// What a job needs from the outside to simulate a pull request: the token of a host (looked up when
// the job runs, never stored with it), which hosts are the user's, the user's trusted repositories,
// and the environment the endpoints come from.

import { isUserHost, type ResolvedToken, resolveToken } from '../auth/resolveToken.js';
import { userConfigPath } from '../config/userConfig.js';
import type { Logger } from '../log.js';
import type { AppPaths } from '../paths.js';
import { loadTrustLists } from '../trust/lists.js';
import type { TrustLists } from '../trust/policy.js';

export interface GithubDeps {
  /** The token for a host (env, OS keychain, token file), or null: public repositories work without. */
  token(host: string): Promise<ResolvedToken | null>;
  /** Whether the user configured (or logged in to) this host: tokens go nowhere else. */
  userHost(host: string): Promise<boolean>;
  /** The user's trusted repositories and owners (user config). */
  trustLists(): Promise<TrustLists>;
  /** The user config file, for messages that say where to add something. */
  configFile: string;
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
  const base = { paths: opts.paths, env, ...(opts.logger ? { logger: opts.logger } : {}) };
  return {
    env,
    ...(opts.logger ? { logger: opts.logger } : {}),
    configFile: userConfigPath(opts.paths.config),
    token: (host) => resolveToken({ ...base, host }),
    userHost: (host) => isUserHost({ ...base, host }),
    trustLists: () => loadTrustLists(opts.paths.config),
  };
}
