// Logging in: the browser device flow (startDeviceLogin) or a token given on stdin (loginWithToken).
// Either way the token is checked with GET /user before it is stored, so a stored token always works
// (at the time) and is filed under its owner's login.

import { CoworkerError } from '../errors.js';
import { githubApiError, isRequestError } from '../github/apiErrors.js';
import { startDeviceFlow } from '../github/deviceFlow.js';
import { githubEndpoints } from '../github/endpoints.js';
import { fetchViewer, type Viewer } from '../github/user.js';
import type { Logger } from '../log.js';
import type { AppPaths } from '../paths.js';
import { registerSecret } from '../redact.js';
import { envTokenFor } from './envToken.js';
import { openGithubHost } from './githubHost.js';
import { resolveClientId, resolveHost } from './settings.js';
import { saveToken } from './tokenStore.js';

/** Scopes requested by the device flow: `repo` is the only OAuth scope that can read private repositories. */
export const loginScopes = ['repo'];

export interface LoginResult {
  login: string;
  host: string;
  /** Where the token went: "the OS keychain (service …)" or the file path. */
  storedIn: string;
  scopes?: string[];
  /** Set when the token is in the plain-text file. */
  warning?: string;
}

export interface DeviceLoginOptions {
  host?: string;
  clientId?: string;
  signal?: AbortSignal;
  logger?: Logger;
  paths: AppPaths;
  env?: NodeJS.ProcessEnv;
  /** Length of one protocol second in ms (tests). */
  secondMs?: number;
  keychainTimeoutMs?: number;
}

export interface DeviceLogin {
  verificationUri: string;
  userCode: string;
  /** Seconds the code is valid. */
  expiresIn: number;
  /** Polls until the user authorized, then checks and stores the token. */
  completion: Promise<LoginResult>;
}

/** Start a device-flow login; returns as soon as GitHub issued the code. */
export async function startDeviceLogin(opts: DeviceLoginOptions): Promise<DeviceLogin> {
  const env = opts.env ?? process.env;
  const host = await resolveHost(opts.host, env, opts.paths);
  refuseWhileEnvToken(host, env);
  const clientId = opts.clientId ?? (await resolveClientId(host, env, opts.paths));
  const endpoints = githubEndpoints(host, env);
  const flow = await startDeviceFlow({
    endpoints,
    clientId,
    scopes: loginScopes,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.secondMs ? { secondMs: opts.secondMs } : {}),
  });
  const completion = flow.token.then(async ({ token }) => {
    registerSecret(token);
    return checkAndStore(token, host, { ...opts, env }, 'device');
  });
  completion.catch(() => {}); // handled by whoever awaits it; never an unhandled rejection
  return {
    verificationUri: flow.code.verificationUri,
    userCode: flow.code.userCode,
    expiresIn: flow.code.expiresIn,
    completion,
  };
}

export interface TokenLoginOptions {
  token: string;
  host?: string;
  paths: AppPaths;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  signal?: AbortSignal;
  keychainTimeoutMs?: number;
}

/** Store a token the user gave (CI, a personal access token), after checking it with GET /user. */
export async function loginWithToken(opts: TokenLoginOptions): Promise<LoginResult> {
  const env = opts.env ?? process.env;
  const host = await resolveHost(opts.host, env, opts.paths);
  refuseWhileEnvToken(host, env);
  const token = opts.token.trim();
  if (!token || /\s/.test(token)) {
    throw new CoworkerError(
      'INVALID_INPUT',
      token
        ? 'The token read from standard input contains spaces: it is not a GitHub token.'
        : 'No token on standard input.',
      'Pipe the token in: `myfav-coworker login --with-token < token.txt` (or `echo "$TOKEN" | myfav-coworker login --with-token`).',
    );
  }
  registerSecret(token);
  return checkAndStore(token, host, { ...opts, env }, 'given');
}

async function checkAndStore(
  token: string,
  host: string,
  opts: {
    paths: AppPaths;
    env: NodeJS.ProcessEnv;
    logger?: Logger;
    signal?: AbortSignal;
    keychainTimeoutMs?: number;
  },
  how: 'device' | 'given',
): Promise<LoginResult> {
  const github = openGithubHost(host, opts);
  let viewer: Viewer;
  try {
    const client = await github.client({
      token: { token, source: 'new token' },
      retries: 1,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    viewer = await fetchViewer(client);
  } catch (err) {
    if (how === 'given' && isRequestError(err) && err.response?.status === 401) {
      throw new CoworkerError(
        'AUTH_FAILED',
        `${host} rejected the token: it is invalid, expired or revoked. Nothing was stored.`,
        'Check the token you passed (a classic token needs the `repo` scope for private repositories).',
        { cause: err },
      );
    }
    throw githubApiError(err, {
      host,
      apiUrl: github.endpoints.apiUrl,
      what: 'your account (GET /user)',
      tokenSource: 'new token',
    });
  }
  const saved = await saveToken(
    { host, login: viewer.login, token },
    {
      paths: opts.paths,
      env: opts.env,
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.keychainTimeoutMs ? { keychainTimeoutMs: opts.keychainTimeoutMs } : {}),
    },
  );
  return {
    login: viewer.login,
    host,
    storedIn: saved.storedIn,
    ...(viewer.scopes ? { scopes: viewer.scopes } : {}),
    ...(saved.warning ? { warning: saved.warning } : {}),
  };
}

function refuseWhileEnvToken(host: string, env: NodeJS.ProcessEnv): void {
  const fromEnv = envTokenFor(host, env);
  if (fromEnv) {
    throw new CoworkerError(
      'ENV_TOKEN_SET',
      `${fromEnv.name} is set in your environment: myfav-coworker uses it for ${host} and will not store another token.`,
      `Keep using ${fromEnv.name}, or unset it (\`unset ${fromEnv.name}\`) and run the login again to store a token.`,
    );
  }
}
