import { readFile } from 'node:fs/promises';
import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CoworkerError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import type { McpContext } from './context.js';
import { reportUri } from './render.js';

/** How many recent reports resources/list shows. */
const LISTED_REPORTS = 20;

/** Each finished job's report.md as a resource, `myfav-coworker://jobs/{job_id}/report.md`. */
export function registerReportResources(server: McpServer, ctx: McpContext): void {
  server.registerResource(
    'simulation-report',
    new ResourceTemplate('myfav-coworker://jobs/{job_id}/report.md', {
      list: async () => {
        const jobs = await ctx.service.list({ limit: LISTED_REPORTS * 2 });
        return {
          resources: jobs
            // A job that started and finished wrote a report; one cancelled while queued never did.
            .filter(
              (job) => job.finishedAt !== null && job.startedAt !== null && job.status !== 'interrupted',
            )
            .slice(0, LISTED_REPORTS)
            .map((job) => ({
              uri: reportUri(job.id),
              name: `report-${job.id}`,
              title: `Simulation ${job.id}: ${job.status === 'completed' ? (job.verdict ?? 'inconclusive') : job.status} — ${job.targetInput}`,
              mimeType: 'text/markdown',
            })),
        };
      },
    }),
    {
      title: 'Simulation report',
      description:
        'The Markdown report of a finished simulation job (verdict, findings, steps to reproduce, evidence).',
      mimeType: 'text/markdown',
    },
    async (uri, variables) => {
      const id = String(variables.job_id ?? '');
      const job = await ctx.service.get(id);
      const report = ctx.service.report(job.id);
      if (!report) {
        throw new CoworkerError(
          'JOB_NOT_FOUND',
          `Simulation job ${job.id} has no report (status ${job.status}).`,
          'Reports exist once a job has finished; see get_simulation.',
        );
      }
      const text = await readFile(report.artifacts.reportMd, 'utf8').catch(() => {
        throw new CoworkerError(
          'JOB_NOT_FOUND',
          `The report file of job ${job.id} is gone (${report.artifacts.reportMd}).`,
          'Run the simulation again.',
        );
      });
      return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: redactSecrets(text) }] };
    },
  );
}
