import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isFinished } from '../jobs/service.js';
import type { JobRecord } from '../jobs/store.js';
import { type SimulationView, simulationView } from '../report/machine.js';
import type { McpContext } from './context.js';
import { keyScreenshots } from './images.js';
import { renderFinished, renderInProgress } from './render.js';
import { toolResult } from './results.js';

/**
 * A job as a tool result: where it is while it runs; verdict, findings and key screenshots (as image
 * content) once it is done — as text, and as `structuredContent` (get_simulation's outputSchema, plus
 * whatever `fields` adds, e.g. simulate_pr's `reused`). `lead` goes first in the text.
 */
export async function jobResult(
  ctx: McpContext,
  job: JobRecord,
  opts: { lead?: string; fields?: object } = {},
): Promise<CallToolResult> {
  const prefix = opts.lead ? `${opts.lead}\n\n` : '';
  const structured = (view: SimulationView) => ({ ...view, ...opts.fields });
  if (!isFinished(job.status)) {
    const position = ctx.service.position(job.id);
    return toolResult(
      prefix + renderInProgress(job, { position, last: ctx.service.lastProgress(job.id) }),
      structured(simulationView(job, undefined, position)),
    );
  }
  const report = ctx.service.report(job.id);
  const shots = report
    ? await keyScreenshots(report).catch((err: unknown) => {
        ctx.logger.warn(`could not attach screenshots of job ${job.id}: ${(err as Error).message}`);
        return [];
      })
    : [];
  return toolResult(
    prefix + renderFinished(job, report, shots),
    structured(simulationView(job, report)),
    shots.map((s) => s.image),
  );
}
