import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { clipNoting } from '../../clip.js';
import type { ProgressEvent } from '../../jobs/progress.js';
import type { JobRecord } from '../../jobs/store.js';
import { formatDuration } from '../../report/format.js';
import type { McpContext } from '../context.js';
import { MAX_WAIT_SECONDS } from '../identity.js';
import { sanitize } from '../untrusted.js';

export { MAX_WAIT_SECONDS };

/** How often a waiting call reports progress when the pipeline itself is quiet (a long install). */
const HEARTBEAT_MS = 10_000;

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export function clampWait(seconds: number | undefined): number {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return 0;
  return Math.min(seconds, MAX_WAIT_SECONDS);
}

/**
 * Wait for a job up to `seconds`, sending progress notifications with the current phase when the
 * client gave a progress token. Returns the job as it is when the wait ends. The client cancelling
 * the request ends the wait (not the job).
 */
export async function waitForJob(
  ctx: McpContext,
  jobId: string,
  seconds: number,
  extra: ToolExtra,
): Promise<JobRecord> {
  const token = extra._meta?.progressToken;
  if (token === undefined) {
    return ctx.service.waitFor(jobId, { timeoutMs: seconds * 1000, signal: extra.signal });
  }
  let count = 0;
  let lastSent = 0;
  let lastPhase = '';
  const send = (message: string) => {
    count++;
    lastSent = Date.now();
    extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress: count, message },
      })
      .catch(() => {});
  };
  const onProgress = (event: ProgressEvent) => {
    lastPhase = event.phase;
    // Page paths and app output are the app's text: shown cleaned and short.
    send(`${event.phase}: ${clipNoting(sanitize(event.message), 160)}`);
  };
  const started = Date.now();
  const heartbeat = setInterval(() => {
    if (Date.now() - lastSent < HEARTBEAT_MS) return;
    send(`${lastPhase || 'waiting'}: still working (${formatDuration(Date.now() - started)} so far)`);
  }, 1000);
  try {
    const now = ctx.service.lastProgress(jobId);
    if (now) onProgress(now);
    return await ctx.service.waitFor(jobId, { timeoutMs: seconds * 1000, signal: extra.signal, onProgress });
  } finally {
    clearInterval(heartbeat);
  }
}
