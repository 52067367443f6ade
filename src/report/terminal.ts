// The short, readable result the CLI prints on stdout after a simulation: verdict, what was
// tested, the top findings, what to do on error, and where the full report is.
//
// Titles, console lines and PR text come from the app under test: a page can log escape sequences
// that would recolour, move the cursor or rewrite the user's terminal, so all of it is stripped of
// control characters (and bidirectional overrides) before printing. Colour is ours only.

import { redactSecrets } from '../redact.js';
import {
  bySeverity,
  describeBase,
  describeCounts,
  describeHead,
  firstLine,
  formatDuration,
  formatUsd,
  type Outcome,
  outcomeLabel,
  outcomeOf,
  plural,
  truncate,
} from './format.js';
import type { Report, Severity } from './model.js';

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
    report.status === 'completed' ? describeCounts(report.findings) : '',
    report.timings.total > 0 ? formatDuration(report.timings.total) : '',
  ].filter(Boolean);
  if (facts.length) lines.push(`  ${paint('dim', facts.join(' · '))}`);
  if (report.verdict === 'inconclusive' && report.incompleteReason) {
    lines.push(`  Why: ${clean(report.incompleteReason)}`);
  }

  if (report.error) {
    const [first = '', ...rest] = report.error.message.split(/\r\n|\r|\n/);
    lines.push('', `  ${paint('red', report.error.code)}: ${clean(first)}`);
    const more = rest.filter((l) => l.trim() !== '');
    for (const l of more.slice(-maxErrorLines)) lines.push(`    ${paint('dim', clean(l, 200))}`);
    if (report.error.hint) lines.push(`  ${paint('bold', 'What to do:')} ${clean(report.error.hint, 400)}`);
  }

  const findings = bySeverity(report.findings);
  if (findings.length) {
    lines.push('');
    const width = Math.max(...findings.slice(0, maxFindings).map((f) => f.severity.length));
    for (const f of findings.slice(0, maxFindings)) {
      const sev = paint(severityStyle[f.severity], f.severity.padEnd(width));
      const where = f.page ? `  ${paint('dim', clean(f.page, 60))}` : '';
      lines.push(`  ${sev}  ${clean(f.title, 100)}${where}`);
    }
    if (findings.length > maxFindings) {
      lines.push(`  ${paint('dim', `… ${findings.length - maxFindings} more in the report`)}`);
    }
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
  return truncate(firstLine(text.replace(unprintable, '')), max);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
const unprintable = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
