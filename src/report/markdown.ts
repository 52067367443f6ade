// report.md: the report as GitHub-flavoured Markdown (also what MCP clients show).
//
// Much of a report comes from untrusted sources: page titles, console lines, request URLs, the PR's
// title, an agent's findings. All of it goes through one of three helpers below so it cannot turn
// into links, images, HTML or new blocks: `mdText` (inline text and table cells, escaped), `mdCode` (code span
// with a fence longer than any backtick run inside), `mdFence` (fenced block, same rule).
// GFM may still autolink a bare URL in text; such a link shows its own target, so it cannot
// pose as something else.

import { redactSecrets } from '../redact.js';
import {
  agentNotRunText,
  artifactHref,
  artifactRelativePath,
  byOrigin,
  bySeverity,
  describeComparison,
  describeCounts,
  displayUrl,
  evidenceFile,
  formatDuration,
  formatUsd,
  noFindingsText,
  oneLine,
  originHeadings,
  originOf,
  outcomeLabel,
  outcomeOf,
  pageProblemList,
  phaseOrder,
  plural,
  severityOrder,
  shortSha,
} from './format.js';
import { observationText } from './html.js';
import type { ComparedPage, Comparison, Finding, PageResult, Report, Severity } from './model.js';
import { accessibilityRows, percent } from './pageCompare.js';
import { summarize } from './verdict.js';

const severityHeading: Record<Severity, string> = { error: 'Errors', warning: 'Warnings', info: 'Notes' };
const maxChangedFiles = 20;
const maxCommits = 10;

export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  const outcome = outcomeOf(report);
  const head = report.target
    ? ` — ${mdText(report.target.pr ? `PR #${report.target.pr.number}` : report.target.headRef)}`
    : '';
  out.push(`# ${outcomeLabel[outcome]}${head}`, '');
  out.push(mdText(report.summary || summarize(report)), '');
  if (report.verdict === 'inconclusive' && report.incompleteReason) {
    out.push(`**Why inconclusive:** ${mdText(report.incompleteReason)}`, '');
  }

  if (report.error) out.push(...errorSection(report), '');
  if (report.target) out.push(...targetSection(report), '');
  if (report.app) out.push(...appSection(report), '');
  out.push(...findingsSection(report), '');
  if (report.notes?.length) out.push('## Notes', '', ...report.notes.map((n) => `- ${mdText(n)}`), '');
  if (report.comparison) out.push(...comparisonSection(report, report.comparison), '');
  if (report.pages.length) out.push(...pagesSection(report), '');
  if (report.brokenLinks.length) out.push(...brokenLinksSection(report), '');
  out.push(...timingsSection(report), '');
  out.push(...agentSection(report), '');
  out.push(...artifactsSection(report), '');
  out.push(
    `<sub>Job ${mdCode(report.id)} · created ${mdText(report.createdAt)}` +
      `${report.finishedAt ? ` · finished ${mdText(report.finishedAt)}` : ''} · myfav-coworker</sub>`,
    '',
  );
  return redactSecrets(out.join('\n'));
}

function errorSection(report: Report): string[] {
  const err = report.error!;
  const lines = ['## Error', '', `**${mdText(err.code)}:** ${mdText(err.message)}`, ''];
  // Messages can carry the last lines of the app's log: show them whole, as they were.
  if (/\n/.test(err.message.trim())) lines.push(mdFence(err.message), '');
  lines.push(`**What to do:** ${mdText(err.hint)}`);
  return lines;
}

function targetSection(report: Report): string[] {
  const t = report.target!;
  const lines = ['## Target', '', `- Repository: ${mdCode(t.repo)}`];
  lines.push(`- Head: ${mdCode(t.headRef)} at ${mdCode(t.headSha)}`);
  if (t.baseRef || t.baseSha) {
    lines.push(
      `- Base: ${t.baseRef ? mdCode(t.baseRef) : 'unknown ref'}${t.baseSha ? ` at ${mdCode(t.baseSha)}` : ''}`,
    );
  }
  if (t.pr) {
    const pr = t.pr;
    const number = /^https?:\/\/[^\s<>]+$/.test(pr.url) ? `[#${pr.number}](<${pr.url}>)` : `#${pr.number}`;
    const state = [pr.state, pr.draft ? 'draft' : ''].filter(Boolean).join(', ');
    lines.push(`- Pull request: ${number} “${mdText(pr.title)}” by ${mdText(pr.author)} (${state})`);
    lines.push(`- From: ${mdCode(pr.headRepo)}${pr.isFork ? ' (a fork)' : ''}`);
  }
  if (t.changedFiles.length) {
    const shown = t.changedFiles.slice(0, maxChangedFiles).map((f) => mdCode(f));
    const more = t.changedFiles.length - shown.length;
    const tail = more > 0 || t.changedFilesTruncated ? ', and more' : '';
    lines.push(
      `- Changed files (${t.changedFiles.length}${t.changedFilesTruncated ? '+' : ''}): ${shown.join(', ')}${tail}`,
    );
  }
  if (t.commits?.length) {
    lines.push(`- Commits (${t.commits.length}):`);
    for (const c of t.commits.slice(0, maxCommits))
      lines.push(`  - ${mdCode(shortSha(c.sha))} ${mdText(c.subject)}`);
    if (t.commits.length > maxCommits) lines.push(`  - and ${t.commits.length - maxCommits} more`);
  }
  lines.push(`- Given as: ${mdCode(t.input)}`);
  return lines;
}

function appSection(report: Report): string[] {
  const a = report.app!;
  const lines = ['## App', ''];
  lines.push(`- Directory: ${a.dir ? mdCode(a.dir) : 'repository root'} (${mdText(a.dirReason)})`);
  lines.push(
    `- Kind: ${a.kind === 'static' ? 'static site (served by myfav-coworker)' : 'Node app'}${a.packageManager ? `, ${a.packageManager}` : ''}`,
  );
  if (a.installCommand) lines.push(`- Installed with: ${mdCode(a.installCommand)}`);
  if (a.startCommand) lines.push(`- Started with: ${mdCode(a.startCommand)}`);
  if (a.url) lines.push(`- URL in this run: ${mdCode(a.url)} (paths in the steps below are relative to it)`);
  return lines;
}

function findingsSection(report: Report): string[] {
  const change = describeComparison(report);
  if (report.findings.length === 0) {
    return ['## Findings', '', ...(change ? [mdText(change), ''] : []), noFindingsText(report)];
  }
  const lines = [`## Findings (${describeCounts(report.findings)})`];
  let n = 0;
  const bySeverityGroups = (findings: readonly Finding[], level: string) => {
    const sorted = bySeverity(findings);
    for (const severity of severityOrder) {
      const group = sorted.filter((f) => f.severity === severity);
      if (!group.length) continue;
      lines.push('', `${level} ${severityHeading[severity]} (${group.length})`);
      for (const f of group) lines.push('', ...findingBlock(report, f, ++n, `${level}#`));
    }
  };
  if (!change) {
    if (report.comparisonNote && report.status === 'completed') lines.push('', mdText(report.comparisonNote));
    bySeverityGroups(report.findings, '###');
    return lines;
  }
  // Compared with the base: New decides the verdict; the other two sections are listed, never hidden.
  lines.push('', `**${mdText(change)}**`);
  const groups = byOrigin(report.findings);
  const headings = originHeadings(report);
  const blurbs = {
    new: 'Seen on this change and not on the base: these decide the verdict.',
    preExisting: 'Seen on the base commit too: not caused by this change.',
    fixed: 'Seen on the base commit and gone on this change.',
  };
  for (const key of ['new', 'preExisting', 'fixed'] as const) {
    lines.push('', `### ${headings[key]} (${groups[key].length})`, '', blurbs[key]);
    bySeverityGroups(groups[key], '####');
  }
  return lines;
}

function findingBlock(report: Report, f: Finding, n: number, level: string): string[] {
  const meta = [
    f.page ? `Page ${mdCode(f.page)}` : '',
    f.source ? `found by ${f.source}` : '',
    mdText(f.kind),
  ]
    .filter(Boolean)
    .join(' · ');
  const flaky = f.flaky ? ' (flaky)' : '';
  const lines = [`${level} ${n}. ${mdText(f.title)}${flaky}`, '', meta, '', mdText(f.detail)];
  if (f.steps?.length) {
    lines.push('', 'Steps to reproduce:', '');
    lines.push(...f.steps.map((step, i) => `${i + 1}. ${mdText(step)}`));
  }
  const files: string[] = [];
  const quoted: string[] = [];
  for (const e of f.evidence) {
    const file = evidenceFile(e, report);
    if (file) files.push(file);
    else quoted.push(e);
  }
  if (files.length || quoted.length) {
    lines.push('', 'Evidence:');
    if (files.length) lines.push('', ...files.map((file) => `- ${artifactLink(file, report.artifacts.dir)}`));
    // A fenced block at top level, not inside a list item, so no line of it can escape the fence.
    if (quoted.length) lines.push('', mdFence(quoted.join('\n')));
  }
  return lines;
}

function comparisonSection(report: Report, c: Comparison): string[] {
  const base = `${mdText(c.baseRef ?? 'base')} @ ${mdCode(c.baseSha.slice(0, 12))}`;
  const lines = [
    '## Compared with the base',
    '',
    c.cached
      ? `The base ${base} was not run again: its cached run of ${mdText(c.cachedAt ?? 'earlier')} was used.`
      : `The base ${base} ran beside the change${c.url ? ` at ${mdCode(c.url)}` : ''}, at the same pages.`,
  ];
  for (const note of c.notes ?? []) lines.push('', `- ${mdText(note)}`);
  if (c.pages.length) {
    lines.push(
      '',
      '| Page | Head | Base | Look | Accessibility (axe-core, serious/critical) | Screenshots |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const p of c.pages) {
      const shots = [
        p.headScreenshot ? artifactLink(p.headScreenshot, report.artifacts.dir, 'head', true) : '',
        p.baseScreenshot ? artifactLink(p.baseScreenshot, report.artifacts.dir, 'base', true) : '',
        p.diffImage ? artifactLink(p.diffImage, report.artifacts.dir, 'diff', true) : '',
      ].filter(Boolean);
      lines.push(
        `| ${mdText(p.path)} | ${p.headStatus ?? 'did not load'} | ${p.baseStatus ?? 'did not load'} | ${lookCell(p)} | ${accessibilityCell(p)} | ${shots.join(' · ') || '–'} |`,
      );
    }
  }
  return lines;
}

function lookCell(p: ComparedPage): string {
  if (p.changedRatio === undefined) return '–';
  const share = percent(p.changedRatio);
  if (!p.visualChange) return `same (${share} differ)`;
  return `**changed** (${share} differ)${p.touchedByDiff ? ', the change touches it' : ', no changed file points at it'}`;
}

function accessibilityCell(p: ComparedPage): string {
  if (!p.a11y) return '–';
  const rows = accessibilityRows(p);
  if (!rows.length) return 'none';
  const label = { new: 'new', 'pre-existing': 'on both', fixed: 'fixed' } as const;
  return (['new', 'pre-existing', 'fixed'] as const)
    .map((origin) => {
      const ids = rows.filter((r) => r.origin === origin).map((r) => mdText(r.violation.id));
      return ids.length ? `${label[origin]}: ${ids.join(', ')}` : '';
    })
    .filter(Boolean)
    .join('; ');
}

function pagesSection(report: Report): string[] {
  const lines = [
    `## Pages (${report.pages.length})`,
    '',
    '| Page | Status | Title | Problems | Screenshot |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const p of report.pages) {
    const status =
      p.status === null ? `did not load${p.error ? `: ${mdText(p.error)}` : ''}` : String(p.status);
    const shot = p.screenshot ? artifactLink(p.screenshot, report.artifacts.dir, 'view', true) : '–';
    lines.push(
      `| ${mdText(p.path)} | ${status} | ${mdText(p.title) || '–'} | ${pageProblems(p)} | ${shot} |`,
    );
  }
  return lines;
}

function pageProblems(p: PageResult): string {
  return pageProblemList(p).join(', ') || 'none';
}

function brokenLinksSection(report: Report): string[] {
  const lines = [
    `## Broken links (${report.brokenLinks.length})`,
    '',
    '| Link | Found on | Result |',
    '| --- | --- | --- |',
  ];
  const appOrigin = report.app ? originOf(report.app.url) : null;
  for (const l of report.brokenLinks) {
    const result = l.status !== null ? `HTTP ${l.status}` : mdText(l.failure ?? 'no response');
    lines.push(`| ${mdText(displayUrl(l.url, appOrigin))} | ${mdText(l.from)} | ${result} |`);
  }
  return lines;
}

function timingsSection(report: Report): string[] {
  const lines = ['## Timings', '', '| Phase | Time |', '| --- | --- |'];
  for (const phase of phaseOrder) {
    const ms = report.timings[phase];
    if (ms !== undefined) lines.push(`| ${phase} | ${formatDuration(ms)} |`);
  }
  lines.push(`| **total** | **${formatDuration(report.timings.total)}** |`);
  return lines;
}

function agentSection(report: Report): string[] {
  const a = report.agent;
  const lines = ['## AI exploration', ''];
  if (!a?.ran) {
    lines.push(mdText(agentNotRunText(report)));
    return lines;
  }
  lines.push(`- Ran${a.reason ? `, stopped early: ${mdText(a.reason)}` : ''}`);
  if (a.verdict) lines.push(`- Agent's verdict: ${a.verdict}`);
  if (a.summary) lines.push(`- Agent's summary: ${mdText(a.summary)}`);
  if (a.usage) {
    const u = a.usage;
    lines.push(
      `- Model ${mdCode(u.model)}, ${plural(u.steps, 'step')}, ${u.inputTokens} input / ${u.outputTokens} output tokens` +
        ` (cache: ${u.cacheReadTokens} read, ${u.cacheWriteTokens} written), cost ${formatUsd(u.costUsd)}`,
    );
  }
  if (a.observation) lines.push(`- Observations: ${mdText(observationText(a.observation))}`);
  if (a.transcript) lines.push(`- Transcript: ${artifactLink(a.transcript, report.artifacts.dir)}`);
  if (a.reproduceSpec) {
    const config = a.reproduceConfig ? artifactRelativePath(a.reproduceConfig, report.artifacts.dir) : null;
    lines.push(
      `- Playwright test to reproduce: ${artifactLink(a.reproduceSpec, report.artifacts.dir)}` +
        (config
          ? ` (run: ${mdCode(`BASE_URL=http://127.0.0.1:3000 npx playwright test --config ${config}`)})`
          : ''),
    );
  }
  if (a.steps?.length) {
    lines.push('', '### Steps', '', '| # | Tool | Input | Result |', '| --- | --- | --- | --- |');
    for (const s of a.steps) {
      const shot = s.screenshot ? ` (${artifactLink(s.screenshot, report.artifacts.dir, 'screenshot')})` : '';
      const problems = s.problems?.length ? `; ${mdText(s.problems.join('; '))}` : '';
      lines.push(
        `| ${s.n} | ${mdText(s.tool)} | ${mdText(s.input) || '–'} | ${s.ok ? 'ok' : `failed: ${mdText(s.result)}`}${problems}${shot} |`,
      );
    }
  }
  return lines;
}

function artifactsSection(report: Report): string[] {
  const art = report.artifacts;
  const lines = ['## Artifacts', '', `Directory: ${mdCode(art.dir)}`, ''];
  lines.push(
    `- ${[art.reportJson, art.reportMd, art.reportHtml].map((p) => artifactLink(p, art.dir)).join(' · ')}`,
  );
  if (art.installLog) lines.push(`- Install log: ${artifactLink(art.installLog, art.dir)}`);
  if (art.appLog) lines.push(`- App log: ${artifactLink(art.appLog, art.dir)}`);
  if (art.trace) {
    const rel = artifactRelativePath(art.trace, art.dir) ?? art.trace;
    lines.push(
      `- Playwright trace: ${artifactLink(art.trace, art.dir)} (open with ${mdCode(`npx playwright show-trace ${rel}`)})`,
    );
  }
  if (art.screenshots.length) lines.push(`- ${plural(art.screenshots.length, 'screenshot')}`);
  return lines;
}

/** A link to a file in the artifact dir, or the path as text when it is not a safe relative path. */
function artifactLink(p: string, artifactDir: string, label?: string, inTable = false): string {
  const href = artifactHref(p, artifactDir);
  if (href === null) return inTable ? mdText(p) : mdCode(p);
  const rel = artifactRelativePath(p, artifactDir)!;
  const text = label ?? rel;
  return `[${mdText(text)}](<${href}>)`;
}

/**
 * Untrusted text as one line of inline Markdown: `<`, `>` and `&` become entities (no HTML, no
 * autolinks in angle brackets), Markdown punctuation is backslash-escaped (no links, images,
 * emphasis, code spans, table cells), and a leading block marker is escaped (no headings, lists).
 */
export function mdText(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, '\\$&')
    .replace(/^([#+\-=])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

/**
 * A code span: its content is literal in Markdown, so only the fence needs care. The fence is one
 * backtick longer than the longest run inside. Not for table cells: GFM splits cells on `|` before
 * it sees code spans, and a backslash cannot be escaped inside one, so cells use `mdText`.
 */
export function mdCode(text: string): string {
  const body = oneLine(text);
  if (body === '') return '` `';
  const fence = '`'.repeat(longestRun(body, '`') + 1);
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** A fenced code block whose fence is longer than any backtick run in the text (at least 3). */
export function mdFence(text: string): string {
  const body = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  return `${fence}text\n${body}\n${fence}`;
}

function longestRun(text: string, ch: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === ch ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}
