// Jobs and reports as data a program reads: the field names MCP tools return as `structuredContent`
// (and task results), documented in the README next to the JSON report contract. This is the one
// mapping from the history (a job row) and the Report (what `simulate --json` / `show --json` print and
// report.json holds) to those fields; the CLI's counts come from here too, so both faces agree on what
// "new", "pre-existing" and "fixed" add up to. snake_case, every field always present (null when not
// known yet). Change it only additively.

import type { JobRecord } from '../jobs/store.js';
import { byOrigin, countBySeverity } from './format.js';
import type {
  Finding,
  FindingKind,
  FindingOrigin,
  JobStatus,
  Phase,
  Published,
  Report,
  Severity,
  Verdict,
} from './model.js';

/** The part of a job row (the history's JobRecord) this mapping reads. */
export type JobFacts = Pick<
  JobRecord,
  | 'id'
  | 'status'
  | 'phase'
  | 'verdict'
  | 'summary'
  | 'targetInput'
  | 'headRef'
  | 'headSha'
  | 'baseRef'
  | 'baseSha'
  | 'error'
  | 'artifactDir'
  | 'createdAt'
  | 'startedAt'
  | 'finishedAt'
>;

export interface ErrorView {
  code: string;
  message: string;
  hint: string;
}

export interface CountsView {
  /** Findings on the head only: the change's own (all of them when there was no base comparison). */
  new: number;
  /** Findings on both head and base. */
  pre_existing: number;
  /** Findings on the base only: fixed by the change. */
  fixed: number;
  /** Findings on the head (new and pre-existing) by severity. */
  by_severity: Record<Severity, number>;
}

export interface FindingView {
  severity: Severity;
  kind: FindingKind;
  title: string;
  detail: string;
  /** Path (or URL) of the page it was seen on. */
  page: string | null;
  origin: FindingOrigin;
  /** A new finding that did not come back when checked again. */
  flaky: boolean;
  steps: string[];
  /** Paths relative to the job's artifact dir, or quoted console lines. */
  evidence: string[];
}

export interface ArtifactsView {
  dir: string;
  report_html: string | null;
  report_md: string | null;
  report_json: string | null;
  trace: string | null;
  app_log: string | null;
}

/** One job for `list_simulations`. */
export interface JobListItem {
  job_id: string;
  status: JobStatus;
  phase: Phase | null;
  verdict: Verdict | null;
  target: string;
  head_ref: string | null;
  head_sha: string | null;
  created_at: string;
  elapsed_s: number | null;
  summary: string | null;
}

/** One job in full, for `get_simulation` (and `simulate_pr`, which adds `reused`). */
export interface SimulationView {
  job_id: string;
  status: JobStatus;
  /** The phase it is in while running; the last one it reached once finished. */
  phase: Phase | null;
  /** 0 running, n n-th in this server's queue; null when not queued or running in this server. */
  position: number | null;
  target: string;
  head_ref: string | null;
  head_sha: string | null;
  base_ref: string | null;
  base_sha: string | null;
  created_at: string;
  /** Seconds since it started (running) or that it took (finished); null when it never started. */
  elapsed_s: number | null;
  verdict: Verdict | null;
  summary: string | null;
  /** The report's findings counted (null until there is a report). */
  counts: CountsView | null;
  /** Most severe first (null until there is a report). */
  findings: FindingView[] | null;
  artifacts: ArtifactsView;
  /** What was written back to the pull request; null when the job was not asked to (or has not yet). */
  published: PublishedView | null;
  /** Why a job ended without a verdict (status error, cancelled, interrupted). */
  error?: ErrorView;
}

/** The comment and the commit status: done, with where; or the error that stopped it; null: not asked. */
export interface PublishedView {
  comment: { url: string; action: 'created' | 'updated' } | { error: ErrorView } | null;
  status:
    | { sha: string; state: 'success' | 'failure' | 'error'; context: string }
    | { error: ErrorView }
    | null;
}

/** Counting by origin: no origin means no base comparison, so the finding is the change's (new). */
export function findingCounts(findings: readonly Finding[]): CountsView {
  const groups = byOrigin(findings);
  return {
    new: groups.new.length,
    pre_existing: groups.preExisting.length,
    fixed: groups.fixed.length,
    by_severity: countBySeverity([...groups.new, ...groups.preExisting]),
  };
}

const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function findingView(f: Finding): FindingView {
  return {
    severity: f.severity,
    kind: f.kind,
    title: f.title,
    detail: f.detail,
    page: f.page ?? null,
    origin: f.origin ?? 'new',
    flaky: f.flaky === true,
    steps: f.steps ?? [],
    evidence: f.evidence,
  };
}

export function elapsedSeconds(
  job: Pick<JobFacts, 'startedAt' | 'finishedAt'>,
  now = Date.now(),
): number | null {
  if (!job.startedAt) return null;
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now;
  return Math.max(0, Math.round((end - Date.parse(job.startedAt)) / 100) / 10);
}

export function jobListItem(job: JobFacts): JobListItem {
  return {
    job_id: job.id,
    status: job.status,
    phase: job.phase,
    verdict: job.verdict,
    target: job.targetInput,
    head_ref: job.headRef,
    head_sha: job.headSha,
    created_at: job.createdAt,
    elapsed_s: elapsedSeconds(job),
    summary: job.summary,
  };
}

/** A job and, once it has one, its report. `position` is the caller's (only the queue knows it). */
export function simulationView(
  job: JobFacts,
  report: Report | undefined,
  position: number | null = null,
): SimulationView {
  const target = report?.target;
  const error = report?.error ?? job.error;
  const showError =
    error && job.status !== 'completed' && job.status !== 'queued' && job.status !== 'running';
  return {
    job_id: job.id,
    status: job.status,
    phase: job.phase,
    position,
    target: job.targetInput,
    head_ref: target?.headRef ?? job.headRef,
    head_sha: target?.headSha ?? job.headSha,
    base_ref: target?.baseRef ?? job.baseRef,
    base_sha: target?.baseSha ?? job.baseSha,
    created_at: job.createdAt,
    elapsed_s: elapsedSeconds(job),
    verdict: job.status === 'completed' ? (report?.verdict ?? job.verdict ?? 'inconclusive') : null,
    summary: report?.summary ?? job.summary,
    counts: report ? findingCounts(report.findings) : null,
    findings: report
      ? [...report.findings]
          .sort((a, b) => severityRank[a.severity] - severityRank[b.severity])
          .map(findingView)
      : null,
    artifacts: artifactsView(job, report),
    published: publishedView(report?.published),
    ...(showError ? { error: { code: error.code, message: error.message, hint: error.hint } } : {}),
  };
}

function publishedView(p: Published | undefined): PublishedView | null {
  if (!p) return null;
  const errorOf = (e: ErrorView) => ({ error: { code: e.code, message: e.message, hint: e.hint } });
  return {
    comment: !p.comment
      ? null
      : 'error' in p.comment
        ? errorOf(p.comment.error)
        : { url: p.comment.url, action: p.comment.action },
    status: !p.status
      ? null
      : 'error' in p.status
        ? errorOf(p.status.error)
        : { sha: p.status.sha, state: p.status.state, context: p.status.context },
  };
}

function artifactsView(job: JobFacts, report: Report | undefined): ArtifactsView {
  const a = report?.artifacts;
  return {
    dir: a?.dir ?? job.artifactDir,
    report_html: a?.reportHtml ?? null,
    report_md: a?.reportMd ?? null,
    report_json: a?.reportJson ?? null,
    trace: a?.trace ?? null,
    app_log: a?.appLog ?? null,
  };
}
