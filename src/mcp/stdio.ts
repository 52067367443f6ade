// `myfav-coworker mcp`: the MCP server on stdin/stdout, and its life cycle.
//
// - stdout carries protocol only (stdoutGuard.ts); logs go to stderr; child processes never get our stdio.
// - The handshake waits for nothing heavy: the job history opens after `initialized` (or on the first
//   tool call), Playwright and the Anthropic SDK load when a job needs them, sharp when a report is shown.
// - It stops when stdin closes (the SDK's transport does not notice that by itself), on SIGTERM,
//   SIGINT or SIGHUP, and when stdout breaks: running jobs are cancelled and torn down (their app
//   process groups killed), queued ones marked cancelled, then it returns the exit code to main.

import { PassThrough, type Readable, type Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Deps } from '../deps.js';
import type { Outcome } from '../exit.js';
import { JobService } from '../jobs/service.js';
import type { Logger } from '../log.js';
import type { McpContext } from './context.js';
import type { EarlyHandshake } from './earlyInitialize.js';
import { createGithubAuthTools } from './githubAuth.js';
import { createServer } from './server.js';
import { reserveStdoutForProtocol } from './stdoutGuard.js';

export interface StdioServerOptions {
  deps: Deps;
  version: string;
  /** How long running jobs get to tear down on shutdown before what is left is killed. */
  shutdownDeadlineMs?: number;
  /** The handshake the entry already answered (earlyInitialize.ts): stdin as read so far, and the answer. */
  early?: EarlyHandshake;
}

/** Serve until the client goes away or a signal arrives; resolves with how it ended (src/exit.ts maps it). */
export async function runStdioServer(opts: StdioServerOptions): Promise<Outcome> {
  const protocolOut = reserveStdoutForProtocol();
  const { deps } = opts;
  const logger = deps.logger;
  const lifetime = new AbortController();
  let notifyReports = () => {};
  const service = new JobService({
    paths: deps.paths,
    logger,
    store: () => deps.store(),
    jobDeps: () => ({ paths: deps.paths, logger, store: deps.store(), github: deps }),
    // One GET of the PR, so the same PR at the same commit maps to one job. Octokit loads on first use.
    githubHead: async (target, signal) => {
      const { resolveHeadSha } = await import('../jobs/githubTarget.js');
      return resolveHeadSha(target, deps, {
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
    pullRequests: deps,
    github: createGithubAuthTools({ paths: deps.paths, logger, signal: lifetime.signal }),
  };
  const server = createServer(ctx);
  notifyReports = () => {
    if (server.isConnected()) server.sendResourceListChanged();
  };
  // After the handshake, in the background: mark jobs that dead processes left behind.
  server.server.oninitialized = () =>
    // A tick later: the SDK handles a notification sooner than a request that came before it, so when
    // both arrive at once (a replayed handshake) `initialize` may not have been handled yet.
    setImmediate(() => {
      const client = server.server.getClientVersion();
      const capabilities = Object.keys(server.server.getClientCapabilities() ?? {});
      logger.debug(
        `MCP client: ${client?.name ?? '?'} ${client?.version ?? '?'} (capabilities: ${capabilities.join(', ') || 'none'})`,
      );
      void service.start();
    });

  let resolveExit: (outcome: Outcome) => void = () => {};
  const exited = new Promise<Outcome>((resolve) => {
    resolveExit = resolve;
  });
  let stopping = false;
  const stop = async (why: string, outcome: Outcome = { kind: 'done' }) => {
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
    resolveExit(outcome);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal: stop waiting for teardown.
      logger.warn(`${signal} again: exiting without waiting for clean-up`);
      resolveExit({ kind: 'signal', signal });
      return;
    }
    void stop(`received ${signal}`);
  };
  const onStdinEnd = () => void stop('the client closed stdin');
  const onStdoutError = (err: NodeJS.ErrnoException) =>
    void stop(`stdout failed (${err.code ?? err.message})`);
  const onFatal = (err: unknown) => {
    logger.error(`unexpected error: ${(err as Error)?.stack ?? err}`);
    void stop('an unexpected error', { kind: 'failed' });
  };

  // A client that goes away closes our stderr too. A failed log write must not become an uncaught
  // error: onFatal would log it to the same broken pipe, again and again, and starve the event loop
  // (seen: a server spinning at full CPU, deaf to SIGTERM, after its client died).
  process.stderr.on('error', () => {});
  process.stdin.on('end', onStdinEnd);
  process.stdin.on('close', onStdinEnd);
  process.stdout.on('error', onStdoutError);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);

  const transport = opts.early
    ? new StdioServerTransport(replayed(opts.early), withoutSecondAnswer(protocolOut, opts.early, logger))
    : new StdioServerTransport(process.stdin, protocolOut);
  transport.onerror = (err) => logger.debug(`stdio transport: ${err.message}`);
  await server.connect(transport);
  // stdin may have ended before the listeners above were on it: while the entry read the first line
  // (early.ended), or after, while the server loaded (a client that sends `initialize` and closes stdin
  // at once; Node 22 then emits 'end' on the paused stdin, with nobody listening). 'end' does not come
  // twice, and without it `exited` would never settle: Node 22 exits 13, "unsettled top-level await".
  if (opts.early?.ended || process.stdin.readableEnded || process.stdin.destroyed) setImmediate(onStdinEnd);
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

/** stdin as the SDK's transport reads it: what the entry already read, then the rest. */
function replayed(early: EarlyHandshake): Readable {
  const input = new PassThrough();
  input.write(early.buffered);
  process.stdin.pipe(input);
  process.stdin.resume();
  return input;
}

/**
 * The protocol output, minus the SDK's answer to an `initialize` the entry has answered already. The
 * two answers must be the same: a difference is a bug (identity.ts out of step with the SDK) and logged.
 */
function withoutSecondAnswer(out: Writable, early: EarlyHandshake, logger: Logger): Writable {
  const answered = early.answered;
  if (!answered) return out;
  let pending = true;
  const filtered = Object.create(out) as Writable;
  filtered.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (pending) {
      try {
        const message = JSON.parse(String(chunk)) as { id?: unknown; result?: unknown; error?: unknown };
        if (message.id === answered.id) {
          pending = false;
          if (JSON.stringify(message.result) !== JSON.stringify(answered.result)) {
            logger.warn(
              `the early initialize answer differs from the SDK's: ${JSON.stringify(answered.result)} vs ${JSON.stringify(message.result ?? message.error)}`,
            );
          }
          const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
          done?.();
          return true;
        }
      } catch {
        // Not one whole JSON message: not the answer we look for.
      }
    }
    return (out.write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as Writable['write'];
  return filtered;
}
