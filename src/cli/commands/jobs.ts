import type { Command } from 'commander';
import { clip } from '../../clip.js';
import type { Deps } from '../../deps.js';
import { CoworkerError } from '../../errors.js';
import type { JobRecord } from '../../jobs/store.js';
import { type JobStatus, jobStatuses as statuses } from '../../report/model.js';
import { colorEnabled, formatElapsed, styler, writeJson } from '../output.js';

export function registerJobs(program: Command, deps: () => Deps): void {
  program
    .command('jobs')
    .description('List past and running simulations, newest first')
    .option('--limit <n>', 'how many to show', (v) => Number.parseInt(v, 10), 20)
    .option('--status <status>', `only jobs with this status (${statuses.join(', ')})`)
    .option('--json', 'print JSON')
    .action(async (flags: { limit: number; status?: string; json?: boolean }) => {
      if (flags.status && !statuses.includes(flags.status as JobStatus)) {
        throw new CoworkerError(
          'INVALID_INPUT',
          `Unknown status "${flags.status}".`,
          `Use one of: ${statuses.join(', ')}.`,
        );
      }
      if (!Number.isInteger(flags.limit) || flags.limit < 1) {
        throw new CoworkerError('INVALID_INPUT', '--limit takes a positive whole number.', 'e.g. --limit 50');
      }
      const jobs = (await deps().history()).list({
        limit: flags.limit,
        ...(flags.status ? { status: flags.status as JobStatus } : {}),
      });
      if (flags.json) {
        writeJson(jobs.map(publicJob));
        return;
      }
      if (jobs.length === 0) {
        process.stdout.write(
          'No simulations yet. Try: myfav-coworker simulate ./path/to/repo --head <branch>\n',
        );
        return;
      }
      process.stdout.write(`${renderJobsTable(jobs, colorEnabled(process.stdout))}\n`);
    });
}

/** What `jobs --json` shows of a job: no internal paths of in-flight leftovers. */
export function publicJob(job: JobRecord) {
  return {
    id: job.id,
    status: job.status,
    phase: job.phase,
    verdict: job.verdict,
    summary: job.summary,
    target: job.targetInput,
    repo: job.repo,
    prUrl: job.prUrl,
    headRef: job.headRef,
    headSha: job.headSha,
    baseRef: job.baseRef,
    baseSha: job.baseSha,
    error: job.error,
    artifactDir: job.artifactDir,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
}

/** "feature/x@3cd1c93"; a head given as a commit is just "3cd1c93", not "3cd1c936@3cd1c93". */
function describeHeadCell(ref: string | null | undefined, sha: string | null | undefined): string {
  const short = sha ? sha.slice(0, 7) : '';
  if (!ref) return short;
  if (sha && /^[0-9a-f]{4,40}$/i.test(ref) && sha.toLowerCase().startsWith(ref.toLowerCase())) return short;
  return short ? `${ref}@${short}` : ref;
}

function renderJobsTable(jobs: JobRecord[], color: boolean): string {
  const style = styler(color);
  const rows = jobs.map((job) => {
    const outcome = job.status === 'completed' ? (job.verdict ?? '-') : job.status;
    const duration =
      job.startedAt && job.finishedAt
        ? formatElapsed(Date.parse(job.finishedAt) - Date.parse(job.startedAt))
        : '';
    const head = describeHeadCell(job.headRef, job.headSha);
    return [job.id, outcome, job.targetInput, head, job.createdAt.replace('T', ' ').slice(0, 19), duration];
  });
  const header = ['ID', 'RESULT', 'TARGET', 'HEAD', 'CREATED (UTC)', 'TIME'];
  const widths = header.map((h, i) =>
    Math.min(48, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))),
  );
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => clip(c, widths[i]!).padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const paint = (outcome: string, text: string) =>
    outcome === 'pass'
      ? style('green', text)
      : outcome === 'fail' || outcome === 'error'
        ? style('red', text)
        : style('yellow', text);
  return [
    style('bold', fmt(header)),
    ...rows.map((r) => {
      const line = fmt(r);
      const outcome = r[1] ?? '';
      const start = line.indexOf(outcome, r[0]!.length);
      return start < 0
        ? line
        : `${line.slice(0, start)}${paint(outcome, outcome)}${line.slice(start + outcome.length)}`;
    }),
  ].join('\n');
}
