import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { jobListItem } from '../../report/machine.js';
import type { JobStatus } from '../../report/model.js';
import type { McpContext } from '../context.js';
import { jobResult } from '../jobResult.js';
import { renderJobLine } from '../render.js';
import { guarded, toolResult } from '../results.js';
import { cancelOutput, listOutput, simulationOutput } from '../schemas.js';
import { clampWait, MAX_WAIT_SECONDS, waitForJob } from './waiting.js';

const statuses = [
  'queued',
  'running',
  'completed',
  'error',
  'cancelled',
  'interrupted',
] as const satisfies readonly JobStatus[];

const jobId = z
  .string()
  .min(4)
  .max(64)
  .describe('The job_id that simulate_pr returned (or list_simulations shows).');

export function registerJobTools(server: McpServer, ctx: McpContext): void {
  server.registerTool(
    'get_simulation',
    {
      title: 'Get a simulation',
      description: `The state of a simulation job. While it runs: status (queued or running), the current phase (checkout, install, launch, crawl, agent, report) and the elapsed time. Once finished: the verdict (pass, fail or inconclusive) or why there is none, a summary, the findings with steps to reproduce, the key screenshots as images, and the paths of the full report, trace and logs on the user's machine.

Pass wait_seconds (up to ${MAX_WAIT_SECONDS}) to wait for the job to finish before answering; call again while it is still running.`,
      inputSchema: {
        job_id: jobId,
        wait_seconds: z
          .number()
          .min(0)
          .max(3600)
          .optional()
          .describe(
            `Wait up to this many seconds for the job to finish (at most ${MAX_WAIT_SECONDS}). Default 0: answer at once.`,
          ),
      },
      outputSchema: simulationOutput,
      annotations: {
        title: 'Get a simulation',
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async (args, extra) =>
      guarded(ctx.logger, async () => {
        const job = await ctx.service.get(args.job_id);
        const wait = clampWait(args.wait_seconds);
        return jobResult(ctx, wait > 0 ? await waitForJob(ctx, job.id, wait, extra) : job);
      }),
  );

  server.registerTool(
    'list_simulations',
    {
      title: 'List simulations',
      description:
        'Recent simulation jobs, newest first: id, status (and verdict once completed), target and head commit, when it was created and how long it took. Jobs started from the terminal (`myfav-coworker simulate`) are included. Use get_simulation for the details of one.',
      inputSchema: {
        limit: z.number().int().min(1).max(50).optional().describe('How many jobs to list (default 10).'),
        status: z.enum(statuses).optional().describe('Only jobs with this status.'),
      },
      outputSchema: listOutput,
      annotations: {
        title: 'List simulations',
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async (args) =>
      guarded(ctx.logger, async () => {
        const jobs = await ctx.service.list({
          limit: args.limit ?? 10,
          ...(args.status ? { status: args.status } : {}),
        });
        const structured = { jobs: jobs.map(jobListItem) };
        if (jobs.length === 0) {
          return toolResult(
            args.status
              ? `No simulation jobs with status ${args.status}.`
              : 'No simulations yet. Start one with simulate_pr.',
            structured,
          );
        }
        return toolResult(
          [`${jobs.length} most recent simulation job(s), newest first:`, ...jobs.map(renderJobLine)].join(
            '\n',
          ),
          structured,
        );
      }),
  );

  server.registerTool(
    'cancel_simulation',
    {
      title: 'Cancel a simulation',
      description:
        'Stop a queued or running simulation job: its app and browser processes are killed and its checkout removed; its status becomes cancelled. A job that already finished is left as it is. Use it when the user asks to stop, or when you started the wrong target.',
      inputSchema: { job_id: jobId },
      outputSchema: cancelOutput,
      annotations: {
        title: 'Cancel a simulation',
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async (args) =>
      guarded(ctx.logger, async () => {
        const { job, outcome } = await ctx.service.cancel(args.job_id, 'Cancelled with cancel_simulation.');
        const answer = (text: string) => toolResult(text, { job_id: job.id, status: job.status, outcome });
        switch (outcome) {
          case 'cancelled':
            return answer(
              `Cancelled simulation job ${job.id}; its processes were stopped and its checkout removed. Status: ${job.status}.`,
            );
          case 'finished':
            return answer(
              `Simulation job ${job.id} had already finished (${job.status}${job.verdict ? `, verdict ${job.verdict}` : ''}); nothing to cancel.`,
            );
          case 'interrupted':
            return answer(
              `Simulation job ${job.id} was not running any more: the process running it had stopped. It is marked interrupted and its leftovers were cleaned up.`,
            );
          case 'requested':
            return answer(
              `Asked the process running simulation job ${job.id} to stop it, but it is still ${job.status}. Check again with get_simulation in a few seconds. If it was started in a terminal with \`myfav-coworker simulate\`, it can only be stopped there (Ctrl-C).`,
            );
        }
      }),
  );
}
