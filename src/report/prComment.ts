// The verdict as a pull request comment (and the GitHub Actions step summary): the change's new
// problems with steps to reproduce, what was already on the base, what it fixed, pages visited, cost,
// and where the full report is.
//
// Everything quoted here comes from the PR or from the app's pages, i.e. from whoever wrote the
// change, and lands where the whole team reads it. `prText` keeps it inert: Markdown and HTML escaped
// (mdText), and GitHub's own extras defused with a zero-width joiner — no @mention notifies anyone, no
// `#123` / `owner/repo#1` / `GH-1` links to an issue, no bare URL or www. becomes a link. Paths and
// requests go in code spans (mdCode), where GitHub links nothing.

import { clip } from '../clip.js';
import { redactSecrets } from '../redact.js';
import {
  baseName,
  byOrigin,
  bySeverity,
  formatDuration,
  formatUsd,
  outcomeLabel,
  outcomeOf,
  plural,
  shortSha,
} from './format.js';
import { mdCode, mdText } from './markdown.js';
import type { Finding, Report } from './model.js';

const zwj = '\u200d';
/** GitHub's limit on a comment body is 65,536 characters: stay well inside it. */
const maxBodyChars = 60_000;
const maxNew = 25;
const maxOther = 15;
const maxSteps = 12;
const maxDetailChars = 500;
const maxPagesListed = 20;

/** Untrusted text made inert for a GitHub comment: one line, escaped, no mentions, references or links. */
export function prText(text: string, max = 1000): string {
  return mdText(clip(text, max))
    .replace(/@(?=[\w-])/g, `@${zwj}`)
    .replace(/#(?=\d)/g, `#${zwj}`)
    .replace(/\b(GH)-(?=\d)/gi, `$1${zwj}-`)
    .replace(/\b([a-z][a-z0-9+.-]*):(?=\/\/)/gi, `$1${zwj}:`)
    .replace(/\bwww\./gi, `www${zwj}.`);
}

/** A code span for GitHub: code spans are never linked or mentioned, so only the length needs a cap. */
export function prCode(text: string, max = 300): string {
  return mdCode(clip(text, max));
}

export interface PrCommentOptions {
  /** Where the full report is: the workflow run's artifacts, or omitted for a local run. */
  reportUrl?: string;
  /** The first line (our hidden marker), so the next run finds this comment. */
  marker?: string;
  productVersion?: string;
}

const icon: Record<string, string> = {
  pass: '✅',
  fail: '❌',
  inconclusive: '⚠️',
  error: '⛔',
  cancelled: '⏹️',
  interrupted: '⏹️',
};

export function renderPrComment(report: Report, opts: PrCommentOptions = {}): string {
  const outcome = outcomeOf(report);
  const groups = byOrigin(report.findings.filter((f) => f.severity !== 'info'));
  const compared = report.comparison !== undefined;
  const out: string[] = [];
  if (opts.marker) out.push(opts.marker);
  const headline = compared
    ? `${plural(groups.new.length, 'new problem')} in this change`
    : plural(groups.new.length, 'problem');
  out.push(
    `### ${icon[outcome] ?? ''} myfav-coworker: ${outcomeLabel[outcome]}${report.status === 'completed' ? ` — ${headline}` : ''}`,
    '',
  );
  if (report.summary) out.push(prText(report.summary, 600), '');
  if (report.verdict === 'inconclusive' && report.incompleteReason)
    out.push(`**Why inconclusive:** ${prText(report.incompleteReason)}`, '');
  if (report.error) {
    out.push(`**${prText(report.error.code)}:** ${prText(report.error.message, 800)}`, '');
    out.push(`**What to do:** ${prText(report.error.hint, 600)}`, '');
  }

  if (report.status === 'completed') {
    const newTitle = compared ? 'New in this change' : 'Problems';
    out.push(`#### ${newTitle} (${groups.new.length})`, '');
    if (groups.new.length === 0) out.push('None.', '');
    else out.push(...numbered(bySeverity(groups.new).slice(0, maxNew), true), ...more(groups.new, maxNew));
    if (compared) {
      out.push(`#### Already on ${prCode(baseName(report), 80)} (${groups.preExisting.length})`, '');
      if (groups.preExisting.length === 0) out.push('None.', '');
      else
        out.push(
          ...bullets(bySeverity(groups.preExisting).slice(0, maxOther)),
          ...more(groups.preExisting, maxOther),
        );
      out.push(`#### Fixed by this change (${groups.fixed.length})`, '');
      if (groups.fixed.length === 0) out.push('None.', '');
      else out.push(...bullets(bySeverity(groups.fixed).slice(0, maxOther)), ...more(groups.fixed, maxOther));
    } else if (report.comparisonNote) {
      out.push(`_${prText(report.comparisonNote, 300)}_`, '');
    }
  }

  out.push(...factsSection(report, opts));
  const body = redactSecrets(out.join('\n'));
  return body.length <= maxBodyChars
    ? body
    : `${body.slice(0, maxBodyChars)}\n\n… (cut at ${maxBodyChars} characters: see the full report)\n`;
}

function numbered(findings: readonly Finding[], withSteps: boolean): string[] {
  const lines: string[] = [];
  findings.forEach((f, i) => {
    lines.push(`${i + 1}. ${findingLine(f)}`);
    if (f.detail && f.detail !== f.title) lines.push(`   ${prText(f.detail, maxDetailChars)}`);
    if (withSteps && f.steps?.length) {
      lines.push('', '   Steps to reproduce:', '');
      for (const [n, step] of f.steps.slice(0, maxSteps).entries())
        lines.push(`   ${n + 1}. ${prText(step, 300)}`);
      if (f.steps.length > maxSteps)
        lines.push(`   ${maxSteps + 1}. … ${f.steps.length - maxSteps} more in the report`);
    }
    lines.push('');
  });
  return lines;
}

function bullets(findings: readonly Finding[]): string[] {
  return [...findings.map((f) => `- ${findingLine(f)}`), ''];
}

function findingLine(f: Finding): string {
  const page = f.page ? ` on ${prCode(f.page, 200)}` : '';
  const flaky = f.flaky ? ' _(flaky: seen once, not again)_' : '';
  return `**${f.severity}** ${prCode(f.kind, 40)} ${prText(f.title, 300)}${page}${flaky}`;
}

function more(all: readonly Finding[], shown: number): string[] {
  return all.length > shown ? [`… and ${all.length - shown} more in the full report.`, ''] : [];
}

function factsSection(report: Report, opts: PrCommentOptions): string[] {
  const lines: string[] = ['---', ''];
  if (report.pages.length) {
    const listed = report.pages.slice(0, maxPagesListed).map((p) => prCode(p.path, 120));
    const rest = report.pages.length - listed.length;
    lines.push(
      `**Pages visited (${report.pages.length}):** ${listed.join(', ')}${rest > 0 ? `, and ${rest} more` : ''}`,
    );
  }
  const usage = report.agent?.usage;
  if (report.agent?.ran && usage) {
    lines.push(
      `**AI exploration:** ${plural(usage.steps, 'step')}, ${(usage.inputTokens + usage.outputTokens).toLocaleString('en-US')} tokens, ${formatUsd(usage.costUsd)} (${prCode(usage.model, 60)})`,
    );
  } else if (report.agent) {
    lines.push(
      `**AI exploration:** not run${report.agent.reason ? ` (${prText(report.agent.reason, 200)})` : ''}; cost $0`,
    );
  }
  const t = report.target;
  if (t) {
    const base = t.baseSha
      ? ` against ${prCode(t.baseRef ?? 'base', 80)} ${prCode(shortSha(t.baseSha))}`
      : '';
    lines.push(
      `**Tested:** ${prCode(shortSha(t.headSha))}${base} in ${formatDuration(report.timings.total)}`,
    );
  }
  const url = opts.reportUrl && /^https?:\/\/[^\s<>()]+$/.test(opts.reportUrl) ? opts.reportUrl : undefined;
  lines.push(
    url
      ? `**Full report:** \`report.html\`, screenshots and \`trace.zip\` in the [workflow run's artifacts](${url})`
      : `**Full report:** \`myfav-coworker show ${report.id}\` on the machine that ran it`,
  );
  lines.push(
    '',
    `<sub>myfav-coworker${opts.productVersion ? ` ${mdText(opts.productVersion)}` : ''} · job ${mdCode(report.id)} · this comment is updated on every run</sub>`,
    '',
  );
  return lines;
}
