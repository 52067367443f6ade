// GitHub sign-in for the MCP tools, over src/auth (loaded on first use: the keychain binding and
// Octokit are no cost to the handshake). An MCP server cannot prompt on stdin, so github_login
// returns the device-flow URL and code at once and the flow completes in the background; this
// adapter remembers a pending flow (asking again returns the same code) and how the last one ended.

import { toCoworkerError } from '../errors.js';
import type { Logger } from '../log.js';
import type { AppPaths } from '../paths.js';
import type { GithubAuthTools, GithubLoginStart, GithubStatus } from './context.js';

interface Pending {
  verificationUri: string;
  userCode: string;
  host: string;
  expiresAt: number;
}

export function createGithubAuthTools(opts: {
  paths: AppPaths;
  logger: Logger;
  /** Aborted on shutdown: stops polling GitHub for a pending login. */
  signal: AbortSignal;
}): GithubAuthTools {
  let pending: Pending | undefined;
  let lastOutcome: string | undefined;
  return {
    async startLogin(): Promise<GithubLoginStart> {
      if (pending && pending.expiresAt - Date.now() > 60_000) {
        return {
          ...pending,
          expiresInSeconds: Math.round((pending.expiresAt - Date.now()) / 1000),
          alreadyPending: true,
        };
      }
      const { resolveHost, startDeviceLogin } = await import('../auth/index.js');
      const host = await resolveHost(undefined, process.env, opts.paths);
      const flow = await startDeviceLogin({
        host,
        paths: opts.paths,
        logger: opts.logger,
        signal: opts.signal,
      });
      const started: Pending = {
        verificationUri: flow.verificationUri,
        userCode: flow.userCode,
        host,
        expiresAt: Date.now() + flow.expiresIn * 1000,
      };
      pending = started;
      flow.completion.then(
        (result) => {
          if (pending === started) pending = undefined;
          lastOutcome = `The last sign-in succeeded: ${result.login} on ${result.host} (token stored in ${result.storedIn}).`;
          opts.logger.info(`GitHub: logged in to ${result.host} as ${result.login}`);
        },
        (err: unknown) => {
          if (pending === started) pending = undefined;
          const error = toCoworkerError(err);
          lastOutcome = `The last sign-in attempt did not complete: ${error.message}`;
          if (error.code !== 'CANCELLED') opts.logger.warn(`GitHub login: ${error.message}`);
        },
      );
      return { ...started, expiresInSeconds: flow.expiresIn, alreadyPending: false };
    },

    async status(): Promise<GithubStatus> {
      const [{ authStatus }, { describeTokenSource }] = await Promise.all([
        import('../auth/index.js'),
        import('../github/apiErrors.js'),
      ]);
      const status = await authStatus({ paths: opts.paths, signal: opts.signal });
      return {
        loggedIn: status.loggedIn,
        host: status.host,
        ...(status.login ? { user: status.login } : {}),
        ...(status.source ? { source: describeTokenSource(status.source) } : {}),
        ...(status.problem ? { problem: status.problem } : {}),
        ...(status.fix ? { fix: status.fix } : {}),
        ...(pending && pending.expiresAt > Date.now()
          ? { pendingLogin: { verificationUri: pending.verificationUri, userCode: pending.userCode } }
          : {}),
        ...(lastOutcome ? { lastOutcome } : {}),
      };
    },
  };
}
