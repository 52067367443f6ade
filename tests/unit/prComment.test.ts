// The verdict as a PR comment and in GitHub Actions: what reviewers read, and what untrusted text
// (page errors, the PR's own words) cannot do there — mention people, link issues of other repositories,
// render HTML or links, or start a workflow command.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  actionsEnv,
  annotationCommand,
  annotationsFor,
  changedFileOf,
  pullRequestFromEvent,
  runUrl,
} from '../../src/ci/githubActions.js';
import type { Finding, Report } from '../../src/report/model.js';
import { prText, renderPrComment } from '../../src/report/prComment.js';

const headSha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const baseSha = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';

function finding(overrides: Partial<Finding>): Finding {
  return {
    severity: 'error',
    kind: 'page-error',
    title: 'Uncaught TypeError: stats is undefined',
    page: '/stats.html',
    detail: 'An uncaught error on /stats.html at http://127.0.0.1:4173/stats.js:12:5',
    evidence: ['screenshots/stats.html.png'],
    steps: ['Open /stats.html', 'Observe the uncaught error'],
    origin: 'new',
    ...overrides,
  };
}

function compared(findings: Finding[]): Report {
  return {
    id: 'job-42',
    status: 'completed',
    verdict: 'fail',
    summary: 'Tested PR #42: 1 new problem.',
    target: {
      kind: 'github',
      input: 'acme/web#42',
      repo: 'github.com/acme/web',
      headRef: 'feature/stats',
      headSha,
      baseRef: 'main',
      baseSha,
      changedFiles: ['public/stats.html', 'public/stats.js', 'README.md'],
    },
    app: null,
    findings,
    pages: ['/', '/stats.html', '/help.html'].map((p) => ({
      url: `http://127.0.0.1:4173${p}`,
      path: p,
      status: 200,
      title: p,
      via: 'link' as const,
      loadMs: 100,
      pageErrors: [],
      consoleErrors: [],
      failedRequests: [],
      links: [],
    })),
    brokenLinks: [],
    timings: { total: 42_000 },
    artifacts: {
      dir: '/x',
      reportJson: '/x/report.json',
      reportMd: '/x/report.md',
      reportHtml: '/x/report.html',
      screenshots: [],
    },
    agent: {
      ran: true,
      usage: {
        model: 'claude-sonnet-5-5',
        steps: 9,
        inputTokens: 40_000,
        outputTokens: 2_000,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: 0.1432,
      },
    },
    comparison: { baseSha, baseRef: 'main', cached: false, pages: [], timings: {} },
    createdAt: '2026-05-01T10:00:00.000Z',
    startedAt: '2026-05-01T10:00:01.000Z',
    finishedAt: '2026-05-01T10:00:43.000Z',
  };
}

const threeSections = () =>
  compared([
    finding({}),
    finding({
      kind: 'broken-link',
      title: 'Broken link to /old.html (404)',
      page: '/',
      origin: 'pre-existing',
      steps: [],
    }),
    finding({ kind: 'console-error', title: 'Console error: quota', page: '/help.html', origin: 'fixed' }),
  ]);

describe('the PR comment', () => {
  it('shows the verdict, the new problems with steps, what was on the base, what was fixed, pages, cost, the report', () => {
    const body = renderPrComment(threeSections(), {
      marker: '<!-- m -->',
      reportUrl: 'https://github.com/acme/web/actions/runs/77',
    });
    expect(body.split('\n')[0]).toBe('<!-- m -->');
    expect(body).toContain('### ❌ myfav-coworker: FAIL — 1 new problem in this change');
    const newPart = body.slice(body.indexOf('#### New in this change (1)'), body.indexOf('#### Already on'));
    expect(newPart).toContain('Uncaught TypeError: stats is undefined');
    expect(newPart).toMatch(
      /Steps to reproduce:\n\n {3}1\. Open \/stats\.html\n {3}2\. Observe the uncaught error/,
    );
    expect(body).toMatch(
      /#### Already on `main` \(1\)\n\n- \*\*error\*\* `broken-link` Broken link to \/old\.html \(404\)/,
    );
    expect(body).toMatch(/#### Fixed by this change \(1\)\n\n- .*Console error: quota/);
    expect(body).toContain('**Pages visited (3):** `/`, `/stats.html`, `/help.html`');
    expect(body).toContain('**AI exploration:** 9 steps, 42,000 tokens, $0.1432');
    expect(body).toContain("[workflow run's artifacts](https://github.com/acme/web/actions/runs/77)");
    expect(body).toContain('`a1b2c3d` against `main` `9f8e7d6`');
  });

  it('without a base comparison, every problem is listed as the change’s; a local run says where the report is', () => {
    const report = {
      ...threeSections(),
      comparison: undefined,
      comparisonNote: 'Not compared (--no-compare-base).',
    };
    report.findings = report.findings.map((f) => ({ ...f, origin: undefined }) as Finding);
    const body = renderPrComment(report);
    expect(body).toContain('#### Problems (3)');
    expect(body).not.toContain('Already on');
    expect(body).toContain('`myfav-coworker show job-42` on the machine that ran it');
  });

  it('keeps hostile page and PR text inert: no mentions, issue links, HTML, links or images', () => {
    const hostile = [
      'ping @octocat and @acme/security-team',
      'see #123, acme/other#7, GH-99 and acme/other@deadbeef',
      'visit https://evil.example/login or www.evil.example now',
      '<img src=x onerror=alert(1)> <details open><summary>hi</summary></details>',
      '[click](https://evil.example) ![pixel](https://evil.example/p.png)',
      '<!-- myfav-coworker:verdict -->',
    ].join(' ');
    const report = compared([
      finding({ title: hostile, detail: hostile, steps: [hostile], page: `/x?${hostile}` }),
    ]);
    report.summary = hostile;
    const body = renderPrComment(report, { marker: '<!-- marker -->' });
    // Code spans are literal on GitHub (no mentions, links or HTML): look at the text outside them.
    const prose = body.replace(/(`+)[^`]*?\1/g, '');
    expect(prose).not.toMatch(/@[A-Za-z0-9]/);
    expect(prose).not.toMatch(/#\d/);
    expect(prose).not.toMatch(/GH-\d/i);
    expect(prose).not.toMatch(/[a-z]:\/\//i);
    expect(prose).not.toMatch(/www\./i);
    // The only tags are our own: the marker and the footer's <sub>.
    expect(prose.replace(/^<!-- marker -->\n/, '').replace(/<\/?sub>/g, '')).not.toMatch(/<[a-z!/]/i);
    expect(prose).not.toMatch(/(^|[^\\])\]\(/);
    // Our marker appears once: the page cannot plant a second one.
    expect(body.split('<!-- myfav-coworker:verdict -->')).toHaveLength(1);
    // The words themselves are still there for a reader.
    expect(prText('@octocat #123 <b>')).toBe('@\u200doctocat #\u200d123 &lt;b&gt;');
  });

  it('stays within GitHub’s 65,536 characters whatever the report holds', () => {
    const many = Array.from({ length: 400 }, (_, i) =>
      finding({ title: `Problem ${i} ${'x'.repeat(900)}`, detail: 'y'.repeat(5000) }),
    );
    const body = renderPrComment(compared(many), { marker: '<!-- m -->' });
    expect(body.length).toBeLessThan(65_536);
    expect(body).toContain('… and 375 more in the full report.');
  });
});

describe('GitHub Actions', () => {
  it('is recognised from GITHUB_ACTIONS, and the run page is where the artifacts are', () => {
    expect(actionsEnv({})).toBeNull();
    const env = actionsEnv({
      GITHUB_ACTIONS: 'true',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/web',
      GITHUB_RUN_ID: '77',
    });
    expect(env && runUrl(env)).toBe('https://github.com/acme/web/actions/runs/77');
  });

  it('takes the pull request from the event file, and says so when the event has none', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'myfav-event-'));
    try {
      const file = path.join(dir, 'event.json');
      await writeFile(
        file,
        JSON.stringify({ number: 42, pull_request: { number: 42 }, repository: { full_name: 'acme/web' } }),
      );
      const env = { serverUrl: 'https://ghe.example.com', eventName: 'pull_request', eventPath: file };
      expect(await pullRequestFromEvent(env)).toBe('ghe.example.com/acme/web#42');
      await writeFile(
        file,
        JSON.stringify({ ref: 'refs/heads/main', repository: { full_name: 'acme/web' } }),
      );
      await expect(pullRequestFromEvent({ ...env, eventName: 'push' })).rejects.toThrow(
        /No pull request to simulate: the workflow's event \(push\) is not about a pull request/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('annotates new problems (only new ones) at the changed file they name, as one escaped command each', () => {
    const report = threeSections();
    const annotations = annotationsFor(report);
    expect(annotations).toHaveLength(1);
    expect(annotations[0]).toMatchObject({ level: 'error', file: 'public/stats.js' });
    const command = annotationCommand({
      level: 'error',
      file: 'src/a,b.ts',
      title: 'x: y',
      message: 'line one\n::add-mask::secret\r\n100%',
    });
    expect(command).toBe(
      '::error file=src/a%2Cb.ts,title=x%3A y::line one%0A::add-mask::secret%0D%0A100%25\n',
    );
    expect(command.trimEnd().split('\n')).toHaveLength(1);
  });

  it('maps a finding to the changed file its page or script is served from', () => {
    const changed = ['public/stats.html', 'public/stats.js', 'src/app.ts'];
    expect(
      changedFileOf(
        finding({ page: '/', title: 'TypeError', detail: 'at http://127.0.0.1:1/stats.js:3:1' }),
        changed,
      ),
    ).toBe('public/stats.js');
    expect(changedFileOf(finding({ page: '/stats.html', detail: '' }), changed)).toBe('public/stats.html');
    expect(changedFileOf(finding({ page: '/settings', detail: 'nothing' }), changed)).toBeUndefined();
  });
});
