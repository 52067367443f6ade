// The one place an Octokit is built: retries for 5xx and network blips (@octokit/plugin-retry), and
// GitHub's rate limits (@octokit/plugin-throttling) waited out only when the wait fits the caller's
// budget — otherwise the request fails at once and apiErrors.ts reports when the limit resets.
// Octokit is loaded lazily: `--help` and the MCP handshake do not pay for it.

import type { Octokit } from '@octokit/rest';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';

export type GithubClient = Octokit;

export interface GithubClientOptions {
  /** REST API base (see endpoints.ts). */
  apiUrl: string;
  /** Omit for anonymous requests (public repositories, 60 requests an hour). */
  token?: string;
  signal?: AbortSignal;
  logger?: Logger;
  /** Longest a rate limit may hold a request before we give up (default 60 s), counted from now. */
  maxRateLimitWaitMs?: number;
  /** Retries of a 5xx answer or a network failure (default 2: after 1 s, then 4 s). */
  retries?: number;
  /**
   * false: no rate-limit handling (the device flow paces itself by RFC 8628 and must not be delayed by
   * the plugin's one-write-per-second queue).
   */
  throttle?: boolean;
}

type Modules = [
  typeof import('@octokit/rest'),
  typeof import('@octokit/plugin-retry'),
  typeof import('@octokit/plugin-throttling'),
];
let modules: Promise<Modules> | undefined;

export async function createGithubClient(opts: GithubClientOptions): Promise<GithubClient> {
  modules ??= Promise.all([
    import('@octokit/rest'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
  ]);
  const [{ Octokit }, { retry }, { throttling }] = await modules;
  const logger = opts.logger ?? silentLogger;
  const deadline = Date.now() + (opts.maxRateLimitWaitMs ?? 60_000);
  const withinBudget =
    (kind: string) =>
    (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
      const fits = retryCount < 3 && Date.now() + retryAfter * 1000 <= deadline;
      logger.debug(
        `GitHub ${kind} rate limit on ${options.method} ${options.url}: ${fits ? `retrying in ${retryAfter} s` : `reset in ${retryAfter} s is beyond this request's budget`}`,
      );
      return fits;
    };
  const Client = Octokit.plugin(retry, throttling);
  return new Client({
    baseUrl: opts.apiUrl,
    ...(opts.token ? { auth: opts.token } : {}),
    userAgent: 'myfav-coworker',
    request: opts.signal ? { signal: opts.signal } : {},
    log: {
      debug: () => {},
      info: () => {},
      warn: (message: string) => logger.debug(`octokit: ${message}`),
      error: (message: string) => logger.debug(`octokit: ${message}`),
    },
    // 429 is left to the throttling plugin, which honours retry-after; blind retries would not.
    retry: { retries: opts.retries ?? 2, doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
    throttle:
      opts.throttle === false
        ? { enabled: false }
        : { onRateLimit: withinBudget('primary'), onSecondaryRateLimit: withinBudget('secondary') },
  });
}
