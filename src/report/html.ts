// report.html: one self-contained file (inline CSS, no scripts, no external resources) that lives in
// the artifact dir beside the screenshots it shows.
//
// Nearly everything in a report can come from the app under test or the PR (page titles, console
// lines, URLs, PR text, agent findings). Markup is built only with the `html` tagged template:
// every interpolated value goes through `escapeHtml` unless it is itself markup built the same way,
// so forgetting to escape is not possible. All attributes are double-quoted. Images and links to
// files only use relative paths that stay inside the artifact dir (see artifactHref), and a
// Content-Security-Policy forbids scripts and anything remote as a second line of defence.

import { redactSecrets } from '../redact.js';
import {
  agentNotRunText,
  artifactHref,
  artifactRelativePath,
  byOrigin,
  bySeverity,
  describeBase,
  describeComparison,
  describeCounts,
  describeHead,
  displayUrl,
  evidenceFile,
  formatDuration,
  formatUsd,
  isImagePath,
  noFindingsText,
  type Outcome,
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
import type {
  AgentStep,
  ComparedPage,
  Finding,
  FindingOrigin,
  PageResult,
  Report,
  Severity,
} from './model.js';
import { accessibilityRows, describeVisual, trustedHelpUrl } from './pageCompare.js';
import { summarize } from './verdict.js';

// No scripts at all, images only from the report's own folder, no remote anything.
const csp = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'";

/** Escape text for HTML text and double- or single-quoted attribute values. */
export function escapeHtml(value: string | number): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Markup built by `html`: inserted as is into other markup, never escaped twice. */
class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Html = SafeHtml | string | number | null | undefined | false | readonly Html[];

/** Tagged template: interpolated values are escaped, except markup made by this same tag. */
function html(strings: TemplateStringsArray, ...values: Html[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += fragment(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

function fragment(value: Html): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(fragment).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(value as string | number);
}

const badgeMark: Record<Outcome, string> = {
  pass: '✓',
  fail: '✗',
  inconclusive: '?',
  error: '!',
  cancelled: '!',
  interrupted: '!',
  queued: '…',
  running: '…',
};

const severityTitle: Record<Severity, string> = { error: 'Errors', warning: 'Warnings', info: 'Notes' };

export function renderHtml(report: Report): string {
  const outcome = outcomeOf(report);
  const t = report.target;
  const heading = t ? describeHead(t) : report.id;
  const subtitle = t
    ? [
        t.repo,
        t.pr ? `PR #${t.pr.number} “${t.pr.title}”` : '',
        describeBase(t) ? `base ${describeBase(t)}` : '',
      ]
        .filter(Boolean)
        .join(' · ')
    : '';

  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${new SafeHtml(csp)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${outcomeLabel[outcome]} · ${heading} · myfav-coworker</title>
<style>${new SafeHtml(styles)}</style>
</head>
<body>
<header class="top">
<span class="badge badge-${outcome}">${badgeMark[outcome]} ${outcomeLabel[outcome]}</span>
<div><h1>${heading}</h1>${subtitle ? html`<p class="muted">${subtitle}</p>` : ''}</div>
</header>
<main>
<section class="summary">
<p>${report.summary || summarize(report)}</p>
${report.verdict === 'inconclusive' && report.incompleteReason ? html`<p><strong>Why inconclusive:</strong> ${report.incompleteReason}</p>` : ''}
</section>
${errorSection(report)}
${findingsSection(report)}
${pagesSection(report)}
${brokenLinksSection(report)}
${factsSection(report)}
${agentSection(report)}
${timingsSection(report)}
${artifactsSection(report)}
</main>
<footer class="muted">Job ${report.id} · created ${report.createdAt}${report.finishedAt ? ` · finished ${report.finishedAt}` : ''} · myfav-coworker</footer>
</body>
</html>
`;
  return redactSecrets(page.value);
}

function errorSection(report: Report): SafeHtml | '' {
  const err = report.error;
  if (!err) return '';
  return html`<section class="error-box" id="error">
<h2>What failed</h2>
<p><code>${err.code}</code> ${err.message.split('\n')[0] ?? ''}</p>
${err.message.trim().includes('\n') ? html`<pre>${err.message}</pre>` : ''}
<p><strong>What to do:</strong> ${err.hint}</p>
</section>`;
}

function findingsSection(report: Report): SafeHtml {
  const change = describeComparison(report);
  if (report.findings.length === 0) {
    return html`<section id="findings"><h2>Findings</h2>${change ? html`<p><strong>${change}</strong></p>` : ''}<p class="muted">${noFindingsText(report)}</p></section>`;
  }
  const bySeverityGroups = (findings: readonly Finding[]) => {
    const sorted = bySeverity(findings);
    return severityOrder
      .map((severity) => ({ severity, items: sorted.filter((f) => f.severity === severity) }))
      .filter((g) => g.items.length > 0)
      .map(
        (
          g,
        ) => html`<h4 class="sev-heading sev-${g.severity}">${severityTitle[g.severity]} (${g.items.length})</h4>
${g.items.map((f) => findingCard(report, f))}`,
      );
  };
  if (!change) {
    return html`<section id="findings">
<h2>Findings <span class="muted">(${describeCounts(report.findings)})</span></h2>
${report.comparisonNote && report.status === 'completed' ? html`<p class="muted">${report.comparisonNote}</p>` : ''}
${bySeverityGroups(report.findings)}
</section>`;
  }
  const groups = byOrigin(report.findings);
  const headings = originHeadings(report);
  return html`<section id="findings">
<h2>Findings <span class="muted">(${describeCounts(report.findings)})</span></h2>
<p><strong>${change}</strong></p>
${(['new', 'preExisting', 'fixed'] as const).map(
  (key) => html`<h3 class="origin-heading origin-${key}">${headings[key]} (${groups[key].length})</h3>
${groups[key].length ? bySeverityGroups(groups[key]) : html`<p class="muted">None.</p>`}`,
)}
</section>
${comparisonSection(report)}`;
}

function comparisonSection(report: Report): SafeHtml | '' {
  const c = report.comparison;
  if (!c) return '';
  return html`<section id="comparison">
<h2>Head and base side by side</h2>
<p class="muted">${c.cached ? `The base ${c.baseRef ?? ''} @ ${c.baseSha.slice(0, 12)} was not run again: its cached run of ${c.cachedAt ?? 'earlier'} was used.` : `The base ${c.baseRef ?? ''} @ ${c.baseSha.slice(0, 12)} ran beside the change, at the same pages.`}</p>
${c.notes?.length ? html`<ul>${c.notes.map((n) => html`<li>${n}</li>`)}</ul>` : ''}
${c.pages.map((p) => comparedPage(report, p))}
</section>`;
}

function comparedPage(report: Report, p: ComparedPage): SafeHtml {
  const side = (label: string, shot: string | undefined) =>
    html`<figure class="page"><figcaption class="muted">${label}</figcaption>${shot ? screenshot(report, shot, `${label} screenshot of ${p.path}`) : html`<div class="noshot muted">no screenshot</div>`}</figure>`;
  const visual = describeVisual(p);
  const rows = accessibilityRows(p);
  return html`<h3><code>${p.path}</code> <span class="muted">head ${p.headStatus ?? 'did not load'} · base ${p.baseStatus ?? 'did not load'}</span></h3>
${visual ? html`<p class="${p.visualChange ? (p.touchedByDiff ? 'visual-expected' : 'bad-text') : 'muted'}">${visual}</p>` : ''}
<div class="gallery">${side('Head', p.headScreenshot)}${side('Base', p.baseScreenshot)}${p.diffImage ? side('Difference (changed pixels in red)', p.diffImage) : ''}</div>
${
  p.a11y
    ? rows.length
      ? html`<p class="label">Accessibility (axe-core, serious and critical)</p><ul class="a11y">${rows.map(
          ({ violation: v, origin }) =>
            html`<li><span class="origin-tag origin-${origin}">${originLabel[origin]}</span> ${helpLink(v.helpUrl, v.id)} <span class="muted">(${v.impact})</span> ${v.help}${v.targets.length ? html` — ${v.targets.map((t, i) => html`${i ? ', ' : ''}<code>${t}</code>`)}` : ''}</li>`,
        )}</ul>`
      : html`<p class="muted">Accessibility (axe-core): no serious or critical violation on either side.</p>`
    : ''
}`;
}

const originLabel: Record<FindingOrigin, string> = {
  new: 'new',
  'pre-existing': 'on both',
  fixed: 'fixed',
};

function helpLink(url: string, text: string): SafeHtml {
  const href = trustedHelpUrl(url);
  return href
    ? html`<a href="${href}" rel="noopener noreferrer"><code>${text}</code></a>`
    : html`<code>${text}</code>`;
}

function findingCard(report: Report, f: Finding): SafeHtml {
  const images: string[] = [];
  const files: string[] = [];
  const quoted: string[] = [];
  for (const e of f.evidence) {
    const file = evidenceFile(e, report);
    if (file && isImagePath(file)) images.push(file);
    else if (file) files.push(file);
    else quoted.push(e);
  }
  return html`<article class="finding sev-${f.severity}">
<h4><span class="sev-tag">${f.severity}</span> ${f.title}${f.flaky ? html` <span class="muted">(flaky)</span>` : ''}</h4>
<p class="muted">${[f.page ? html`page <code>${f.page}</code>` : '', f.source ? ` · found by ${f.source}` : '', ` · ${f.kind}`]}</p>
<p>${f.detail}</p>
${f.steps?.length ? html`<p class="label">Steps to reproduce</p><ol class="steps">${f.steps.map((s) => html`<li>${s}</li>`)}</ol>` : ''}
${
  images.length || files.length || quoted.length
    ? html`<p class="label">Evidence</p>
${quoted.length ? html`<pre>${quoted.join('\n')}</pre>` : ''}
${files.length ? html`<ul>${files.map((p) => html`<li>${fileLink(report, p)}</li>`)}</ul>` : ''}
${images.length ? html`<div class="shots">${images.map((p) => screenshot(report, p, `Screenshot: ${p}`))}</div>` : ''}`
    : ''
}
</article>`;
}

function pagesSection(report: Report): SafeHtml | '' {
  if (!report.pages.length) return '';
  return html`<section id="pages">
<h2>Pages visited <span class="muted">(${report.pages.length})</span></h2>
<div class="gallery">
${report.pages.map((p) => pageCard(report, p))}
</div>
</section>`;
}

function pageCard(report: Report, p: PageResult): SafeHtml {
  const ok = p.status !== null && p.status < 400;
  const problems = pageProblemList(p);
  return html`<figure class="page">
${p.screenshot ? screenshot(report, p.screenshot, `Screenshot of ${p.path}`) : html`<div class="noshot muted">no screenshot</div>`}
<figcaption>
<code>${p.path}</code> <span class="status ${ok ? 'ok' : 'bad'}">${p.status === null ? 'did not load' : p.status}</span>
${p.title ? html`<br><span>${p.title}</span>` : ''}
<br><span class="${problems.length ? 'bad-text' : 'muted'}">${problems.length ? problems.join(', ') : 'no problems'}</span>
${p.error ? html`<br><span class="bad-text">${p.error}</span>` : ''}
<br><span class="muted">found via ${p.via} · ${formatDuration(p.loadMs)}</span>
</figcaption>
</figure>`;
}

function brokenLinksSection(report: Report): SafeHtml | '' {
  if (!report.brokenLinks.length) return '';
  const appOrigin = report.app ? originOf(report.app.url) : null;
  return html`<section id="broken-links">
<h2>Broken links <span class="muted">(${report.brokenLinks.length})</span></h2>
<table><thead><tr><th>Link</th><th>Found on</th><th>Result</th></tr></thead><tbody>
${report.brokenLinks.map(
  (l) =>
    html`<tr><td><code>${displayUrl(l.url, appOrigin)}</code></td><td><code>${l.from}</code></td><td>${l.status !== null ? `HTTP ${l.status}` : (l.failure ?? 'no response')}</td></tr>`,
)}
</tbody></table>
</section>`;
}

function factsSection(report: Report): SafeHtml {
  const t = report.target;
  const a = report.app;
  const pr = t?.pr;
  const prLink =
    pr && /^https?:\/\/[^\s]+$/.test(pr.url)
      ? html`<a href="${pr.url}" rel="noopener noreferrer">#${pr.number}</a>`
      : pr
        ? `#${pr.number}`
        : '';
  return html`<section id="facts" class="facts">
${
  t
    ? html`<div><h2>Target</h2><dl>
<dt>Repository</dt><dd><code>${t.repo}</code></dd>
<dt>Head</dt><dd><code>${t.headRef}</code> at <code>${t.headSha}</code></dd>
${t.baseRef || t.baseSha ? html`<dt>Base</dt><dd><code>${t.baseRef ?? ''}</code>${t.baseSha ? html` at <code>${t.baseSha}</code>` : ''}</dd>` : ''}
${
  pr
    ? html`<dt>Pull request</dt><dd>${prLink} “${pr.title}” by ${pr.author} (${pr.state}${pr.draft ? ', draft' : ''})${pr.isFork ? html`<br>from fork <code>${pr.headRepo}</code>` : ''}</dd>`
    : ''
}
${
  t.commits?.length
    ? html`<dt>Commits</dt><dd><ul class="plain">${t.commits.slice(0, 10).map((c) => html`<li><code>${shortSha(c.sha)}</code> ${c.subject}</li>`)}${t.commits.length > 10 ? html`<li class="muted">and ${t.commits.length - 10} more</li>` : ''}</ul></dd>`
    : ''
}
${
  t.changedFiles.length
    ? html`<dt>Changed files</dt><dd><details><summary>${plural(t.changedFiles.length, 'file')}${t.changedFilesTruncated ? ' (list truncated)' : ''}</summary><ul>${t.changedFiles.map((f) => html`<li><code>${f}</code></li>`)}</ul></details></dd>`
    : ''
}
</dl></div>`
    : ''
}
${
  a
    ? html`<div><h2>App</h2><dl>
<dt>Directory</dt><dd>${a.dir ? html`<code>${a.dir}</code>` : 'repository root'} <span class="muted">(${a.dirReason})</span></dd>
<dt>Kind</dt><dd>${a.kind === 'static' ? 'static site' : 'Node app'}${a.packageManager ? `, ${a.packageManager}` : ''}</dd>
${a.installCommand ? html`<dt>Installed with</dt><dd><code>${a.installCommand}</code></dd>` : ''}
${a.startCommand ? html`<dt>Started with</dt><dd><code>${a.startCommand}</code></dd>` : ''}
${a.url ? html`<dt>URL in this run</dt><dd><code>${a.url}</code> <span class="muted">(steps use paths relative to it)</span></dd>` : ''}
</dl></div>`
    : ''
}
</section>`;
}

function agentSection(report: Report): SafeHtml {
  const a = report.agent;
  if (!a?.ran) {
    return html`<section id="agent"><h2>AI exploration</h2><p class="muted">${agentNotRunText(report)}</p></section>`;
  }
  const u = a.usage;
  return html`<section id="agent"><h2>AI exploration</h2><dl>
<dt>Ran</dt><dd>yes${a.reason ? html`, stopped early: ${a.reason}` : ''}</dd>
${a.verdict ? html`<dt>Agent's verdict</dt><dd>${a.verdict}</dd>` : ''}
${a.summary ? html`<dt>Agent's summary</dt><dd>${a.summary}</dd>` : ''}
${
  u
    ? html`<dt>Usage</dt><dd><code>${u.model}</code>, ${plural(u.steps, 'step')}, ${u.inputTokens} input / ${u.outputTokens} output tokens (cache ${u.cacheReadTokens} read, ${u.cacheWriteTokens} written), cost ${formatUsd(u.costUsd)}</dd>`
    : ''
}
${a.observation ? html`<dt>Observations</dt><dd>${observationText(a.observation)}</dd>` : ''}
${a.transcript ? html`<dt>Transcript</dt><dd>${fileLink(report, a.transcript)}</dd>` : ''}
${
  a.reproduceSpec
    ? html`<dt>Playwright test</dt><dd>${fileLink(report, a.reproduceSpec)}${a.reproduceConfig ? html` · ${fileLink(report, a.reproduceConfig)}<br><span class="muted">replay against a running copy of the app: <code>BASE_URL=http://127.0.0.1:3000 npx playwright test --config ${artifactRelativePath(a.reproduceConfig, report.artifacts.dir) ?? a.reproduceConfig}</code></span>` : ''}</dd>`
    : ''
}
</dl>
${a.steps?.length ? agentSteps(report, a.steps) : ''}
</section>`;
}

/** The agent's tool calls in order, with what it said before them and the screenshots it took. */
function agentSteps(report: Report, steps: AgentStep[]): SafeHtml {
  return html`<h3>Steps</h3>
<ol class="agent-steps">
${steps.map(
  (s) => html`<li class="${s.ok ? 'step-ok' : 'step-failed'}">
${s.thought ? html`<p class="muted thought">${s.thought}</p>` : ''}
<p><code>${s.tool}</code> ${s.input} <span class="status ${s.ok ? 'ok' : 'bad'}">${s.ok ? 'ok' : 'failed'}</span></p>
<p class="muted">${s.result}</p>
${s.problems?.length ? html`<ul class="bad-text">${s.problems.map((p) => html`<li>${p}</li>`)}</ul>` : ''}
${s.screenshot ? html`<div class="shots">${screenshot(report, s.screenshot, `Screenshot of step ${s.n}`)}</div>` : ''}
</li>`,
)}
</ol>`;
}

/** "1,234 characters of page snapshots sent in 4 steps: 12% of the full snapshots (10,280)". */
export function observationText(o: { steps: number; sentChars: number; fullChars: number }): string {
  const pct = o.fullChars > 0 ? Math.round((o.sentChars / o.fullChars) * 100) : 0;
  return `${o.sentChars.toLocaleString('en-US')} characters of page snapshots sent over ${plural(o.steps, 'observation')}: ${pct}% of the full snapshots (${o.fullChars.toLocaleString('en-US')})`;
}

function timingsSection(report: Report): SafeHtml {
  const total = report.timings.total;
  const rows = phaseOrder.flatMap((phase) => {
    const ms = report.timings[phase];
    if (ms === undefined) return [];
    const pct = total > 0 && Number.isFinite(ms) ? Math.min(100, Math.max(0, (ms / total) * 100)) : 0;
    return [
      html`<tr><td>${phase}</td><td class="num">${formatDuration(ms)}</td><td class="bar-cell"><span class="bar" style="width:${pct.toFixed(1)}%"></span></td></tr>`,
    ];
  });
  return html`<section id="timings"><h2>Timings</h2>
<table class="timings"><tbody>
${rows}
<tr class="total"><td>total</td><td class="num">${formatDuration(total)}</td><td></td></tr>
</tbody></table></section>`;
}

function artifactsSection(report: Report): SafeHtml {
  const art = report.artifacts;
  const traceRel = art.trace ? (artifactRelativePath(art.trace, art.dir) ?? art.trace) : '';
  return html`<section id="artifacts"><h2>Artifacts</h2>
<p class="muted">Folder: <code>${art.dir}</code></p>
<ul>
<li>${fileLink(report, art.reportJson)} · ${fileLink(report, art.reportMd)} · ${fileLink(report, art.reportHtml)}</li>
${art.installLog ? html`<li>Install log: ${fileLink(report, art.installLog)}</li>` : ''}
${art.appLog ? html`<li>App log: ${fileLink(report, art.appLog)}</li>` : ''}
${art.trace ? html`<li>Playwright trace: ${fileLink(report, art.trace)} <span class="muted">(open with <code>npx playwright show-trace ${traceRel}</code>)</span></li>` : ''}
${art.screenshots.length ? html`<li>${plural(art.screenshots.length, 'screenshot')}</li>` : ''}
</ul></section>`;
}

/** An <img> for a screenshot inside the artifact dir; anything else is named, not loaded. */
function screenshot(report: Report, p: string, alt: string): SafeHtml {
  const href = artifactHref(p, report.artifacts.dir);
  if (href === null)
    return html`<div class="noshot muted">screenshot not shown (not a file in the report folder): <code>${p}</code></div>`;
  return html`<a href="${href}"><img src="${href}" alt="${alt}" loading="lazy"></a>`;
}

/** A link to a file inside the artifact dir, or the path as text when it is not one. */
function fileLink(report: Report, p: string): SafeHtml {
  const href = artifactHref(p, report.artifacts.dir);
  if (href === null) return html`<code>${p}</code>`;
  return html`<a href="${href}">${artifactRelativePath(p, report.artifacts.dir)}</a>`;
}

const styles = `
:root{--fg:#1f2328;--muted:#656d76;--bg:#fff;--card:#f6f8fa;--border:#d0d7de;--red:#cf222e;--amber:#9a6700;--blue:#0969da;--green:#1a7f37}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--card:#161b22;--border:#30363d;--red:#f85149;--amber:#d29922;--blue:#4493f8;--green:#3fb950}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main,footer,.top{max-width:1100px;margin:0 auto;padding:0 24px}
.top{display:flex;gap:16px;align-items:center;padding-top:24px;padding-bottom:8px}
h1{font-size:22px;margin:0;word-break:break-word}
h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid var(--border);padding-bottom:4px}
h4{margin:0 0 4px;font-size:15px;word-break:break-word}
.muted{color:var(--muted)}
.badge{font-weight:700;font-size:16px;padding:6px 14px;border-radius:999px;color:#fff;white-space:nowrap;background:var(--muted)}
.badge-pass{background:var(--green)}.badge-fail,.badge-error{background:var(--red)}.badge-inconclusive{background:var(--amber)}
.summary{background:var(--card);border:1px solid var(--border);border-radius:8px;padding:4px 16px;margin-top:12px}
.error-box{border:1px solid var(--red);border-radius:8px;padding:0 16px;margin-top:16px}
.error-box h2{border:0;color:var(--red)}
.finding{border:1px solid var(--border);border-left:5px solid var(--muted);border-radius:6px;padding:10px 14px;margin:10px 0;background:var(--card)}
.finding.sev-error{border-left-color:var(--red)}.finding.sev-warning{border-left-color:var(--amber)}.finding.sev-info{border-left-color:var(--blue)}
.finding p{margin:4px 0}
.sev-tag{font-size:12px;text-transform:uppercase;letter-spacing:.04em;padding:1px 6px;border-radius:4px;color:#fff;background:var(--muted);vertical-align:2px}
.sev-error .sev-tag{background:var(--red)}.sev-warning .sev-tag{background:var(--amber)}.sev-info .sev-tag{background:var(--blue)}
.sev-heading.sev-error{color:var(--red)}.sev-heading.sev-warning{color:var(--amber)}.sev-heading.sev-info{color:var(--blue)}
.label{font-weight:600;font-size:13px;margin-top:8px!important}
.steps{margin:2px 0;padding-left:22px}
pre{background:var(--bg);border:1px solid var(--border);border-radius:6px;padding:8px 10px;overflow:auto;white-space:pre-wrap;word-break:break-word;font-size:13px}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-word}
.shots{display:flex;gap:10px;flex-wrap:wrap}
.shots img{width:240px;height:150px;border:1px solid var(--border);border-radius:4px;object-fit:cover;object-position:top}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:14px}
.page{margin:0;border:1px solid var(--border);border-radius:8px;overflow:hidden;background:var(--card)}
.page img{display:block;width:100%;height:170px;object-fit:cover;object-position:top;border-bottom:1px solid var(--border)}
.page figcaption{padding:8px 10px;font-size:13px;word-break:break-word}
.noshot{padding:20px 10px;text-align:center;font-size:13px}
.status{font-weight:600;font-size:12px;padding:0 6px;border-radius:4px;color:#fff}
.status.ok{background:var(--green)}.status.bad{background:var(--red)}
.bad-text{color:var(--red)}
.visual-expected{color:var(--blue)}
.a11y{padding-left:20px;margin:4px 0}.a11y li{margin:3px 0;word-break:break-word}
.origin-tag{font-size:12px;padding:1px 6px;border-radius:4px;color:#fff;background:var(--muted)}
.origin-tag.origin-new{background:var(--amber)}.origin-tag.origin-fixed{background:var(--green)}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border:1px solid var(--border);padding:4px 8px;text-align:left;vertical-align:top;word-break:break-word}
.timings{max-width:560px}.timings td{border:0;border-bottom:1px solid var(--border)}
.num{text-align:right;white-space:nowrap}.bar-cell{width:60%}
.bar{display:block;height:10px;border-radius:3px;background:var(--blue);min-width:2px}
.total td{font-weight:700}
.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:0 32px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:0}
dt{color:var(--muted)}dd{margin:0;word-break:break-word}
a{color:var(--blue)}
.plain{list-style:none;margin:0;padding:0}
footer{margin-top:32px;padding-bottom:24px;font-size:13px}
.agent-steps{padding-left:26px}.agent-steps li{margin:8px 0;padding:6px 10px;border-left:4px solid var(--green);background:var(--card);border-radius:4px}
.agent-steps li.step-failed{border-left-color:var(--amber)}.agent-steps p{margin:2px 0;word-break:break-word}.thought{font-style:italic}
`;
