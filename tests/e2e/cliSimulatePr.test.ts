// `simulate <pull request>` as a user runs it: the real binary, the real Octokit and git against the fake
// GitHub (MYFAV_GITHUB_API_URL), the demo's real server, real Chromium, real SQLite. And the token: it must
// be found nowhere it must not be.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { fakeToken, type GithubDemo, startGithubDemo } from '../fakes/githubDemo.js';
import { type CliResult, leftoversIn, reportFromJson, runCli, tempHome } from '../helpers/cli.js';
import { processesWithMarker } from '../helpers/processes.js';

let demo: GithubDemo;
const home = tempHome();

beforeAll(async () => {
  demo = await startGithubDemo();
}, 60_000);
afterAll(async () => {
  await demo?.close();
  home.cleanup();
});

function simulate(target: string, opts: { token?: string | null; extra?: string[] } = {}) {
  return runCli(['simulate', target, '--no-agent', ...(opts.extra ?? [])], {
    home: home.dir,
    env: {
      MYFAV_GITHUB_API_URL: demo.apiUrl,
      MYFAV_KEYCHAIN: 'off',
      ...(opts.token === null ? {} : { GH_TOKEN: opts.token ?? demo.token }),
    },
  });
}

function reportOf(r: CliResult): Report {
  try {
    return reportFromJson(r.stdout);
  } catch {
    throw new Error(`no JSON report on stdout (exit ${r.code}); stderr:\n${r.stderr.slice(-3000)}`);
  }
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

describe('simulate a pull request', () => {
  it('the demo PR fails as the local run does, and the report carries the PR facts', async () => {
    const r = await simulate('https://github.com/acme/demo/pull/1/files', { extra: ['--json'] });
    const report = reportOf(r);
    expect(report.error).toBeUndefined();
    expect(r.code).toBe(1);
    expect(report).toMatchObject({ status: 'completed', verdict: 'fail' });
    expect(report.target).toMatchObject({
      kind: 'github',
      repo: 'github.com/acme/demo',
      headRef: 'feature/stats',
      baseRef: 'main',
      pr: {
        number: 1,
        title: 'Add stats page and note search',
        author: 'dev',
        state: 'open',
        isFork: false,
        url: `${demo.fake.url}/acme/demo/pull/1`,
      },
    });
    expect(report.target?.headSha).toMatch(/^[0-9a-f]{40}$/);
    expect(report.target?.baseSha).toMatch(/^[0-9a-f]{40}$/);
    expect(report.target?.changedFiles).toContain('public/stats.js');
    const errors = report.findings.filter((f) => f.severity === 'error');
    // The same three regressions as the local run (tests/e2e/cliSimulateDemo.test.ts).
    expect(errors).toHaveLength(3);
    expect(errors.some((f) => f.kind === 'page-error' && f.page === '/stats.html')).toBe(true);
    expect(errors.some((f) => f.kind === 'failed-request' && /\/api\/stats.*500/.test(f.title))).toBe(true);
    expect(errors.some((f) => /help\.html/.test(f.title) && /404/.test(f.title + f.detail))).toBe(true);
    expect(r.stderr).toMatch(/PR #1 by dev \(open\)/);
    expect(processesWithMarker(report.id)).toEqual([]);
    expect(leftoversIn(home.dir)).toEqual([]);

    const md = readFileSync(report.artifacts.reportMd, 'utf8');
    expect(md).toMatch(/# FAIL — PR #1/);
    expect(md).toMatch(/Pull request: \[#1\]/);
    const jobs = JSON.parse((await runCli(['jobs', '--json'], { home: home.dir })).stdout);
    expect(jobs[0]).toMatchObject({
      id: report.id,
      prUrl: `${demo.fake.url}/acme/demo/pull/1`,
      verdict: 'fail',
    });
  });

  it('a private repository with the token: passes, and the token is found nowhere it must not be', async () => {
    const r = await simulate('acme/private-app#1', { extra: ['--json'] });
    const report = reportOf(r);
    expect(report.error).toBeUndefined();
    expect(report).toMatchObject({ status: 'completed', verdict: 'pass' });
    expect(r.code).toBe(0);
    expect(report.app?.installCommand).toBe('npm ci');

    // The app's install script and server wrote their environments: no token, no GH_TOKEN, a private HOME.
    for (const name of ['install', 'app']) {
      const log = readFileSync(path.join(report.artifacts.dir, `${name}.log`), 'utf8');
      const raw = new RegExp(`^ENV-DUMP ${name} (.*)$`, 'm').exec(log)?.[1] ?? '';
      expect(raw).not.toContain(demo.token);
      const env = JSON.parse(raw) as Record<string, string>;
      expect(env.GH_TOKEN).toBeUndefined();
      expect(env.HOME).not.toBe(process.env.HOME);
      expect(Object.keys(env).some((k) => /^GIT_CONFIG/.test(k))).toBe(false);
    }
    // Not in the history (SQLite and its WAL), the reports, the logs, any .git/config of the cache.
    const files = filesUnder(home.dir);
    expect(files.some((f) => f.endsWith('jobs.sqlite'))).toBe(true);
    expect(files.some((f) => /repos\/.*\.git\/config$/.test(f))).toBe(true);
    expect(files.some((f) => f.endsWith('install.log'))).toBe(true);
    for (const file of files) {
      if (statSync(file).size > 20_000_000) continue;
      expect(readFileSync(file, 'latin1'), file).not.toContain(demo.token);
    }
    expect(r.stdout + r.stderr).not.toContain(demo.token);
  });

  it("a fork's PR is refused without --trust, and says why", async () => {
    const before = demo.fake.gitRequests.length;
    const r = await simulate('acme/demo#2');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/it comes from the fork mallory\/demo, not from acme\/demo/);
    expect(r.stderr).toMatch(/--trust/);
    expect(demo.fake.gitRequests.length).toBe(before);
    expect(leftoversIn(home.dir)).toEqual([]);
  });
});

describe('bad input and GitHub errors', () => {
  it('non-GitHub and malformed URLs are rejected before any network call', async () => {
    const before = demo.fake.requests.length;
    const gitlab = await simulate('https://gitlab.com/acme/demo/-/merge_requests/1');
    expect(gitlab.code).toBe(2);
    expect(gitlab.stderr).toMatch(/GitLab is not supported/);
    const malformed = await simulate('https://github.com/acme/demo/pull/one');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/not a pull request number/);
    expect(malformed.stderr).toMatch(/OWNER\/REPO#123/);
    expect(demo.fake.requests.length).toBe(before);
  });

  it('PR not found, bad token (exit 4), rate limited', async () => {
    const missing = await simulate('acme/demo#999');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/not found, or your token cannot see this repository/);

    const revoked = await simulate('acme/demo#1', { token: fakeToken() });
    expect(revoked.code).toBe(4);
    expect(revoked.stderr).toMatch(/invalid or revoked/);
    expect(revoked.stderr).toMatch(/myfav-coworker login/);

    demo.fake.failNext({
      path: /\/pulls\/1$/,
      status: 403,
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      },
      body: { message: 'API rate limit exceeded' },
    });
    const limited = await simulate('acme/demo#1');
    expect(limited.code).toBe(2);
    expect(limited.stderr).toMatch(/rate limit for your token is used up until/);
  });
});
