// `myfav-coworker mcp`: the MCP server on stdin/stdout, and its life cycle.
//
// - stdout carries protocol only (stdoutGuard.ts); logs go to stderr; child processes never get our stdio.
// - The handshake waits for nothing heavy: the job history opens after `initialized` (or on the first
//   tool call), Playwright and the Anthropic SDK load when a job needs them, sharp when a report is shown.
// - It stops when stdin closes (the SDK's transport does not notice that by itself), on SIGTERM,
//   SIGINT or SIGHUP, and when stdout breaks: running jobs are cancelled and torn down (their app
//   process groups killed), queued ones marked cancelled, then it returns the exit code to main.

import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Deps } from '../deps.js';
import { defaultGithubDeps } from '../github/deps.js';
import type { TargetSpec } from '../jobs/request.js';
import { JobService } from '../jobs/service.js';
import type { McpContext } from './context.js';
import { createGithubAuthTools } from './githubAuth.js';
import { createServer } from './server.js';
import { reserveStdoutForProtocol } from './stdoutGuard.js';

export interface StdioServerOptions {
  deps: Deps;
  version: string;
  parseTarget(input: string, refs: { head?: string; base?: string }): TargetSpec;
  /** How long running jobs get to tear down on shutdown before what is left is killed. */
  shutdownDeadlineMs?: number;
}

/** Serve until the client goes away or a signal arrives; resolves with the exit code. */
export async function runStdioServer(opts: StdioServerOptions): Promise<number> {
  const protocolOut = reserveStdoutForProtocol();
  const { deps } = opts;
  const logger = deps.logger;
  const lifetime = new AbortController();
  let notifyReports = () => {};
  const service = new JobService({
    paths: deps.paths,
    logger,
    store: () => deps.store(),
    jobDeps: () => ({ paths: deps.paths, logger, store: deps.store() }),
    // One GET of the PR, so the same PR at the same commit maps to one job. Octokit loads on first use.
    githubHead: async (target, signal) => {
      const { resolveHeadSha } = await import('../github/headSha.js');
      return resolveHeadSha(target, {
        paths: deps.paths,
        signal: signal ? AbortSignal.any([signal, lifetime.signal]) : lifetime.signal,
      });
    },
    // A finished job adds a report resource.
    onFinished: () => notifyReports(),
  });
  const ctx: McpContext = {
    service,
    logger,
    version: opts.version,
    parseTarget: opts.parseTarget,
    pullRequests: defaultGithubDeps({ paths: deps.paths, logger }),
    github: createGithubAuthTools({ paths: deps.paths, logger, signal: lifetime.signal }),
  };
  const server = createServer(ctx);
  notifyReports = () => {
    if (server.isConnected()) server.sendResourceListChanged();
  };
  // After the handshake, in the background: mark jobs that dead processes left behind.
  server.server.oninitialized = () => setImmediate(() => void service.start());

  let resolveExit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });
  let stopping = false;
  const stop = async (why: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info(`myfav-coworker MCP server: ${why}; stopping`);
    lifetime.abort();
    try {
      await service.shutdown(`Cancelled: the MCP server stopped (${why}).`, opts.shutdownDeadlineMs ?? 5000);
    } catch (err) {
      logger.error(`shutdown: ${(err as Error).message}`);
    }
    await server.close().catch(() => {});
    resolveExit(code);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal: stop waiting for teardown.
      logger.warn(`${signal} again: exiting without waiting for clean-up`);
      resolveExit(signal === 'SIGINT' ? 130 : 143);
      return;
    }
    void stop(`received ${signal}`);
  };
  const onStdinEnd = () => void stop('the client closed stdin');
  const onStdoutError = (err: NodeJS.ErrnoException) =>
    void stop(`stdout failed (${err.code ?? err.message})`);
  const onFatal = (err: unknown) => {
    logger.error(`unexpected error: ${(err as Error)?.stack ?? err}`);
    void stop('an unexpected error', 2);
  };

  process.stdin.on('end', onStdinEnd);
  process.stdin.on('close', onStdinEnd);
  process.stdout.on('error', onStdoutError);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);

  const transport = new StdioServerTransport(process.stdin, protocolOut);
  transport.onerror = (err) => logger.debug(`stdio transport: ${err.message}`);
  await server.connect(transport);
  logger.debug(`myfav-coworker MCP server ${opts.version} ready on stdio (pid ${process.pid})`);

  try {
    return await exited;
  } finally {
    process.stdin.off('end', onStdinEnd);
    process.stdin.off('close', onStdinEnd);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('SIGHUP', onSignal);
    // Keep the stdout and fatal-error handlers: main exits right after, and a late EPIPE must not crash it.
  }
}
