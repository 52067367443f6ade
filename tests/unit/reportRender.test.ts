import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { escapeHtml, renderHtml } from '../../src/report/html.js';
import { mdCode, mdFence, mdText, renderMarkdown } from '../../src/report/markdown.js';
import type { Finding, PageResult, Report } from '../../src/report/model.js';
import { renderTerminalSummary } from '../../src/report/terminal.js';
import { writeReportFiles } from '../../src/report/write.js';

const artifactDir = '/data/myfav-coworker/jobs/job-123';
const headSha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

function page(p: string, overrides: Partial<PageResult> = {}): PageResult {
  return {
    url: `http://127.0.0.1:4173${p}`,
    path: p,
    status: 200,
    title: `Page ${p}`,
    via: 'link',
    loadMs: 250,
    screenshot: `screenshots/${p === '/' ? 'index' : p.slice(1)}.png`,
    pageErrors: [],
    consoleErrors: [],
    failedRequests: [],
    links: [],
    ...overrides,
  };
}

/** A complete, realistic failed report; tests override what they need. */
function makeReport(overrides: Partial<Report> = {}): Report {
  return {
    id: 'job-123',
    status: 'completed',
    verdict: 'fail',
    summary: 'Tested PR #42 and visited 2 pages. Verdict: fail.',
    target: {
      kind: 'github',
      input: 'https://github.com/acme/web/pull/42',
      repo: 'github.com/acme/web',
      headRef: 'feature/stats',
      headSha,
      baseRef: 'main',
      baseSha: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
      changedFiles: ['public/stats.html', 'public/stats.js'],
      commits: [{ sha: headSha, subject: 'Add a stats page' }],
      pr: {
        number: 42,
        url: 'https://github.com/acme/web/pull/42',
        title: 'Add a stats page',
        body: 'Adds /stats.html',
        author: 'octocat',
        state: 'open',
        draft: false,
        headRepo: 'acme/web',
        isFork: false,
      },
    },
    app: {
      dir: '',
      kind: 'node',
      packageManager: 'npm',
      installCommand: 'npm ci',
      startCommand: 'npm start',
      url: 'http://127.0.0.1:4173/',
      dirReason: 'repo root',
    },
    findings: [
      {
        severity: 'error',
        kind: 'failed-request',
        title: 'GET /api/stats returned HTTP 500',
        page: '/stats.html',
        detail: 'GET /api/stats returned HTTP 500 while loading /stats.html.',
        evidence: ['screenshots/stats.html.png', 'GET http://127.0.0.1:4173/api/stats → HTTP 500'],
        steps: [
          'Open /stats.html',
          "In the browser's network panel, observe GET /api/stats returned HTTP 500",
        ],
        source: 'crawl',
      },
      {
        severity: 'warning',
        kind: 'console-error',
        title: 'Console error: Something odd',
        page: '/',
        detail: 'The browser console logged an error while loading /: Something odd.',
        evidence: ['screenshots/index.png', 'Console error: Something odd'],
        steps: ['Open /', 'Observe the console error: Something odd'],
        source: 'crawl',
      },
    ],
    pages: [
      page('/', { via: 'entry', consoleErrors: ['Something odd'] }),
      page('/stats.html', {
        failedRequests: [{ url: 'http://127.0.0.1:4173/api/stats', method: 'GET', status: 500 }],
      }),
    ],
    brokenLinks: [{ from: '/', url: 'http://127.0.0.1:4173/missing.html', status: 404 }],
    timings: { checkout: 1200, install: 8300, launch: 900, crawl: 4100, total: 14_700 },
    artifacts: {
      dir: artifactDir,
      reportJson: path.join(artifactDir, 'report.json'),
      reportMd: path.join(artifactDir, 'report.md'),
      reportHtml: path.join(artifactDir, 'report.html'),
      appLog: path.join(artifactDir, 'app.log'),
      trace: path.join(artifactDir, 'trace.zip'),
      screenshots: ['screenshots/index.png', 'screenshots/stats.html.png'],
    },
    agent: { ran: false, reason: 'No Anthropic API key is set (ANTHROPIC_API_KEY).' },
    createdAt: '2026-05-01T10:00:00.000Z',
    startedAt: '2026-05-01T10:00:01.000Z',
    finishedAt: '2026-05-01T10:00:16.000Z',
    ...overrides,
  };
}

const xss = '<script>alert(1)</script>';
const breakout = '"><img src=x onerror=alert(1)>';
const singleQuote = "' onmouseover='alert(1)";

/** A report with attacker-controlled text in every field that can come from the app, the PR or an agent. */
function hostileReport(): Report {
  const base = makeReport();
  const hostileFinding: Finding = {
    severity: 'error',
    kind: 'agent',
    title: `${xss} ${breakout}`,
    page: breakout,
    detail: `${singleQuote} [click me](javascript:alert(1)) ${xss}`,
    evidence: [
      'javascript:alert(1)',
      '../../etc/passwd',
      '/etc/passwd',
      'https://evil.example/pixel.png',
      'screenshots/../../../etc/shadow.png',
      'data:text/html,<script>alert(1)</script>',
      `console says ${breakout}`,
    ],
    steps: [`Click ${breakout}`, `Type ${xss}`],
    source: 'agent',
  };
  return {
    ...base,
    summary: `Summary ${xss}`,
    incompleteReason: breakout,
    verdict: 'fail',
    target: {
      ...base.target!,
      headRef: breakout,
      pr: {
        ...base.target!.pr!,
        title: `<img src=x onerror=alert(1)> ${singleQuote}`,
        url: 'javascript:alert(1)',
        author: xss,
      },
      changedFiles: [xss],
      commits: [{ sha: 'b'.repeat(40), subject: `${xss} [x](javascript:alert(1))` }],
    },
    app: { ...base.app!, startCommand: `node ${xss}`, dirReason: breakout },
    findings: [hostileFinding, ...base.findings],
    pages: [
      page('/', { title: xss, screenshot: 'javascript:alert(1)', error: breakout }),
      page('/a', { title: breakout, screenshot: '../../etc/passwd' }),
      page('/b', { title: singleQuote, screenshot: 'https://evil.example/x.png' }),
      page('/c', { screenshot: '/etc/passwd' }),
      page('/d', { screenshot: 'screenshots\\..\\..\\x.png' }),
      page('/ok'),
    ],
    brokenLinks: [{ from: breakout, url: `http://127.0.0.1:4173/${xss}`, status: null, failure: breakout }],
    agent: {
      ran: true,
      summary: xss,
      reason: breakout,
      transcript: '../../secrets.json',
      reproduceSpec: 'javascript:alert(1)',
    },
    error: { code: 'INTERNAL', message: `boom ${xss}\n<iframe src="https://evil.example">`, hint: breakout },
  };
}

const allowedTags = new Set(
  'html head meta title style body header main section article footer div span p h1 h2 h3 h4 ul ol li dl dt dd table thead tbody tr th td a img figure figcaption pre code strong br details summary'.split(
    ' ',
  ),
);

/** Every start tag of an HTML document with its attributes (values unescaped only of &quot;). */
function tags(doc: string): Array<{ name: string; attrs: Array<[string, string]> }> {
  const out: Array<{ name: string; attrs: Array<[string, string]> }> = [];
  for (const m of doc.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    const attrs: Array<[string, string]> = [];
    for (const a of (m[2] ?? '').matchAll(/\s+([^\s=>]+)(?:="([^"]*)")?/g))
      attrs.push([a[1]!.toLowerCase(), a[2] ?? '']);
    out.push({ name: m[1]!.toLowerCase(), attrs });
  }
  return out;
}

describe('renderHtml', () => {
  it('renders a readable self-contained page with the verdict, findings, gallery and timings', () => {
    const doc = renderHtml(makeReport());
    expect(doc.startsWith('<!doctype html>')).toBe(true);
    expect(doc).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'">`,
    );
    expect(doc).toContain('✗ FAIL');
    expect(doc).toContain('GET /api/stats returned HTTP 500');
    expect(doc).toContain('<li>Open /stats.html</li>');
    expect(doc).toContain('<img src="screenshots/stats.html.png"');
    expect(doc).toContain('<img src="screenshots/index.png"');
    expect(doc).toContain('href="report.json"');
    expect(doc).toContain('<li><code>a1b2c3d</code> Add a stats page</li>');
    expect(doc).toContain('npx playwright show-trace trace.zip');
    expect(doc).toContain('No Anthropic API key is set');
    // No external resources and no scripts.
    expect(doc).not.toMatch(/<script|<link|@import|url\(/i);
    for (const t of tags(doc)) {
      for (const [name, value] of t.attrs) if (name === 'src') expect(value).not.toMatch(/^(?:[a-z]+:|\/)/i);
    }
  });

  it('escapes hostile content everywhere and never loads or links outside the artifact dir', () => {
    const doc = renderHtml(hostileReport());

    for (const t of tags(doc)) {
      expect(allowedTags, `unexpected <${t.name}>`).toContain(t.name);
      for (const [name, value] of t.attrs) {
        expect(name, `event handler on <${t.name}>`).not.toMatch(/^on/);
        expect(value.toLowerCase()).not.toContain('javascript:');
        if (name === 'src') {
          expect(value).not.toMatch(/^(?:[a-z]+:|\/|\\)/i);
          expect(value.split('/')).not.toContain('..');
        }
        if (name === 'href') expect(value).not.toMatch(/\.\.|^\/|^[a-z]+:/i);
      }
    }
    expect(doc).not.toMatch(/<script|<iframe|<img[^>]*onerror/i);
    // The hostile text is still shown, as text.
    expect(doc).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(doc).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(doc).toContain('&#39; onmouseover=&#39;alert(1)');
    // Unsafe screenshot paths are named, not loaded; the safe one still is.
    expect(doc).toContain('screenshot not shown');
    expect(doc).toContain('<img src="screenshots/ok.png"');
    const sources = tags(doc).flatMap((t) => t.attrs.filter(([n]) => n === 'src').map(([, v]) => v));
    expect(new Set(sources)).toEqual(
      new Set(['screenshots/ok.png', 'screenshots/stats.html.png', 'screenshots/index.png']),
    );
    // The PR link is not a link when its URL is not http(s).
    expect(doc).not.toContain('href="javascript');
  });

  it('escapes text and attribute contexts with one function', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
    expect(escapeHtml(42)).toBe('42');
  });

  it('shows what failed and what to do when the job errored', () => {
    const doc = renderHtml(
      makeReport({
        status: 'error',
        verdict: null,
        findings: [],
        pages: [],
        agent: undefined,
        error: {
          code: 'APP_NOT_READY',
          message: 'The app did not answer on its port within 60 s',
          hint: 'Check app.log',
        },
      }),
    );
    expect(doc).toContain('! ERROR');
    expect(doc).toContain('<code>APP_NOT_READY</code> The app did not answer on its port within 60 s');
    expect(doc).toContain('Check app.log');
    // An app that was never tested has no findings, but that is not "no problems".
    expect(doc).not.toContain('No problems found');
    expect(doc).toContain('stopped before the app was tested');
    expect(doc).toContain('stopped before this phase');
  });

  it('counts an error status as a problem of the page that returned it', () => {
    const report = makeReport({ pages: [page('/help.html', { status: 404, title: 'Not found' })] });
    expect(renderHtml(report)).toMatch(/HTTP 404<\/span>/);
    expect(renderMarkdown(report)).toMatch(/\| \/help\.html \| 404 \| Not found \| HTTP 404 \|/);
  });

  it('shows evidence files given as absolute paths inside the artifact dir, and only those', () => {
    const base = makeReport();
    const doc = renderHtml(
      makeReport({
        findings: [
          {
            ...base.findings[0]!,
            evidence: [
              path.join(artifactDir, 'agent', 'step-3.png'),
              '/etc/hosts.png',
              path.join(artifactDir, 'app.log'),
            ],
          },
        ],
      }),
    );
    expect(doc).toContain('<img src="agent/step-3.png"');
    expect(doc).toContain('<a href="app.log">app.log</a>');
    expect(doc).not.toContain('src="/etc');
    expect(doc).toContain('/etc/hosts.png</pre>');
  });

  it('links the agent transcript when there is one', () => {
    const doc = renderHtml(
      makeReport({ agent: { ran: true, transcript: 'agent/transcript.json', summary: 'Clicked around' } }),
    );
    expect(doc).toContain('<a href="agent/transcript.json">agent/transcript.json</a>');
  });
});

/** Lines of a Markdown document that are outside fenced code blocks. */
function linesOutsideFences(md: string): string[] {
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of md.split('\n')) {
    const m = /^(`{3,})/.exec(line);
    if (fence === null && m) fence = m[1]!;
    else if (fence !== null && m && m[1]!.length >= fence.length && line.trim() === m[1]) fence = null;
    else if (fence === null) out.push(line);
  }
  return out;
}

describe('renderMarkdown', () => {
  it('renders title, summary, target, app, findings, pages, broken links, timings, agent and artifacts', () => {
    const md = renderMarkdown(makeReport());
    expect(md.startsWith('# FAIL — PR #42\n')).toBe(true);
    for (const heading of [
      '## Target',
      '## App',
      '## Findings (1 error and 1 warning)',
      '### Errors (1)',
      '### Warnings (1)',
      '#### 1. GET /api/stats returned HTTP 500',
      '## Pages (2)',
      '## Broken links (1)',
      '## Timings',
      '## AI exploration',
      '## Artifacts',
    ]) {
      expect(md).toContain(`\n${heading}\n`);
    }
    expect(md).toContain(
      '- Pull request: [#42](<https://github.com/acme/web/pull/42>) “Add a stats page” by octocat (open)',
    );
    expect(md).toContain(`- Head: \`feature/stats\` at \`${headSha}\``);
    expect(md).toContain('1. Open /stats.html');
    expect(md).toContain('- [screenshots/stats.html.png](<screenshots/stats.html.png>)');
    expect(md).toContain('```text\nGET http://127.0.0.1:4173/api/stats → HTTP 500\n```');
    expect(md).toContain(
      '| /stats.html | 200 | Page /stats.html | 1 failed request | [view](<screenshots/stats.html.png>) |',
    );
    expect(md).toContain('| install | 8.3 s |');
    // Links of the app are shown as paths: the port is different in every run.
    expect(md).toContain('| /missing.html | / | HTTP 404 |');
    expect(md).toContain('Did not run: No Anthropic API key is set (ANTHROPIC\\_API\\_KEY).');
    expect(md).toContain('[report.html](<report.html>)');
    expect(md).toContain('- Commits (1):\n  - `a1b2c3d` Add a stats page\n');
  });

  it('neutralizes links, HTML, headings and table breaks from untrusted text', () => {
    const report = hostileReport();
    report.pages.push(page('/t', { title: '| injected | cells | here' }));
    report.findings.push({
      severity: 'warning',
      kind: 'console-error',
      title: '# Pwned heading',
      detail: '![img](https://evil.example/track.png)',
      evidence: ['line one\n```\n## Escaped heading\n````\n[x](https://evil.example)'],
      source: 'crawl',
    });
    const md = renderMarkdown(report);
    const outside = linesOutsideFences(md).join('\n');
    // Code spans are literal in Markdown: what is left outside them must hold no HTML.
    const prose = outside.replace(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g, '');

    expect(prose).not.toMatch(/<(script|img|iframe)/i);
    expect(prose).toContain('&lt;script&gt;');
    expect(outside).not.toMatch(/^#+ Pwned/m);
    expect(outside).not.toMatch(/^## Escaped heading/m);
    // Only our own links: every link destination is an artifact path or the PR page.
    for (const m of outside.matchAll(/(?<!\\)\]\((<?)([^)>]*)/g)) {
      expect(m[2]).toMatch(/^(screenshots\/[\w.-]+\.png|report\.(json|md|html)|app\.log|trace\.zip)$/);
    }
    // Table rows keep their number of cells.
    const row = outside.split('\n').find((l) => l.startsWith('| /t '))!;
    expect(row.split(/(?<!\\)\|/)).toHaveLength(7);
    // The console line is kept whole inside a fence longer than its longest backtick run.
    expect(md).toContain(
      '`````text\nline one\n```\n## Escaped heading\n````\n[x](https://evil.example)\n`````',
    );
  });

  it('has helpers that escape inline text, code spans and fences', () => {
    expect(mdText('<b>[a](b)</b> *x* | y')).toBe('&lt;b&gt;\\[a\\](b)&lt;/b&gt; \\*x\\* \\| y');
    expect(mdText('# title')).toBe('\\# title');
    expect(mdText('1. item')).toBe('1\\. item');
    expect(mdCode('a ``b`` c')).toBe('```a ``b`` c```');
    expect(mdCode('`tick')).toBe('`` `tick ``');
    expect(mdFence('x ```` y')).toBe('`````text\nx ```` y\n`````');
  });
});

describe('renderTerminalSummary', () => {
  it('prints a compact, colourless result when colour is off', () => {
    const out = renderTerminalSummary(makeReport(), { color: false });
    expect(out).not.toContain('\x1b');
    expect(out.split('\n')[0]).toBe(
      '✗ FAIL  feature/stats @ a1b2c3d in github.com/acme/web (PR #42, base main @ 9f8e7d6)',
    );
    expect(out).toContain('2 pages · 1 error and 1 warning · 14.7 s');
    expect(out).toMatch(/error {4}GET \/api\/stats returned HTTP 500 {2}\/stats\.html/);
    expect(out).toContain('warning  Console error: Something odd  /');
    expect(out).toContain('AI exploration: not run — No Anthropic API key is set (ANTHROPIC_API_KEY).');
    expect(out).toContain(`Report: ${path.join(artifactDir, 'report.html')}`);
    expect(out).not.toContain(headSha);
  });

  it('colours the verdict and severities only when asked', () => {
    const out = renderTerminalSummary(makeReport(), { color: true });
    expect(out).toContain('\x1b[31m✗ FAIL\x1b[39m');
    expect(renderTerminalSummary(makeReport({ verdict: 'pass', findings: [] }), { color: true })).toContain(
      '\x1b[32m✓ PASS',
    );
  });

  it('labels every outcome', () => {
    const text = (r: Partial<Report>) =>
      renderTerminalSummary(makeReport(r), { color: false }).split('\n')[0];
    expect(text({ verdict: 'pass', findings: [] })).toMatch(/^✓ PASS /);
    expect(text({ verdict: 'inconclusive', findings: [] })).toMatch(/^\? INCONCLUSIVE /);
    expect(text({ status: 'error', verdict: null })).toMatch(/^! ERROR /);
  });

  it('shows what failed, the last log lines and what to do for an error', () => {
    const out = renderTerminalSummary(
      makeReport({
        status: 'error',
        verdict: null,
        findings: [],
        pages: [],
        error: {
          code: 'APP_EXITED',
          message:
            'The app exited with code 1 before it was ready. Last lines of app.log:\nError: listen EADDRINUSE',
          hint: 'Run npm start yourself in the checkout to see why it stops.',
        },
      }),
      { color: false },
    );
    expect(out).toContain(
      'APP_EXITED: The app exited with code 1 before it was ready. Last lines of app.log:',
    );
    expect(out).toContain('    Error: listen EADDRINUSE');
    expect(out).toContain('What to do: Run npm start yourself in the checkout to see why it stops.');
    expect(out).not.toContain('AI exploration');
  });

  it('strips escape sequences that a page put into its messages', () => {
    const evil: Finding = {
      severity: 'error',
      kind: 'page-error',
      title: 'Uncaught \x1b]0;owned\x07Error: \x1b[2J\x1b[31mred\rfake\u202eevil',
      page: '/\x1b[1Ax',
      detail: '',
      evidence: [],
    };
    const plain = renderTerminalSummary(makeReport({ findings: [evil] }), { color: false });
    for (const ch of ['\x1b', '\x07', '\r', '\u202e']) expect(plain).not.toContain(ch);
    expect(plain).toContain('Uncaught ]0;ownedError: [2J[31mredfakeevil');
    const coloured = renderTerminalSummary(makeReport({ findings: [evil] }), { color: true });
    // Only our own colour codes remain.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching our own ANSI colour codes.
    const withoutOurs = coloured.replace(/\x1b\[\d+m/g, '');
    expect(withoutOurs).not.toContain('\x1b');
    expect(withoutOurs).not.toContain('\x07');
  });

  it('stays compact with many findings', () => {
    const many = Array.from(
      { length: 30 },
      (_, i): Finding => ({
        severity: 'warning',
        kind: 'console-error',
        title: `Console error: number ${i}`,
        detail: '',
        evidence: [],
      }),
    );
    const out = renderTerminalSummary(makeReport({ findings: many }), { color: false });
    expect(out).toContain('… 22 more in the report');
    expect(out.split('\n').length).toBeLessThan(20);
  });
});

describe('writeReportFiles', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('writes report.json, report.md and report.html into the artifact dir, and report.json round-trips', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'myfav-report-'));
    const jobDir = path.join(dir, 'jobs', 'job-123');
    const report = makeReport({
      artifacts: {
        ...makeReport().artifacts,
        dir: jobDir,
        reportJson: path.join(jobDir, 'report.json'),
        reportMd: path.join(jobDir, 'report.md'),
        reportHtml: path.join(jobDir, 'report.html'),
      },
    });

    await writeReportFiles(report);

    expect((await readdir(jobDir)).sort()).toEqual(['report.html', 'report.json', 'report.md']);
    expect(JSON.parse(await readFile(path.join(jobDir, 'report.json'), 'utf8'))).toEqual(report);
    expect(await readFile(path.join(jobDir, 'report.md'), 'utf8')).toBe(renderMarkdown(report));
    expect(await readFile(path.join(jobDir, 'report.html'), 'utf8')).toBe(renderHtml(report));
  });

  it('masks tokens that a page or log put into the report, in all three files', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'myfav-report-'));
    // Fake, and written in two parts so no committed line has a real token's shape (secret scanners).
    const token = `ghp_${'abcdefghijklmnopqrstuvwxyz0123456789'}`;
    const base = makeReport();
    const report = makeReport({
      artifacts: {
        ...base.artifacts,
        dir,
        reportJson: 'report.json',
        reportMd: 'report.md',
        reportHtml: 'report.html',
      },
      findings: [{ ...base.findings[0]!, evidence: [`Console error: fetch failed with ${token}`] }],
    });
    await writeReportFiles(report);
    for (const name of ['report.json', 'report.md', 'report.html']) {
      const text = await readFile(path.join(dir, name), 'utf8');
      expect(text, name).not.toContain(token);
      expect(text, name).toContain('ghp_…[redacted]');
    }
  });

  it('replaces earlier files and leaves no temporary files behind', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'myfav-report-'));
    const artifacts = {
      ...makeReport().artifacts,
      dir,
      reportJson: 'report.json',
      reportMd: 'report.md',
      reportHtml: 'report.html',
    };
    await writeReportFiles(makeReport({ artifacts, verdict: 'fail' }));
    await writeReportFiles(makeReport({ artifacts, verdict: 'pass', findings: [] }));

    expect((await readdir(dir)).sort()).toEqual(['report.html', 'report.json', 'report.md']);
    expect(JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')).verdict).toBe('pass');
    expect(await readFile(path.join(dir, 'report.md'), 'utf8')).toMatch(/^# PASS/);
  });
});
