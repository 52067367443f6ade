// Resolving and checking out pull requests: the real Octokit and the real git against the fake GitHub.
// A `git` wrapper first on PATH records every git command line we run, so the tests can show that the
// token and the API's branch names never appear on one.

import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { detectApp } from '../../src/app/detect.js';
import { resolveSettings } from '../../src/config/load.js';
import { createDeps } from '../../src/deps.js';
import { CoworkerError } from '../../src/errors.js';
import { exitCodeFor } from '../../src/exit.js';
import { createGithubClient } from '../../src/github/octokit.js';
import { fetchPullRequest } from '../../src/github/pullRequest.js';
import type { GithubTarget } from '../../src/github/targetParse.js';
import { resolveHeadSha } from '../../src/jobs/githubTarget.js';
import { checkoutTarget } from '../../src/jobs/target.js';
import type { TargetCheckout } from '../../src/jobs/targetCheckout.js';
import { silentLogger } from '../../src/log.js';
import { resolvePaths } from '../../src/paths.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { Report } from '../../src/report/model.js';
import { summarize } from '../../src/report/verdict.js';
import type { TrustGrant } from '../../src/trust/consent.js';
import { addTrusted, parseTrustEntry } from '../../src/trust/lists.js';
import { fakeToken, type GithubDemo, startGithubDemo } from '../fakes/githubDemo.js';
import { createGitRepo } from '../helpers/gitRepo.js';
import { type LoopLag, watchLoopLag } from '../helpers/loopLag.js';

let demo: GithubDemo;
let work: string;
let gitLog: string;
const originalPath = process.env.PATH;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'myfav-pr-'));
  gitLog = path.join(work, 'git-argv.log');
  const shimDir = path.join(work, 'bin');
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  execFileSync('mkdir', ['-p', shimDir]);
  writeFileSync(
    path.join(shimDir, 'git'),
    `#!/bin/sh\nprintf '%s ' "$@" >> '${gitLog}'\nprintf '\\n' >> '${gitLog}'\nexec '${realGit}' "$@"\n`,
  );
  chmodSync(path.join(shimDir, 'git'), 0o755);
  process.env.PATH = `${shimDir}${path.delimiter}${originalPath}`;
  demo = await startGithubDemo();
}, 60_000);

afterAll(async () => {
  process.env.PATH = originalPath;
  await demo?.close();
  rmSync(work, { recursive: true, force: true });
});

// Time limits below add what a loaded machine took from this process (tests/helpers/loopLag.ts).
let lag: LoopLag;
beforeEach(() => {
  lag = watchLoopLag();
});
afterEach(() => lag.stop());

/** The requests for acme/demo#1 the fake has seen, in order (`at`: when it saw each). */
const pullRequests = () =>
  demo.fake.apiRequests().filter((r) => /\/repos\/acme\/demo\/pulls\/1$/.test(r.path));

const spec = (repo: string, number: number): GithubTarget => ({
  kind: 'github',
  host: 'github.com',
  owner: repo.split('/')[0]!,
  repo: repo.split('/')[1]!,
  number,
});

let jobs = 0;
function context(
  opts: { home?: string; token?: string | null; consent?: TrustGrant; progress?: string[] } = {},
) {
  const home = opts.home ?? mkdtempSync(path.join(work, 'home-'));
  const env: NodeJS.ProcessEnv = {
    MYFAV_GITHUB_API_URL: demo.apiUrl,
    MYFAV_KEYCHAIN: 'off',
    ...(opts.token !== null ? { GH_TOKEN: opts.token ?? demo.token } : {}),
  };
  const paths = resolvePaths({ MYFAV_COWORKER_HOME: home });
  return {
    home,
    ctx: {
      reposDir: path.join(home, 'cache', 'repos'),
      worktreeDir: path.join(home, 'cache', 'worktrees', `job${++jobs}`),
      github: createDeps({ paths, env, logger: silentLogger }),
      ...(opts.consent ? { consent: opts.consent } : {}),
      onProgress: (m: string) => opts.progress?.push(m),
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<CoworkerError> {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof CoworkerError)) throw err;
    return err;
  }
  throw new Error('expected a failure');
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

describe('pull request checkout', () => {
  it('resolves the PR from the API and checks its head out through a new cache', async () => {
    const progress: string[] = [];
    const c = context({ progress });
    const first: TargetCheckout = await checkoutTarget(spec('acme/demo', 1), c.ctx);
    const t = first.target;
    expect(t).toMatchObject({
      kind: 'github',
      repo: 'github.com/acme/demo',
      headRef: 'feature/stats',
      baseRef: 'main',
    });
    expect(t.pr).toMatchObject({
      number: 1,
      title: 'Add stats page and note search',
      author: 'dev',
      state: 'open',
      isFork: false,
      headRepo: 'acme/demo',
      url: `${demo.fake.url}/acme/demo/pull/1`,
    });
    expect(t.changedFiles).toEqual(
      expect.arrayContaining(['public/stats.js', 'public/stats.html', 'server.js']),
    );
    expect(t.commits?.map((c) => c.subject)).toEqual([
      'Add note search and link Stats and Help from the nav',
      'Add a stats page with note totals',
    ]);
    expect(first.changes?.find((f) => f.path === 'public/stats.js')?.patch).toMatch(/^@@/);
    expect(first.cache).toBe('cloned');
    expect(readFileSync(path.join(first.worktree, 'public', 'stats.html'), 'utf8')).toMatch(/Stats/);
    expect(
      execFileSync('git', ['-C', first.worktree, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim(),
    ).toBe(t.headSha);
    expect(progress.join('\n')).toMatch(/PR #1 by dev \(open\): \d+ changed file/);
    // Every git request carried the token; none reached the server without it.
    const gitRequests = demo.fake.gitRequests.filter((r) => r.path.startsWith('/acme/demo.git'));
    expect(gitRequests.length).toBeGreaterThan(0);
    expect(gitRequests.every((r) => r.auth === 'valid')).toBe(true);

    // The same PR again: the cache has both commits, nothing is downloaded.
    const before = demo.fake.gitRequests.length;
    const again = await checkoutTarget(spec('acme/demo', 1), {
      ...c.ctx,
      worktreeDir: `${c.ctx.worktreeDir}-2`,
    });
    expect(again.cache).toBe('fetched');
    expect(demo.fake.gitRequests.length).toBe(before);
    expect(again.mirrorDir).toBe(first.mirrorDir);
    await again.remove();
    expect(existsSync(again.worktree)).toBe(false);

    // The token is nowhere on disk: not in the cache's config, FETCH_HEAD, refs, logs.
    for (const file of filesUnder(c.home)) {
      if (statSync(file).size < 1_000_000)
        expect(readFileSync(file, 'latin1'), file).not.toContain(demo.token);
    }
    await first.remove();
  });

  it('a new push to the PR is fetched incrementally into the same cache', async () => {
    const c = context();
    const one = await checkoutTarget(spec('acme/demo', 5), c.ctx);
    await one.remove();
    const headOf = () => resolveHeadSha(spec('acme/demo', 5), c.ctx.github);
    expect(await headOf()).toBe(one.target.headSha);
    const sha = await demo.fake.pushToPull('acme/demo', 5, 'feature/stats');
    expect(await headOf()).toBe(sha);
    const before = demo.fake.gitRequests.length;
    const two = await checkoutTarget(spec('acme/demo', 5), {
      ...c.ctx,
      worktreeDir: `${c.ctx.worktreeDir}-b`,
    });
    expect(two.target.headSha).toBe(sha);
    expect(two.cache).toBe('fetched');
    expect(demo.fake.gitRequests.length).toBeGreaterThan(before);
    await two.remove();
    await demo.fake.pushToPull('acme/demo', 5, 'docs/readme');
  });

  it('concurrent jobs on the same repository share one cache safely', async () => {
    const c = context();
    const [a, b] = await Promise.all([
      checkoutTarget(spec('acme/demo', 1), c.ctx),
      checkoutTarget(spec('acme/demo', 5), { ...c.ctx, worktreeDir: `${c.ctx.worktreeDir}-other` }),
    ]);
    expect(a.mirrorDir).toBe(b.mirrorDir);
    expect(existsSync(path.join(a.worktree, 'public', 'stats.html'))).toBe(true);
    expect(existsSync(path.join(b.worktree, 'CONTRIBUTING.md'))).toBe(true);
    await Promise.all([a.remove(), b.remove()]);
    expect(readdirSync(path.join(c.home, 'cache', 'repos')).filter((d) => d.endsWith('.git'))).toHaveLength(
      1,
    );
  });

  it('a public repository works without logging in (no credentials sent at all)', async () => {
    const before = demo.fake.gitRequests.length;
    const apiBefore = demo.fake.requests.length;
    const c = context({ token: null });
    // Anonymous: GitHub cannot say whether the user may push, so it runs only from the trusted list.
    await addTrusted(path.join(c.home, 'config'), parseTrustEntry('acme/demo', 'repo'));
    const checkout = await checkoutTarget(spec('acme/demo', 5), c.ctx);
    expect(existsSync(path.join(checkout.worktree, 'CONTRIBUTING.md'))).toBe(true);
    expect(demo.fake.gitRequests.slice(before).every((r) => r.auth === 'none')).toBe(true);
    expect(demo.fake.requests.slice(apiBefore).every((r) => r.authorization === undefined)).toBe(true);
    await checkout.remove();
  });

  it('a private repository needs the token (API and git), and works with it', async () => {
    const anonymous = await failure(
      checkoutTarget(spec('acme/private-app', 1), context({ token: null }).ctx),
    );
    expect(anonymous.code).toBe('AUTH_REQUIRED');
    expect(exitCodeFor({ kind: 'error', error: anonymous })).toBe(4);
    expect(anonymous.hint).toMatch(/myfav-coworker login/);

    const c = context();
    const checkout = await checkoutTarget(spec('acme/private-app', 1), c.ctx);
    expect(readFileSync(path.join(checkout.worktree, 'server.js'), 'utf8')).toMatch(/new heading/);
    const requests = demo.fake.gitRequests.filter((r) => r.path.startsWith('/acme/private-app.git'));
    expect(requests.every((r) => r.auth === 'valid' && r.login === demo.login)).toBe(true);
    await checkout.remove();
  });

  it("refuses a fork's PR without the user's consent for its head, before fetching any of its code", async () => {
    const before = demo.fake.gitRequests.length;
    const c = context();
    const err = await failure(checkoutTarget(spec('acme/demo', 2), c.ctx));
    expect(err.code).toBe('UNTRUSTED_CODE');
    expect(err.message).toMatch(/comes from the fork mallory\/demo, not from acme\/demo/);
    expect(err.message).toMatch(/runs that code/);
    expect(err.hint).toContain('myfav-coworker simulate https://github.com/acme/demo/pull/2 --trust');
    expect(err.hint).toContain('myfav-coworker trust mallory/demo');
    expect(demo.fake.gitRequests.length).toBe(before);
    expect(existsSync(c.ctx.worktreeDir)).toBe(false);

    // A consent covers the head the user saw, not a later push.
    const stale = await failure(
      checkoutTarget(spec('acme/demo', 2), { ...c.ctx, consent: { headSha: 'a'.repeat(40), how: 'flag' } }),
    );
    expect(stale.message).toMatch(/changed after you agreed to run it/);
    expect(demo.fake.gitRequests.length).toBe(before);

    const headSha = await resolveHeadSha(spec('acme/demo', 2), c.ctx.github);
    const trusted = await checkoutTarget(spec('acme/demo', 2), {
      ...c.ctx,
      consent: { headSha, how: 'flag' },
    });
    expect(trusted.target.pr).toMatchObject({ isFork: true, headRepo: 'mallory/demo' });
    expect(trusted.target.headRef).toBe('patch-1');
    await trusted.remove();
  });

  it('a merged PR is simulated, and the report says so', async () => {
    const progress: string[] = [];
    const checkout = await checkoutTarget(spec('acme/demo', 3), context({ progress }).ctx);
    expect(checkout.target.pr?.state).toBe('merged');
    expect(progress.join('\n')).toMatch(/the PR is merged; simulating its last head anyway/);
    const report = {
      id: 'j1',
      status: 'completed',
      verdict: 'pass',
      summary: '',
      target: checkout.target,
      app: null,
      findings: [],
      pages: [],
      brokenLinks: [],
      timings: { total: 1 },
      artifacts: { dir: work, reportJson: '', reportMd: '', reportHtml: '', screenshots: [] },
      createdAt: '2025-01-01T00:00:00Z',
      startedAt: null,
      finishedAt: null,
    } satisfies Report;
    expect(renderMarkdown(report)).toMatch(/Pull request: .*#3.*\(merged\)/);
    expect(summarize(report)).toMatch(
      /PR #3 “Add stats page \(merged\)” \(feature\/stats @ [0-9a-f]+, base main @ [0-9a-f]+, merged\)/,
    );
    await checkout.remove();
  });

  it("finds the app of a monorepo from the PR's changed paths", async () => {
    const pkg = (name: string) => JSON.stringify({ name, scripts: { start: 'node server.js' } });
    const mono = await createGitRepo({
      dir: path.join(work, 'mono-src'),
      files: {
        'package.json': JSON.stringify({ name: 'mono', private: true }),
        'apps/api/package.json': pkg('api'),
        'apps/api/server.js': '',
        'apps/web/package.json': pkg('web'),
        'apps/web/server.js': '',
      },
      branches: { 'feature/web': { 'apps/web/server.js': '// changed', 'apps/web/page.html': '<p>new</p>' } },
    });
    await demo.fake.addRepo({ owner: 'acme', name: 'mono', source: mono.path });
    demo.fake.grantPush(demo.login, 'acme/mono');
    await demo.fake.addPull({
      repo: 'acme/mono',
      number: 1,
      title: 'Web change',
      head: { branch: 'feature/web' },
      base: { branch: 'main' },
    });
    const checkout = await checkoutTarget(spec('acme/mono', 1), context().ctx);
    const plan = await detectApp(checkout.worktree, checkout.target.changedFiles, resolveSettings({}, {}));
    expect(plan.relDir).toBe('apps/web');
    await checkout.remove();
  });

  it('hostile branch names from the API are data: never on a git command line', async () => {
    const c = context();
    const checkout = await checkoutTarget(spec('acme/demo', 4), c.ctx);
    expect(checkout.target.headRef).toBe(demo.hostileHeadRef);
    expect(checkout.target.baseRef).toBe(demo.hostileBaseRef);
    expect(existsSync(path.join(checkout.worktree, 'public', 'stats.js'))).toBe(true);
    const argv = readFileSync(gitLog, 'utf8');
    expect(argv).toContain('refs/pull/');
    expect(argv).not.toContain('upload-pack=');
    expect(argv).not.toContain('ProxyCommand');
    expect(argv).not.toContain(demo.token);
    expect(filesUnder(work).some((f) => /pwned/.test(path.basename(f)))).toBe(false);
    await checkout.remove();

    // Control characters would rewrite the user's terminal: such an answer is refused.
    await demo.fake.addPull({
      repo: 'acme/demo',
      number: 6,
      title: 'Escape',
      head: { branch: 'feature/stats', ref: 'x\u001b]0;owned\u0007' },
      base: { branch: 'main' },
    });
    const err = await failure(checkoutTarget(spec('acme/demo', 6), context().ctx));
    expect(err.code).toBe('GITHUB_FAILED');
    expect(err.message).toMatch(/control characters/);
  });
});

describe('pull request resolution', () => {
  it('pages through the changed files and caps what it keeps', async () => {
    const files = Array.from({ length: 250 }, (_, i) => ({
      filename: `src/file${String(i).padStart(3, '0')}.ts`,
      additions: 1,
      patch: `@@ -0,0 +1 @@\n+${'x'.repeat(1000)}`,
    }));
    await demo.fake.addPull({
      repo: 'acme/demo',
      number: 7,
      title: 'Big',
      head: { branch: 'feature/stats' },
      base: { branch: 'main' },
      files,
    });
    const client = await createGithubClient({ apiUrl: demo.apiUrl, token: demo.token });
    const before = demo.fake.apiRequests().length;
    const all = await fetchPullRequest(client, spec('acme/demo', 7));
    expect(all.files).toHaveLength(250);
    expect(all.files.at(-1)?.path).toBe('src/file249.ts');
    expect(all.filesTruncated).toBe(false);
    // One request for the PR, three pages of 100.
    expect(demo.fake.apiRequests().length - before).toBe(4);

    const capped = await fetchPullRequest(client, spec('acme/demo', 7), {
      maxFiles: 120,
      maxPatchChars: 50_000,
      maxFilePatchChars: 600,
    });
    expect(capped.files).toHaveLength(120);
    expect(capped.filesTruncated).toBe(true);
    expect(capped.changedFilesCount).toBe(250);
    expect(capped.patchesTruncated).toBe(true);
    expect(capped.files[0]?.patch).toHaveLength(600);
    const kept = capped.files.reduce((n, f) => n + (f.patch?.length ?? 0), 0);
    expect(kept).toBeLessThanOrEqual(50_000);
  });

  it('401: token invalid or revoked, with the command that fixes it (exit code 4)', async () => {
    const err = await failure(checkoutTarget(spec('acme/demo', 1), context({ token: fakeToken() }).ctx));
    expect(err.code).toBe('AUTH_FAILED');
    expect(exitCodeFor({ kind: 'error', error: err })).toBe(4);
    expect(err.message).toMatch(
      /rejected the token from the GH_TOKEN environment variable: it is invalid or revoked/,
    );
    expect(err.hint).toMatch(/myfav-coworker login/);
  });

  it('404: not found, or the token cannot see it (with its scopes)', async () => {
    const err = await failure(checkoutTarget(spec('acme/demo', 999), context().ctx));
    expect(err.code).toBe('GITHUB_NOT_FOUND');
    expect(err.message).toMatch(
      /Pull request acme\/demo#999 was not found, or your token cannot see this repository/,
    );
    expect(err.hint).toMatch(/`repo` scope \(yours has: repo, read:org\)/);
  });

  it('primary rate limit exhausted: fails fast with the reset time', async () => {
    const reset = Math.floor(Date.now() / 1000) + 1800;
    demo.fake.failNext({
      path: /\/pulls\/1$/,
      status: 403,
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-reset': String(reset),
      },
      body: { message: 'API rate limit exceeded for user ID 1.' },
    });
    const started = Date.now();
    const seen = pullRequests().length;
    const err = await failure(checkoutTarget(spec('acme/demo', 1), context().ctx));
    const ended = Date.now();
    // Asked once, not again after a wait: the limit resets in 30 min.
    expect(pullRequests().length - seen).toBe(1);
    expect(ended - started).toBeLessThan(1000 + (await lag.lostBetween(started, ended)));
    expect(err.code).toBe('GITHUB_RATE_LIMITED');
    expect(err.message).toContain(new Date(reset * 1000).toISOString().slice(0, 16));
    expect(err.message).toMatch(/in 30 min/);
  });

  it('secondary rate limit with retry-after: waits and retries within the budget, else fails fast', async () => {
    const secondary = { message: 'You have exceeded a secondary rate limit. Please wait a few minutes.' };
    demo.fake.failNext({
      path: /\/pulls\/1$/,
      status: 429,
      headers: { 'retry-after': '1' },
      body: secondary,
    });
    const client = await createGithubClient({
      apiUrl: demo.apiUrl,
      token: demo.token,
      maxRateLimitWaitMs: 10_000,
    });
    const seen = pullRequests().length;
    const pr = await fetchPullRequest(client, spec('acme/demo', 1));
    expect(pr.number).toBe(1);
    // Two requests as the fake saw them, the second after the 1 s GitHub asked for.
    const [refused, retried, ...more] = pullRequests().slice(seen);
    expect(more).toEqual([]);
    expect(retried!.at - refused!.at).toBeGreaterThanOrEqual(1000);

    demo.fake.failNext({
      path: /\/pulls\/1$/,
      status: 403,
      headers: { 'retry-after': '300' },
      body: secondary,
    });
    const quick = Date.now();
    const before = pullRequests().length;
    const err = await failure(checkoutTarget(spec('acme/demo', 1), context().ctx));
    const ended = Date.now();
    // 300 s is past the budget: no wait, no second request.
    expect(pullRequests().length - before).toBe(1);
    expect(ended - quick).toBeLessThan(1000 + (await lag.lostBetween(quick, ended)));
    expect(err.code).toBe('GITHUB_RATE_LIMITED');
    expect(err.message).toMatch(/secondary rate limit\) for 300 s/);
  });
});
