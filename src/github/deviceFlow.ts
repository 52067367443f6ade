// OAuth device flow (RFC 8628) with @octokit/auth-oauth-device, polled by our own loop.
//
// The library asks for the code, hands it to onVerification and then polls /login/oauth/access_token;
// but on slow_down it waits interval+7 s once and then goes back to the old interval, and it cannot
// be cancelled. So its request goes through an Octokit whose request hook owns the token endpoint:
// the hook polls at the interval (x1.2: VM clocks run fast, like gh), adds 5 s per slow_down for
// every later poll (or takes GitHub's new `interval` when larger), stops at the code's expiry, honours
// the AbortSignal, and only returns to the library the final answer: a token, or an error of ours.

import { pause } from '../bounded.js';
import { CancelledError, CoworkerError } from '../errors.js';
import type { Logger } from '../log.js';
import { githubApiError, isRequestError } from './apiErrors.js';
import type { GithubEndpoints } from './endpoints.js';
import { createGithubClient } from './octokit.js';

export interface DeviceCode {
  verificationUri: string;
  userCode: string;
  /** Seconds the code stays valid. */
  expiresIn: number;
  /** Seconds between polls GitHub asked for. */
  interval: number;
}

export interface DeviceFlowOptions {
  endpoints: GithubEndpoints;
  clientId: string;
  scopes: string[];
  signal?: AbortSignal;
  logger?: Logger;
  /** Length of one protocol "second" in ms (tests shrink time; default 1000). */
  secondMs?: number;
}

export interface DeviceFlow {
  code: DeviceCode;
  /** Resolves with the access token once the user authorized, or rejects (denied, expired, cancelled…). */
  token: Promise<{ token: string; scopes: string[] }>;
}

/** Seconds added to the interval by each slow_down (RFC 8628 §3.5). */
export const slowDownSeconds = 5;
const pollFactor = 1.2;

export async function startDeviceFlow(opts: DeviceFlowOptions): Promise<DeviceFlow> {
  const { endpoints, clientId } = opts;
  const secondMs = opts.secondMs ?? 1000;
  const { createOAuthDeviceAuth } = await import('@octokit/auth-oauth-device');
  const client = await createGithubClient({
    apiUrl: endpoints.apiUrl,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    retries: 1,
    throttle: false,
  });

  let code: DeviceCode | undefined;
  let deadline = 0;
  client.hook.wrap('request', async (request, options) => {
    if (!/\/login\/(device\/code|oauth\/access_token)$/.test(options.url)) return request(options);
    // The library derives the OAuth base from the API URL; MYFAV_GITHUB_OAUTH_URL may say otherwise.
    options.baseUrl = endpoints.oauthUrl;
    if (!options.url.endsWith('/access_token')) return request(options);
    if (!code) throw new CoworkerError('INTERNAL', 'Device flow polled before a code was issued.', '');
    let interval = code.interval;
    for (;;) {
      const wait = interval * pollFactor * secondMs;
      if (Date.now() + wait >= deadline) throw expiredError(endpoints.host);
      await pause(wait, { signal: opts.signal });
      if (opts.signal?.aborted) throw new CancelledError('Login cancelled.');
      const response = await request(options);
      const data = (response.data ?? {}) as { error?: string; interval?: number; error_description?: string };
      if (!data.error) return response;
      if (data.error === 'authorization_pending') continue;
      if (data.error === 'slow_down') {
        interval = Math.max(interval + slowDownSeconds, Number(data.interval) || 0);
        opts.logger?.debug(`GitHub asked to slow down: polling every ${interval} s from now on`);
        continue;
      }
      throw pollError(data.error, data.error_description, endpoints, clientId);
    }
  });

  // Settled by whichever comes first: the code (onVerification), or the end of the flow without one.
  let announce: (c: DeviceCode) => void = () => {};
  let failBeforeCode: (err: unknown) => void = () => {};
  const announced = new Promise<DeviceCode>((resolve, reject) => {
    announce = resolve;
    failBeforeCode = reject;
  });
  const auth = createOAuthDeviceAuth({
    clientType: 'oauth-app',
    clientId,
    scopes: opts.scopes,
    request: client.request,
    onVerification(v) {
      code = checkedCode(v, endpoints);
      deadline = Date.now() + code.expiresIn * secondMs;
      announce(code);
    },
  });
  const token = auth({ type: 'oauth' }).then(
    (a) => ({ token: a.token, scopes: a.scopes }),
    (err: unknown) => {
      throw deviceError(err, endpoints, clientId, opts.signal);
    },
  );
  // Until the code is known, a failure (no such client, flow disabled, network) is the caller's error.
  token.then(
    () =>
      failBeforeCode(new CoworkerError('GITHUB_FAILED', 'GitHub issued a token without a device code.', '')),
    failBeforeCode,
  );
  const first = await announced;
  token.catch(() => {}); // the caller may drop it (e.g. an MCP client that never asks again)
  return { code: first, token };
}

function checkedCode(
  v: { verification_uri: string; user_code: string; expires_in: number; interval: number },
  endpoints: GithubEndpoints,
): DeviceCode {
  let uri: URL | undefined;
  try {
    uri = new URL(v.verification_uri);
  } catch {
    uri = undefined;
  }
  // Printed to a terminal and opened in a browser: only a plain http(s) URL and a plain code.
  if (
    !uri ||
    (uri.protocol !== 'https:' && uri.protocol !== 'http:') ||
    !/^[A-Za-z0-9-]{4,32}$/.test(v.user_code)
  ) {
    throw new CoworkerError(
      'GITHUB_FAILED',
      `${endpoints.oauthUrl} answered the device code request with something that is not a device code.`,
      'Check the host name (and MYFAV_GITHUB_API_URL / MYFAV_GITHUB_OAUTH_URL if you set them).',
    );
  }
  const expiresIn = Number(v.expires_in) > 0 ? Number(v.expires_in) : 900;
  // RFC 8628 §3.2: 5 seconds when the server does not say.
  const interval = Number.isFinite(Number(v.interval)) && Number(v.interval) >= 0 ? Number(v.interval) : 5;
  return { verificationUri: uri.href, userCode: v.user_code, expiresIn, interval };
}

function pollError(
  error: string,
  description: string | undefined,
  endpoints: GithubEndpoints,
  clientId: string,
): CoworkerError {
  switch (error) {
    case 'expired_token':
      return expiredError(endpoints.host);
    case 'access_denied':
      return new CoworkerError(
        'AUTH_FAILED',
        'The authorization was denied in the browser: nothing was stored.',
        'Run `myfav-coworker login` again and choose "Authorize" when GitHub asks.',
      );
    case 'device_flow_disabled':
      return disabledError(endpoints, clientId);
    case 'incorrect_client_credentials':
    case 'unauthorized_client':
      return unknownClientError(endpoints, clientId);
    default:
      return new CoworkerError(
        'AUTH_FAILED',
        `GitHub ended the login: ${error}${description ? ` (${description})` : ''}.`,
        'Run `myfav-coworker login` again, or log in with a token: `myfav-coworker login --with-token < token.txt`.',
      );
  }
}

function expiredError(host: string): CoworkerError {
  return new CoworkerError(
    'AUTH_FAILED',
    'The one-time code expired before it was entered: nothing was stored.',
    `Run \`myfav-coworker login${host === 'github.com' ? '' : ` --hostname ${host}`}\` again and enter the new code within its time.`,
  );
}

function disabledError(endpoints: GithubEndpoints, clientId: string): CoworkerError {
  return new CoworkerError(
    'INVALID_CONFIG',
    `Device flow is not enabled for the OAuth app ${clientId} on ${endpoints.host}.`,
    `Tick "Enable Device Flow" in the app's settings (https://${endpoints.host}/settings/developers), or log in with a token: \`myfav-coworker login --with-token < token.txt\`.`,
  );
}

function unknownClientError(endpoints: GithubEndpoints, clientId: string): CoworkerError {
  return new CoworkerError(
    'INVALID_CONFIG',
    `${endpoints.host} does not know the OAuth app client id ${JSON.stringify(clientId)}.`,
    'Check MYFAV_GITHUB_CLIENT_ID (or "githubClientId" in the config file), or log in with a token: `myfav-coworker login --with-token < token.txt`.',
  );
}

function deviceError(
  err: unknown,
  endpoints: GithubEndpoints,
  clientId: string,
  signal: AbortSignal | undefined,
): CoworkerError {
  if (err instanceof CoworkerError) return err;
  if (signal?.aborted) return new CancelledError('Login cancelled.');
  if (isRequestError(err) && err.response) {
    // GitHub answers 404 for a client id it does not know.
    if (err.response.status === 404) return unknownClientError(endpoints, clientId);
    const data = err.response.data as { error?: string; error_description?: string } | undefined;
    if (data?.error) return pollError(data.error, data.error_description, endpoints, clientId);
  }
  return githubApiError(err, {
    host: endpoints.host,
    apiUrl: endpoints.oauthUrl,
    what: 'the device login',
  });
}
