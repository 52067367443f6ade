import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Deps } from '../../deps.js';
import { CoworkerError } from '../../errors.js';
import type { JobRecord } from '../../jobs/store.js';
import { simulationView } from '../../report/machine.js';
import { writeJson } from '../output.js';

export function registerShow(program: Command, deps: () => Deps): void {
  program
    .command('show')
    .description('Print the report of one simulation (Markdown, or JSON with --json)')
    .argument('<job-id>', 'the job id (or an unambiguous prefix) from `myfav-coworker jobs`')
    .option('--json', "print the job as JSON (the fields of MCP's get_simulation, as simulate --json)")
    .action(async (idArg: string, flags: { json?: boolean }) => {
      const store = await deps().history();
      const job = store.lookup(idArg, 'List the jobs with `myfav-coworker jobs`.');
      const report = store.report(job.id);
      if (!report) {
        // Queued, running or interrupted: no report yet, show what the history knows.
        if (flags.json) writeJson(simulationView(job, undefined));
        else process.stdout.write(`${describeUnfinished(job)}\n`);
        return;
      }
      if (flags.json) {
        writeJson(simulationView(job, report));
        return;
      }
      const markdown = await readFile(report.artifacts.reportMd, 'utf8').catch(() => null);
      if (markdown === null) {
        throw new CoworkerError(
          'JOB_NOT_FOUND',
          `The report files of job ${job.id} are gone (${report.artifacts.dir}).`,
          `The stored summary: ${report.summary} — use \`myfav-coworker show ${job.id} --json\` for the rest.`,
        );
      }
      process.stdout.write(markdown.endsWith('\n') ? markdown : `${markdown}\n`);
    });
}

function describeUnfinished(job: JobRecord): string {
  const lines = [
    `Job ${job.id}: ${job.status}${job.phase ? ` (${job.phase})` : ''}`,
    `Target: ${job.targetInput}`,
  ];
  if (job.headSha) lines.push(`Head: ${job.headRef ?? ''} @ ${job.headSha.slice(0, 12)}`);
  if (job.error) lines.push(`${job.error.message}`, job.error.hint);
  return lines.filter(Boolean).join('\n');
}
