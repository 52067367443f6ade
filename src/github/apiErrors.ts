// Turn Octokit's errors into messages a user can act on: which token, what to run, when to retry.

import { loginCommand } from '../config/githubLogin.js';
import { CancelledError, CoworkerError, isAbortError } from '../errors.js';

export interface ApiErrorContext {
  host: string;
  apiUrl: string;
  /** What we were doing: "pull request acme/app#3", "your account". */
  what: string;
  /** Where the token came from ('GH_TOKEN', 'keychain', …), or undefined when anonymous. */
  tokenSource?: string;
}

/** What Octokit throws for an HTTP error or a network failure (duck-typed: @octokit/request-error). */
export interface OctokitRequestError extends Error {
  status: number;
  response?: { status: number; headers: Record<string, string | number | undefined>; data?: unknown };
}

export function isRequestError(err: unknown): err is OctokitRequestError {
  return (
    err instanceof Error &&
    err.name === 'HttpError' &&
    typeof (err as { status?: unknown }).status === 'number'
  );
}

export function githubApiError(err: unknown, ctx: ApiErrorContext): CoworkerError {
  if (err instanceof CoworkerError) return err;
  if (isAbortError(err) || (isRequestError(err) && isAbortError((err as { cause?: unknown }).cause)))
    return new CancelledError();
  if (!isRequestError(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return new CoworkerError('GITHUB_FAILED', `GitHub request failed (${ctx.what}): ${message}`, retryHint, {
      cause: err,
    });
  }
  const response = err.response;
  if (!response) return networkError(err, ctx);
  const headers = response.headers;
  const apiMessage = messageOf(response.data);
  const status = response.status;

  if (status === 401) {
    const envSource = ctx.tokenSource && /TOKEN$/.test(ctx.tokenSource) ? ctx.tokenSource : undefined;
    return new CoworkerError(
      'AUTH_FAILED',
      `GitHub (${ctx.host}) rejected the token${ctx.tokenSource ? ` from ${describeTokenSource(ctx.tokenSource)}` : ''}: it is invalid or revoked.`,
      envSource
        ? `Set ${envSource} to a valid token or unset it and run \`${loginCommand(ctx.host)}\`.`
        : `Run \`${loginCommand(ctx.host)}\` to log in again.`,
      { cause: err },
    );
  }
  if ((status === 403 || status === 429) && isRateLimited(headers, apiMessage)) {
    return rateLimitError(headers, apiMessage, ctx, err);
  }
  if (status === 404) {
    const scopes = typeof headers['x-oauth-scopes'] === 'string' ? headers['x-oauth-scopes'] : undefined;
    if (!ctx.tokenSource) {
      return new CoworkerError(
        'AUTH_REQUIRED',
        `${capitalize(ctx.what)} was not found on ${ctx.host}. It may be private: you are not logged in.`,
        `Log in with \`${loginCommand(ctx.host)}\` (or set GH_TOKEN) and try again; otherwise check the owner, repository and number.`,
        { cause: err },
      );
    }
    return new CoworkerError(
      'GITHUB_NOT_FOUND',
      `${capitalize(ctx.what)} was not found, or your token cannot see this repository.`,
      `Check the URL. For a private repository the token needs the \`repo\` scope${scopes !== undefined ? ` (yours has: ${scopes || 'no scopes'})` : ' (or, for a fine-grained token, read access to its contents and pull requests)'}; for an organization with SSO, authorize the token for it. Log in again with \`${loginCommand(ctx.host)}\` if needed.`,
      { cause: err },
    );
  }
  if (status === 403) {
    const sso = typeof headers['x-github-sso'] === 'string';
    return new CoworkerError(
      'GITHUB_FAILED',
      `GitHub refused access to ${ctx.what}: ${apiMessage || 'HTTP 403'}.`,
      sso
        ? 'The organization uses SAML single sign-on: authorize your token for it on GitHub, then try again.'
        : `Check that your token may read this repository, or log in again with \`${loginCommand(ctx.host)}\`.`,
      { cause: err },
    );
  }
  return new CoworkerError(
    'GITHUB_FAILED',
    `GitHub answered HTTP ${status} for ${ctx.what}${apiMessage ? `: ${apiMessage}` : ''}.`,
    status >= 500 ? `${retryHint} GitHub's status: https://www.githubstatus.com` : retryHint,
    { cause: err },
  );
}

const retryHint = 'Try again in a moment.';

function networkError(err: OctokitRequestError, ctx: ApiErrorContext): CoworkerError {
  const cause = (
    err as { cause?: { message?: string; code?: string; cause?: { code?: string; message?: string } } }
  ).cause;
  const detail = cause?.cause?.code ?? cause?.code ?? cause?.cause?.message ?? err.message;
  return new CoworkerError(
    'GITHUB_FAILED',
    `Could not reach GitHub at ${ctx.apiUrl} (${detail}).`,
    'Check your network connection (behind a proxy: set HTTPS_PROXY and NODE_USE_ENV_PROXY=1)' +
      (ctx.host === 'github.com'
        ? '.'
        : `, the host name ${ctx.host}, and MYFAV_GITHUB_API_URL if you set it.`),
    { cause: err },
  );
}

function isRateLimited(headers: Record<string, unknown>, message: string): boolean {
  return (
    headers['x-ratelimit-remaining'] === '0' ||
    /rate limit/i.test(message) ||
    headers['retry-after'] !== undefined
  );
}

function rateLimitError(
  headers: Record<string, unknown>,
  message: string,
  ctx: ApiErrorContext,
  cause: unknown,
): CoworkerError {
  const primary = headers['x-ratelimit-remaining'] === '0' && !/secondary/i.test(message);
  if (primary) {
    const reset = Number(headers['x-ratelimit-reset']);
    const when = Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : undefined;
    const minutes = when ? Math.max(1, Math.ceil((when.getTime() - Date.now()) / 60_000)) : undefined;
    return new CoworkerError(
      'GITHUB_RATE_LIMITED',
      `GitHub's API rate limit ${ctx.tokenSource ? 'for your token' : 'for anonymous requests from this address'} is used up` +
        (when ? ` until ${when.toISOString().replace('.000Z', 'Z')} (in ${minutes} min).` : '.'),
      ctx.tokenSource
        ? 'Try again after the reset; other tools using the same token share this limit.'
        : `Log in (\`${loginCommand(ctx.host)}\`) for 5,000 requests an hour instead of 60, or try again after the reset.`,
      { cause },
    );
  }
  const retryAfter = Number(headers['retry-after']);
  return new CoworkerError(
    'GITHUB_RATE_LIMITED',
    `GitHub asked us to slow down (secondary rate limit)${Number.isFinite(retryAfter) ? ` for ${retryAfter} s, longer than this request may wait` : ''}.`,
    'Try again in a few minutes; many simultaneous requests with the same token cause this.',
    { cause },
  );
}

function messageOf(data: unknown): string {
  if (data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string')
    return (data as { message: string }).message.slice(0, 300);
  return '';
}

/** Where a token came from, in words: 'GH_TOKEN' → "the GH_TOKEN environment variable". */
export function describeTokenSource(source: string): string {
  if (source === 'keychain') return 'the OS keychain';
  if (source === 'file') return 'the token file';
  return /^[A-Z_]+TOKEN$/.test(source) ? `the ${source} environment variable` : source;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
