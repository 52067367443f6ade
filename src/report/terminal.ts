// The short, readable result the CLI prints on stdout after a simulation: verdict, what was
// tested, the top findings, what to do on error, and where the full report is.
//
// Titles, console lines and PR text come from the app under test: a page can log escape sequences
// that would recolour, move the cursor or rewrite the user's terminal, so all of it is stripped of
// control characters (and bidirectional overrides) before printing. Colour is ours only.

import { clip } from '../clip.js';
import { redactSecrets } from '../redact.js';
import {
  byOrigin,
  bySeverity,
  describeBase,
  describeComparison,
  describeCounts,
  describeHead,
  firstLine,
  formatDuration,
  formatUsd,
  type Outcome,
  originHeadings,
  outcomeLabel,
  outcomeOf,
  plural,
} from './format.js';
import type { Finding, Report, Severity } from './model.js';

export interface TerminalOptions {
  /** ANSI colour; the CLI passes true only on a TTY without NO_COLOR. */
  color: boolean;
}

/** Findings listed before "… N more". */
const maxFindings = 8;
/** Lines of a multi-line error message (often the app's last log lines) shown under it. */
const maxErrorLines = 12;

const mark: Record<Outcome, string> = {
  pass: '✓',
  fail: '✗',
  inconclusive: '?',
  error: '!',
  cancelled: '!',
  interrupted: '!',
  queued: '…',
  running: '…',
};

type Style = 'red' | 'green' | 'yellow' | 'cyan' | 'dim' | 'bold';
const ansi: Record<Style, [string, string]> = {
  red: ['\x1b[31m', '\x1b[39m'],
  green: ['\x1b[32m', '\x1b[39m'],
  yellow: ['\x1b[33m', '\x1b[39m'],
  cyan: ['\x1b[36m', '\x1b[39m'],
  dim: ['\x1b[2m', '\x1b[22m'],
  bold: ['\x1b[1m', '\x1b[22m'],
};

const outcomeStyle: Record<Outcome, Style> = {
  pass: 'green',
  fail: 'red',
  inconclusive: 'yellow',
  error: 'red',
  cancelled: 'yellow',
  interrupted: 'yellow',
  queued: 'dim',
  running: 'dim',
};
const severityStyle: Record<Severity, Style> = { error: 'red', warning: 'yellow', info: 'cyan' };

export function renderTerminalSummary(report: Report, opts: TerminalOptions): string {
  const paint = (style: Style, text: string): string =>
    opts.color ? `${ansi[style][0]}${text}${ansi[style][1]}` : text;
  const outcome = outcomeOf(report);
  const lines: string[] = [];

  const verdict = paint('bold', paint(outcomeStyle[outcome], `${mark[outcome]} ${outcomeLabel[outcome]}`));
  lines.push(`${verdict}  ${clean(targetLine(report))}`);

  const facts = [
    report.pages.length ? plural(report.pages.length, 'page') : '',
    // Compared with a base, the change's own counts follow on their own line.
    report.status === 'completed' && !report.comparison ? describeCounts(report.findings) : '',
    report.timings.total > 0 ? formatDuration(report.timings.total) : '',
  ].filter(Boolean);
  if (facts.length) lines.push(`  ${paint('dim', facts.join(' · '))}`);
  if (report.verdict === 'inconclusive' && report.incompleteReason) {
    lines.push(`  Why: ${clean(report.incompleteReason)}`);
  }
  if (report.sandbox?.kind === 'none') {
    lines.push(
      `  ${paint('yellow', '!')} ran without a sandbox (${clean(report.sandbox.reason ?? 'disabled')})`,
    );
  }

  if (report.error) {
    const [first = '', ...rest] = report.error.message.split(/\r\n|\r|\n/);
    lines.push('', `  ${paint('red', report.error.code)}: ${clean(first)}`);
    const more = rest.filter((l) => l.trim() !== '');
    for (const l of more.slice(-maxErrorLines)) lines.push(`    ${paint('dim', clean(l, 200))}`);
    if (report.error.hint) lines.push(`  ${paint('bold', 'What to do:')} ${clean(report.error.hint, 400)}`);
  }

  const listFindings = (list: readonly Finding[], budget: number): void => {
    const shown = bySeverity(list).slice(0, budget);
    const width = Math.max(...shown.map((f) => f.severity.length));
    for (const f of shown) {
      const sev = paint(severityStyle[f.severity], f.severity.padEnd(width));
      const where = f.page ? `  ${paint('dim', clean(f.page, 60))}` : '';
      const flaky = f.flaky ? paint('dim', ' (flaky)') : '';
      lines.push(`  ${sev}  ${clean(f.title, 100)}${flaky}${where}`);
    }
    if (list.length > shown.length) {
      lines.push(`  ${paint('dim', `… ${list.length - shown.length} more in the report`)}`);
    }
  };
  const change = describeComparison(report);
  if (change) {
    // Compared with the base: the change's own problems first, then what it did not cause.
    lines.push(`  ${paint('bold', clean(change, 200))}`);
    const groups = byOrigin(report.findings);
    const headings = originHeadings(report);
    for (const key of ['new', 'preExisting', 'fixed'] as const) {
      const list = groups[key];
      if (!list.length) continue;
      lines.push('', `  ${paint('bold', headings[key])}`);
      listFindings(list, key === 'new' ? maxFindings : 3);
    }
  } else if (report.findings.length) {
    lines.push('');
    listFindings(report.findings, maxFindings);
  }
  if (report.status === 'completed' && report.comparisonNote) {
    lines.push('', `  ${paint('dim', clean(report.comparisonNote, 300))}`);
  }

  lines.push('');
  const agent = report.agent;
  if (report.status === 'completed') {
    const how = agent?.ran
      ? `ran${agent.usage ? `, ${plural(agent.usage.steps, 'step')}, ${formatUsd(agent.usage.costUsd)}` : ''}`
      : `not run${agent?.reason ? ` — ${clean(agent.reason, 300)}` : ''}`;
    lines.push(`  ${paint('dim', `AI exploration: ${how}`)}`);
  }
  lines.push(`  Report: ${clean(report.artifacts.reportHtml, 500)}`);
  return `${redactSecrets(lines.join('\n'))}\n`;
}

/** "feature/x @ a1b2c3d in acme/web (PR #42, base main @ 9f8e7d6)". */
function targetLine(report: Report): string {
  const t = report.target;
  if (!t) return `job ${report.id}`;
  const extra = [t.pr ? `PR #${t.pr.number}` : '', describeBase(t) ? `base ${describeBase(t)}` : '']
    .filter(Boolean)
    .join(', ');
  return `${describeHead(t)} in ${t.repo}${extra ? ` (${extra})` : ''}`;
}

/**
 * One line of printable text: C0/C1 control characters (ESC, CSI, BEL, backspace, CR…) and
 * bidirectional overrides removed, whitespace collapsed, length capped.
 */
function clean(text: string, max = 160): string {
  return clip(firstLine(text.replace(unprintable, '')), max);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
const unprintable = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
