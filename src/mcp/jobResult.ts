import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isFinished } from '../jobs/service.js';
import type { JobRecord } from '../jobs/store.js';
import type { McpContext } from './context.js';
import { keyScreenshots } from './images.js';
import { renderFinished, renderInProgress } from './render.js';
import { textResult } from './results.js';

/**
 * A job as a tool result: where it is while it runs; verdict, findings and key screenshots (as image
 * content) once it is done. `lead` goes first (e.g. "This job was already running").
 */
export async function jobResult(ctx: McpContext, job: JobRecord, lead?: string): Promise<CallToolResult> {
  const prefix = lead ? `${lead}\n\n` : '';
  if (!isFinished(job.status)) {
    return textResult(
      prefix +
        renderInProgress(job, {
          position: ctx.service.position(job.id),
          last: ctx.service.lastProgress(job.id),
        }),
    );
  }
  const report = ctx.service.report(job.id);
  const shots = report
    ? await keyScreenshots(report).catch((err: unknown) => {
        ctx.logger.warn(`could not attach screenshots of job ${job.id}: ${(err as Error).message}`);
        return [];
      })
    : [];
  return textResult(
    prefix + renderFinished(job, report, shots),
    shots.map((s) => s.image),
  );
}
