// The Anthropic client: the only place @anthropic-ai/sdk is loaded (lazily, so `--help` and the MCP
// handshake never pay for it), configured for a job that must never hang on the API and never write to
// stdout:
// - retries: the SDK's own (408/409/429/5xx/529, honouring retry-after), `maxRetries` attempts more;
// - timeouts: per request; the agent loop also aborts a request when the run's time budget is up;
// - logs: through our Logger (stderr, secrets redacted), never at debug level (which logs whole bodies:
//   the PR text and pages), whatever ANTHROPIC_LOG says;
// - base URL: the SDK reads ANTHROPIC_BASE_URL itself (proxies, gateways, and our fake server in tests).

import type Anthropic from '@anthropic-ai/sdk';
import { CancelledError, CoworkerError } from '../errors.js';
import type { Logger } from '../log.js';

export type AnthropicClient = Anthropic;

export interface ClientOptions {
  apiKey: string;
  logger: Logger;
  /** Default 2 (three attempts in all). */
  maxRetries?: number;
  /** Per attempt; default 120 s (a reply of a few thousand tokens takes well under a minute). */
  timeoutMs?: number;
}

export async function createAnthropicClient(opts: ClientOptions): Promise<AnthropicClient> {
  const { default: AnthropicSdk } = await import('@anthropic-ai/sdk');
  const log = opts.logger;
  const line = (args: unknown[]) =>
    args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : safeJson(a))).join(' ');
  return new AnthropicSdk({
    apiKey: opts.apiKey,
    maxRetries: opts.maxRetries ?? 2,
    timeout: opts.timeoutMs ?? 120_000,
    logLevel: process.env.MYFAV_DEBUG ? 'info' : 'warn',
    logger: {
      debug: (...args: unknown[]) => log.debug(`anthropic: ${line(args)}`),
      info: (...args: unknown[]) => log.debug(`anthropic: ${line(args)}`),
      warn: (...args: unknown[]) => log.warn(`anthropic: ${line(args)}`),
      error: (...args: unknown[]) => log.error(`anthropic: ${line(args)}`),
    },
  });
}

/**
 * What a failed request means for the job: a CoworkerError, or `'aborted'` for an abort (the caller knows
 * whether that was a cancel or the time budget) and `'context-full'` for a prompt too long for the model
 * (an ended run, not a failure).
 */
export async function describeApiFailure(
  err: unknown,
  baseURL: string,
  model: string,
  maxRetries: number,
): Promise<CoworkerError | 'aborted' | 'context-full'> {
  const sdk = await import('@anthropic-ai/sdk');
  if (err instanceof CancelledError) return 'aborted';
  if (err instanceof sdk.APIUserAbortError) return 'aborted';
  if (err instanceof sdk.APIConnectionTimeoutError) {
    return new CoworkerError(
      'AGENT_FAILED',
      `The Anthropic API at ${baseURL} did not answer in time (${maxRetries + 1} attempts).`,
      'Try again later, or run with --no-agent to skip the AI exploration.',
      { cause: err },
    );
  }
  if (err instanceof sdk.APIConnectionError) {
    return new CoworkerError(
      'AGENT_FAILED',
      `Could not reach the Anthropic API at ${baseURL}: ${firstLine(err)}.`,
      'Check the network connection (and ANTHROPIC_BASE_URL if you set it), or run with --no-agent.',
      { cause: err },
    );
  }
  if (err instanceof sdk.APIError && typeof err.status === 'number') {
    const status = err.status;
    const what = err.apiMessage ?? firstLine(err);
    const id = err.requestID ? ` (request id ${err.requestID})` : '';
    if (status === 400 && /prompt is too long|context window|too many tokens/i.test(what))
      return 'context-full';
    if (status === 401 || status === 403) {
      return new CoworkerError(
        'AGENT_FAILED',
        `The Anthropic API refused the API key (HTTP ${status}: ${what}).`,
        'Check ANTHROPIC_API_KEY (or "anthropicApiKey" in the config file), or run with --no-agent.',
        { cause: err },
      );
    }
    if (status === 404) {
      return new CoworkerError(
        'AGENT_FAILED',
        `The Anthropic API does not know the model ${JSON.stringify(model)} (HTTP 404: ${what}).`,
        'Choose another model with --model or MYFAV_MODEL (e.g. claude-sonnet-5-5).',
        { cause: err },
      );
    }
    if (status === 429 || status >= 500) {
      return new CoworkerError(
        'AGENT_FAILED',
        `The Anthropic API kept failing: HTTP ${status}${err.type ? ` ${err.type}` : ''}: ${what}${id}, ` +
          `${maxRetries + 1} attempts.`,
        'The API is overloaded or having problems (see status.anthropic.com): try again later, or run with --no-agent.',
        { cause: err },
      );
    }
    return new CoworkerError(
      'AGENT_FAILED',
      `The Anthropic API rejected a request: HTTP ${status}: ${what}${id}.`,
      'This is likely a bug in myfav-coworker: report it with the job id. Run with --no-agent meanwhile.',
      { cause: err },
    );
  }
  return new CoworkerError(
    'AGENT_FAILED',
    `The AI exploration failed: ${firstLine(err)}.`,
    'Run again with MYFAV_DEBUG=1 for details, or with --no-agent to skip the AI exploration.',
    { cause: err },
  );
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? text).replace(/[.\s]+$/, '');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
