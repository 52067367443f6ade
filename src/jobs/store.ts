import { CoworkerError, type ErrorInfo } from '../errors.js';
import type { JobStatus, Phase, Report, Verdict } from '../report/model.js';
import type { Db } from './db.js';
import type { SimulationRequest } from './request.js';

export interface JobRecord {
  id: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  status: JobStatus;
  phase: Phase | null;
  verdict: Verdict | null;
  summary: string | null;
  targetInput: string;
  targetKind: 'local' | 'github';
  repo: string | null;
  prUrl: string | null;
  prNumber: number | null;
  headRef: string | null;
  headSha: string | null;
  baseRef: string | null;
  baseSha: string | null;
  error: ErrorInfo | null;
  artifactDir: string;
  worktreeDir: string | null;
  mirrorDir: string | null;
  tempDir: string | null;
  ownerPid: number | null;
  appPgid: number | null;
  request: SimulationRequest;
  dedupeKey: string | null;
}

/** Columns a running job updates as it goes (phase, what it has learned, what it must clean up). */
export interface JobProgressPatch {
  phase?: Phase;
  repo?: string;
  prUrl?: string;
  prNumber?: number;
  headRef?: string;
  headSha?: string;
  baseRef?: string;
  baseSha?: string;
  worktreeDir?: string | null;
  mirrorDir?: string;
  tempDir?: string | null;
  appPgid?: number | null;
  dedupeKey?: string;
}

const patchColumns: Record<keyof JobProgressPatch, string> = {
  phase: 'phase',
  repo: 'repo',
  prUrl: 'pr_url',
  prNumber: 'pr_number',
  headRef: 'head_ref',
  headSha: 'head_sha',
  baseRef: 'base_ref',
  baseSha: 'base_sha',
  worktreeDir: 'worktree_dir',
  mirrorDir: 'mirror_dir',
  tempDir: 'temp_dir',
  appPgid: 'app_pgid',
  dedupeKey: 'dedupe_key',
};

type Row = Record<string, unknown>;

/** The job history in SQLite. Shared by CLI runs and MCP servers, possibly in several processes. */
export class JobStore {
  constructor(private readonly db: Db) {}

  create(job: {
    id: string;
    request: SimulationRequest;
    artifactDir: string;
    status: 'queued' | 'running';
    dedupeKey?: string;
  }): JobRecord {
    const now = new Date().toISOString();
    this.db
      .prepare(
        `INSERT INTO jobs (id, created_at, started_at, status, target_input, target_kind, artifact_dir,
           request_json, dedupe_key, owner_pid)
         VALUES (@id, @now, @startedAt, @status, @input, @kind, @artifactDir, @request, @dedupeKey, @pid)`,
      )
      .run({
        id: job.id,
        now,
        startedAt: job.status === 'running' ? now : null,
        status: job.status,
        input: job.request.input,
        kind: job.request.target.kind,
        artifactDir: job.artifactDir,
        request: JSON.stringify(job.request),
        dedupeKey: job.dedupeKey ?? null,
        pid: process.pid,
      });
    return this.get(job.id)!;
  }

  /**
   * Create a job unless one with the same dedupe key is queued or running, in one IMMEDIATE
   * transaction: two MCP servers on the same data dir asked for the same thing get the same job.
   */
  createUnlessActive(job: Parameters<JobStore['create']>[0] & { dedupeKey: string }): {
    job: JobRecord;
    created: boolean;
  } {
    return this.db
      .transaction(() => {
        const active = this.findActive(job.dedupeKey);
        return active ? { job: active, created: false } : { job: this.create(job), created: true };
      })
      .immediate();
  }

  /**
   * Move a queued job to running, atomically: of two processes that try, exactly one gets it.
   * Returns false when someone else claimed it (or it was cancelled meanwhile).
   */
  claim(id: string): boolean {
    const row = this.db
      .prepare(
        `UPDATE jobs SET status = 'running', started_at = @now, owner_pid = @pid
         WHERE id = @id AND status = 'queued' RETURNING id`,
      )
      .get({ id, now: new Date().toISOString(), pid: process.pid });
    return row !== undefined;
  }

  update(id: string, patch: JobProgressPatch): void {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as [
      keyof JobProgressPatch,
      unknown,
    ][];
    if (entries.length === 0) return;
    const sets = entries.map(([key]) => `${patchColumns[key]} = @${key}`).join(', ');
    this.db.prepare(`UPDATE jobs SET ${sets} WHERE id = @id`).run({ id, ...Object.fromEntries(entries) });
  }

  /** Record the final report; it is the last word on the job (it replaces an earlier `interrupted` mark by a shutdown). */
  /**
   * Store a finished job's report. Its worktree and temp dir stay recorded: the job's teardown forgets
   * them once they are gone (forgetRemovedLeftovers), and what it could not remove the next start-up does.
   */
  finish(report: Report): void {
    this.db
      .prepare(
        `UPDATE jobs SET status = @status, verdict = @verdict, summary = @summary, finished_at = @finishedAt,
           error_code = @errorCode, error_message = @errorMessage, error_hint = @errorHint,
           timings_json = @timings, usage_json = @usage, report_json = @report, phase = NULL, app_pgid = NULL
         WHERE id = @id`,
      )
      .run({
        id: report.id,
        status: report.status,
        verdict: report.verdict,
        summary: report.summary,
        finishedAt: report.finishedAt ?? new Date().toISOString(),
        errorCode: report.error?.code ?? null,
        errorMessage: report.error?.message ?? null,
        errorHint: report.error?.hint ?? null,
        timings: JSON.stringify(report.timings),
        usage: report.agent?.usage ? JSON.stringify(report.agent.usage) : null,
        report: JSON.stringify(report),
      });
  }

  /** Cancel a job that has not started; returns false if it is no longer queued. */
  cancelQueued(id: string): boolean {
    const row = this.db
      .prepare(
        `UPDATE jobs SET status = 'cancelled', finished_at = @now, error_code = 'CANCELLED',
           error_message = 'Cancelled before it started.', error_hint = ''
         WHERE id = @id AND status = 'queued' RETURNING id`,
      )
      .get({ id, now: new Date().toISOString() });
    return row !== undefined;
  }

  get(id: string): JobRecord | undefined {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** A full id, or an unambiguous prefix of one (as `git` accepts short SHAs). */
  find(idOrPrefix: string): JobRecord | undefined | 'ambiguous' {
    const exact = this.get(idOrPrefix);
    if (exact) return exact;
    const matches = this.withPrefix(idOrPrefix, 2);
    if (matches.length > 1) return 'ambiguous';
    return matches[0];
  }

  /**
   * `find`, or a JOB_NOT_FOUND error a user can act on: the candidates of an ambiguous prefix, and
   * `listHint` (how to list the jobs from where the user is) when nothing matches.
   */
  lookup(idOrPrefix: string, listHint: string): JobRecord {
    const id = idOrPrefix.trim();
    const found = this.find(id);
    if (found === 'ambiguous') {
      const list = this.withPrefix(id)
        .map((j) => `${j.id} (${j.targetInput}, ${j.createdAt.replace('T', ' ').slice(0, 16)})`)
        .join('; ');
      throw new CoworkerError(
        'JOB_NOT_FOUND',
        `"${id}" matches more than one job: ${list}.`,
        'Type more of the id, or use the full job id.',
      );
    }
    if (!found) throw new CoworkerError('JOB_NOT_FOUND', `There is no simulation job "${id}".`, listHint);
    return found;
  }

  /** Jobs whose id starts with `prefix` (at least 4 characters), newest first. */
  withPrefix(prefix: string, limit = 5): JobRecord[] {
    if (prefix.length < 4) return [];
    const rows = this.db
      .prepare(`SELECT * FROM jobs WHERE id LIKE ? ESCAPE '\\' ORDER BY created_at DESC LIMIT ?`)
      .all(`${prefix.replace(/[\\%_]/g, '\\$&')}%`, limit) as Row[];
    return rows.map(toRecord);
  }

  report(id: string): Report | undefined {
    const row = this.db.prepare('SELECT report_json FROM jobs WHERE id = ?').get(id) as Row | undefined;
    return typeof row?.report_json === 'string' ? (JSON.parse(row.report_json) as Report) : undefined;
  }

  list(opts: { limit?: number; status?: JobStatus } = {}): JobRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM jobs WHERE (@status IS NULL OR status = @status) ORDER BY created_at DESC, id DESC LIMIT @limit`,
      )
      .all({ status: opts.status ?? null, limit: opts.limit ?? 20 }) as Row[];
    return rows.map(toRecord);
  }

  /** A queued or running job for the same target at the same head, if any. */
  findActive(dedupeKey: string): JobRecord | undefined {
    const row = this.db
      .prepare(
        `SELECT * FROM jobs WHERE dedupe_key = ? AND status IN ('queued', 'running') ORDER BY created_at DESC LIMIT 1`,
      )
      .get(dedupeKey) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /**
   * Jobs whose owning process is gone while they were running become `interrupted`; returns them so
   * their leftovers (process groups, worktrees, temp dirs) can be cleaned. Claimed in one IMMEDIATE
   * transaction so two processes starting together don't both clean the same job.
   *
   * Queued jobs of a dead owner are marked too, not adopted: only the process that queued a job runs
   * it (its in-memory queue holds it), and starting a PR's code later, unattended, in whichever
   * process happens to start next would surprise the user who asked. They can simply ask again.
   */
  markInterrupted(isOwnerAlive: (pid: number) => boolean): JobRecord[] {
    return this.db
      .transaction(() => {
        const active = (
          this.db.prepare(`SELECT * FROM jobs WHERE status IN ('running', 'queued')`).all() as Row[]
        ).map(toRecord);
        const orphans = active.filter((job) => job.ownerPid === null || !isOwnerAlive(job.ownerPid));
        const mark = this.db.prepare(
          `UPDATE jobs SET status = 'interrupted', finished_at = @now, error_code = 'INTERRUPTED',
             error_message = @message, error_hint = @hint WHERE id = @id AND status = @status`,
        );
        for (const job of orphans) {
          mark.run({
            id: job.id,
            status: job.status,
            now: new Date().toISOString(),
            message:
              job.status === 'queued'
                ? 'The process that queued this job stopped before the job started.'
                : `The process running this job stopped unexpectedly during ${job.phase ?? 'start-up'}.`,
            hint:
              job.status === 'queued'
                ? 'Nothing ran. Run the simulation again.'
                : 'Its leftovers were cleaned up. Run the simulation again.',
          });
        }
        return orphans;
      })
      .immediate();
  }

  /** After cleaning an interrupted job's leftovers, forget them. */
  /** Jobs that have finished but still have a worktree or temp dir recorded (see recovery.ts). */
  finishedWithLeftovers(): JobRecord[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM jobs WHERE status NOT IN ('running', 'queued')
             AND (worktree_dir IS NOT NULL OR temp_dir IS NOT NULL)`,
        )
        .all() as Row[]
    ).map(toRecord);
  }

  clearLeftovers(id: string): void {
    this.db
      .prepare('UPDATE jobs SET app_pgid = NULL, worktree_dir = NULL, temp_dir = NULL WHERE id = ?')
      .run(id);
  }
}

function toRecord(row: Row): JobRecord {
  const str = (key: string) => (row[key] === null || row[key] === undefined ? null : String(row[key]));
  const num = (key: string) => (row[key] === null || row[key] === undefined ? null : Number(row[key]));
  const errorCode = str('error_code');
  return {
    id: String(row.id),
    createdAt: String(row.created_at),
    startedAt: str('started_at'),
    finishedAt: str('finished_at'),
    status: row.status as JobStatus,
    phase: str('phase') as Phase | null,
    verdict: str('verdict') as Verdict | null,
    summary: str('summary'),
    targetInput: String(row.target_input),
    targetKind: row.target_kind as 'local' | 'github',
    repo: str('repo'),
    prUrl: str('pr_url'),
    prNumber: num('pr_number'),
    headRef: str('head_ref'),
    headSha: str('head_sha'),
    baseRef: str('base_ref'),
    baseSha: str('base_sha'),
    error: errorCode
      ? ({ code: errorCode, message: str('error_message') ?? '', hint: str('error_hint') ?? '' } as ErrorInfo)
      : null,
    artifactDir: String(row.artifact_dir),
    worktreeDir: str('worktree_dir'),
    mirrorDir: str('mirror_dir'),
    tempDir: str('temp_dir'),
    ownerPid: num('owner_pid'),
    appPgid: num('app_pgid'),
    request: JSON.parse(String(row.request_json)) as SimulationRequest,
    dedupeKey: str('dedupe_key'),
  };
}
