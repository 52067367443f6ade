// Small text helpers shared by the report renderers (Markdown, HTML, terminal) and the summary,
// so that all faces word verdicts, durations and targets the same way. Output here is plain
// text: each renderer escapes it for its own medium.

import path from 'node:path';
import { hashRoute } from './identity.js';
import type {
  Finding,
  JobStatus,
  PageResult,
  Phase,
  Report,
  Severity,
  TargetInfo,
  Verdict,
} from './model.js';

/** What a report amounts to for a reader: the verdict when the run completed, else the job status. */
export type Outcome = Verdict | Exclude<JobStatus, 'completed'>;

export function outcomeOf(report: Pick<Report, 'status' | 'verdict'>): Outcome {
  if (report.status === 'completed') return report.verdict ?? 'inconclusive';
  return report.status;
}

export const outcomeLabel: Record<Outcome, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  inconclusive: 'INCONCLUSIVE',
  error: 'ERROR',
  cancelled: 'CANCELLED',
  interrupted: 'INTERRUPTED',
  queued: 'QUEUED',
  running: 'RUNNING',
};

export const severityOrder: readonly Severity[] = ['error', 'warning', 'info'];

/** Phases in pipeline order, for timing tables. */
export const phaseOrder: readonly Phase[] = [
  'checkout',
  'detect',
  'install',
  'launch',
  'crawl',
  'agent',
  'compare',
  'report',
  'teardown',
];

export function shortSha(sha: string | undefined): string {
  return sha ? sha.slice(0, 7) : '';
}

export function plural(count: number, word: string, pluralWord = `${word}s`): string {
  return `${count} ${count === 1 ? word : pluralWord}`;
}

/** "a", "a and b", "a, b and c". */
export function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** First non-empty line, whitespace collapsed: stack traces and multi-line logs become a title. */
export function firstLine(text: string): string {
  const line = text.split(/\r\n|\r|\n/).find((l) => l.trim() !== '') ?? '';
  return line.replace(/\s+/g, ' ').trim();
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

export function formatUsd(cost: number): string {
  return `$${cost < 1 ? cost.toFixed(4) : cost.toFixed(2)}`;
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** "2 errors, 1 warning" (zero counts left out; "no findings" when empty). */
export function describeCounts(findings: readonly Finding[]): string {
  const counts = countBySeverity(findings);
  const parts: string[] = [];
  if (counts.error) parts.push(plural(counts.error, 'error'));
  if (counts.warning) parts.push(plural(counts.warning, 'warning'));
  if (counts.info) parts.push(plural(counts.info, 'note'));
  return parts.length ? joinList(parts) : 'no findings';
}

/** Findings ordered most severe first, keeping the given order within a severity. */
export function bySeverity(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => severityOrder.indexOf(a.severity) - severityOrder.indexOf(b.severity));
}

/** "feature/x @ a1b2c3d", the head of a target. */
export function describeHead(target: TargetInfo): string {
  return `${target.headRef} @ ${shortSha(target.headSha)}`;
}

/** "main @ 9f8e7d6" or '' when the target has no base. */
export function describeBase(target: TargetInfo): string {
  if (!target.baseRef && !target.baseSha) return '';
  const ref = target.baseRef ?? 'base';
  return target.baseSha ? `${ref} @ ${shortSha(target.baseSha)}` : ref;
}

/**
 * A screenshot/log/transcript path as a relative path inside the artifact dir, or null when it
 * is not one. Reports may carry paths from untrusted sources (an agent's evidence), and the HTML
 * and Markdown files live in the artifact dir, so only plain relative paths that stay inside it
 * become links or images: no scheme (`javascript:`, `https:`), no absolute path, no `..`.
 * An absolute path inside `artifactDir` is turned into its relative form.
 */
export function artifactRelativePath(value: string, artifactDir?: string): string | null {
  let p = value.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
  if (p === '' || /[\u0000-\u001f\u007f]/.test(p)) return null;
  if (artifactDir && path.isAbsolute(p) && path.isAbsolute(artifactDir)) {
    const rel = path.relative(artifactDir, p);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null;
    p = rel.split(path.sep).join('/');
  }
  // Backslashes are path separators to Windows browsers and `:` starts a scheme or a drive letter.
  if (p.includes('\\') || p.includes(':')) return null;
  if (p.startsWith('/')) return null;
  const segments = p.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return null;
  return segments.join('/');
}

/** The URL-encoded form of a safe artifact path (for href/src), or null when unsafe. */
export function artifactHref(value: string, artifactDir?: string): string | null {
  const rel = artifactRelativePath(value, artifactDir);
  return rel === null ? null : rel.split('/').map(encodeURIComponent).join('/');
}

const imageExtension = /\.(png|jpe?g|webp|gif)$/i;

export function isImagePath(p: string): boolean {
  return imageExtension.test(p);
}

const evidenceFileName =
  /^[\w.@+-]+(\/[\w.@+-]+)*\.(png|jpe?g|webp|gif|log|txt|json|zip|html|md|ts|js|ya?ml)$/i;

/**
 * Evidence entries are either artifact paths or quoted text (console lines, request URLs).
 * An entry counts as a file when it is a known screenshot of the report, or looks like a plain
 * file path (no spaces, a known file extension) that stays inside the artifact dir; an absolute
 * path inside the artifact dir counts as its relative form.
 */
export function evidenceFile(entry: string, report: Pick<Report, 'pages' | 'artifacts'>): string | null {
  const known =
    report.pages.some((p) => p.screenshot === entry) || report.artifacts.screenshots.includes(entry);
  // An absolute path counts only when it lies inside the artifact dir (artifactRelativePath checks).
  const candidate = path.isAbsolute(entry) ? path.basename(entry) : entry;
  if (!known && !evidenceFileName.test(candidate)) return null;
  return artifactRelativePath(entry, report.artifacts.dir);
}

/** Plain text from untrusted sources flattened to one line, for titles and table cells. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** Path + query for same-origin URLs (the port changes every run), the full URL otherwise. */
export function displayUrl(url: string, origin: string | null): string {
  try {
    const u = new URL(url);
    if (origin !== null && u.origin === origin) return `${u.pathname}${u.search}${hashRoute(u.hash)}`;
    u.hash = '';
    return u.href;
  } catch {
    return url;
  }
}

/** What the findings section says when there are none: "no problems" only if the app was actually tested. */
export function noFindingsText(report: Pick<Report, 'status'>): string {
  if (report.status === 'completed') return 'No problems found.';
  if (report.status === 'cancelled')
    return 'None: the simulation was cancelled before the app was fully tested.';
  if (report.status === 'interrupted')
    return 'None: the simulation was interrupted before the app was fully tested.';
  return 'None: the simulation stopped before the app was tested (see what failed above).';
}

/** Why the AI exploration has no section content, when the job never reached it. */
export function agentNotRunText(report: Pick<Report, 'status' | 'agent'>): string {
  if (report.agent?.reason) return `Did not run: ${report.agent.reason}`;
  return report.status === 'completed'
    ? 'Did not run.'
    : 'Did not run: the simulation stopped before this phase.';
}

/** Problems of one visited page, for the pages table and gallery ('' when none). */
export function pageProblemList(p: PageResult): string[] {
  return [
    p.status === null ? 'did not load' : p.status >= 400 ? `HTTP ${p.status}` : '',
    p.blank ? 'showed nothing' : p.loadTimeoutSeconds !== undefined ? 'did not finish loading' : '',
    p.pageErrors.length ? plural(p.pageErrors.length, 'page error') : '',
    p.failedRequests.length ? plural(p.failedRequests.length, 'failed request') : '',
    p.consoleErrors.length ? plural(p.consoleErrors.length, 'console error') : '',
  ].filter(Boolean);
}

/** Findings by where they come from (no origin: no comparison, so they are the change's). */
export function byOrigin(findings: readonly Finding[]): {
  new: Finding[];
  preExisting: Finding[];
  fixed: Finding[];
} {
  return {
    new: findings.filter((f) => (f.origin ?? 'new') === 'new'),
    preExisting: findings.filter((f) => f.origin === 'pre-existing'),
    fixed: findings.filter((f) => f.origin === 'fixed'),
  };
}

/** What the base is called in a report: "main" (the ref), else "the base". */
export function baseName(report: Pick<Report, 'comparison' | 'target'>): string {
  return report.comparison?.baseRef ?? report.target?.baseRef ?? 'the base';
}

/** Headings of the three sections of a compared report. */
export function originHeadings(report: Pick<Report, 'comparison' | 'target'>): {
  new: string;
  preExisting: string;
  fixed: string;
} {
  return { new: 'New', preExisting: `Already on ${baseName(report)}`, fixed: 'Fixed by this change' };
}

/**
 * The change's own result in one line: "2 new problems; 1 already on main; 1 fixed by this change."
 * Problems are errors and warnings (notes are not counted). Null when the run was not compared.
 */
export function describeComparison(
  report: Pick<Report, 'comparison' | 'target' | 'findings'>,
): string | null {
  if (!report.comparison) return null;
  const problems = report.findings.filter((f) => f.severity !== 'info');
  const groups = byOrigin(problems);
  const parts = [
    groups.new.length ? plural(groups.new.length, 'new problem') : 'no new problems',
    ...(groups.preExisting.length ? [`${groups.preExisting.length} already on ${baseName(report)}`] : []),
    ...(groups.fixed.length ? [`${groups.fixed.length} fixed by this change`] : []),
  ];
  const flaky = groups.new.filter((f) => f.flaky).length;
  if (flaky) parts.push(`${flaky} flaky (seen once, not again)`);
  return `${parts.join('; ')}.`;
}
