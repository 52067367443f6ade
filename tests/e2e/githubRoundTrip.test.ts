// The verdict on the PR itself, as a GitHub Actions runner runs it: the real binary with a runner's
// environment (GITHUB_ACTIONS, GITHUB_EVENT_PATH, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT), the real Octokit
// against the fake GitHub, the demo's real server and real Chromium. Then the composite action's own
// script (action/run.sh), run locally the way action.yml runs it.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commentMarker } from '../../src/github/prFeedback.js';
import { type GithubDemo, startGithubDemo } from '../fakes/githubDemo.js';
import {
  binPath,
  type CliResult,
  cliEnv,
  collect,
  leftoversIn,
  repoRoot,
  reportFromJson,
  runCli,
  simulationJson,
  spawnCli,
  tempHome,
} from '../helpers/cli.js';

let demo: GithubDemo;
let runner: string;
const home = tempHome();

beforeAll(async () => {
  demo = await startGithubDemo();
  runner = mkdtempSync(path.join(os.tmpdir(), 'myfav-runner-'));
}, 60_000);
afterAll(async () => {
  await demo?.close();
  rmSync(runner, { recursive: true, force: true });
  home.cleanup();
});

/** What a runner sets for a `pull_request` event of acme/demo#number (the event file as GitHub writes it). */
function runnerEnv(
  number: number,
  token: string,
  name: string,
  headRepo = 'acme/demo',
): Record<string, string> {
  const dir = path.join(runner, name);
  const event = path.join(runner, `${name}-event.json`);
  writeFileSync(
    event,
    JSON.stringify({
      action: 'synchronize',
      number,
      pull_request: {
        number,
        head: { repo: { full_name: headRepo } },
        base: { repo: { full_name: 'acme/demo' } },
      },
      repository: { full_name: 'acme/demo' },
    }),
  );
  writeFileSync(`${dir}-summary.md`, '');
  writeFileSync(`${dir}-output`, '');
  return {
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/demo',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: event,
    GITHUB_RUN_ID: '4242',
    GITHUB_STEP_SUMMARY: `${dir}-summary.md`,
    GITHUB_OUTPUT: `${dir}-output`,
    RUNNER_TEMP: dir,
    GITHUB_TOKEN: token,
    MYFAV_GITHUB_API_URL: demo.apiUrl,
    MYFAV_KEYCHAIN: 'off',
  };
}

/** How many statuses each commit of acme/demo has: what a test added is what comes after. */
function statusCounts(): Map<string, number> {
  return new Map([...demo.fake.statusesByCommit('acme/demo')].map(([sha, list]) => [sha, list.length]));
}

function simulate(args: string[], env: Record<string, string>): Promise<CliResult> {
  return runCli(['simulate', ...args, '--no-agent', '--json'], { home: home.dir, env, timeoutMs: 240_000 });
}

describe('the verdict on the pull request', () => {
  it('`simulate` alone in Actions: the event’s PR, one comment, the status on its head, groups, annotations, the summary', async () => {
    const env = runnerEnv(1, demo.token, 'first');
    const r = await simulate(['--comment', '--status'], env);
    const view = simulationJson(r.stdout);
    expect(view.error, r.stderr).toBeUndefined();
    expect(r.code).toBe(1);
    expect(view).toMatchObject({ status: 'completed', verdict: 'fail', target: 'github.com/acme/demo#1' });

    const comments = demo.fake.comments('acme/demo', 1);
    expect(comments).toHaveLength(1);
    const [comment] = comments;
    expect(view.published?.comment).toEqual({
      action: 'created',
      url: `${demo.fake.url}/acme/demo/pull/1#issuecomment-${comment?.id}`,
    });
    const body = comment?.body ?? '';
    expect(
      body.startsWith(`${commentMarker}\n### ❌ myfav-coworker: FAIL — 3 new problems in this change`),
    ).toBe(true);
    expect(body).toMatch(/#### New in this change \(3\)/);
    expect(body).toMatch(/Steps to reproduce:/);
    expect(body).toMatch(/#### Already on `main` \(\d+\)/);
    expect(body).toMatch(/#### Fixed by this change \(\d+\)/);
    expect(body).toMatch(/\*\*Pages visited \(\d+\):\*\* .*`\/stats\.html`/);
    expect(body).toContain("[workflow run's artifacts](https://github.com/acme/demo/actions/runs/4242)");
    expect(body).not.toContain(demo.token);

    // The status: on the head commit the job tested, with the verdict and a link to the run.
    const headSha = view.head_sha ?? '';
    expect(demo.fake.statuses('acme/demo', headSha)).toEqual([
      // Set right after checkout: the PR shows the check running.
      expect.objectContaining({
        state: 'pending',
        context: 'myfav-coworker',
        description: 'Trying the change in a browser…',
      }),
      expect.objectContaining({
        state: 'failure',
        context: 'myfav-coworker',
        targetUrl: 'https://github.com/acme/demo/actions/runs/4242',
        description: expect.stringMatching(/^FAIL: /),
      }),
    ]);
    expect(view.published?.status).toEqual({ sha: headSha, state: 'failure', context: 'myfav-coworker' });

    // The runner's log: a group per phase, an annotation per new problem (at the changed file it names).
    expect(r.stderr).toMatch(/^::group::myfav-coworker: checkout$/m);
    expect(r.stderr).toMatch(/^::group::myfav-coworker: crawl$/m);
    expect(r.stderr.match(/^::group::/gm)?.length).toBe(r.stderr.match(/^::endgroup::$/gm)?.length);
    const annotations = r.stderr.match(/^::error .*$/gm) ?? [];
    expect(annotations).toHaveLength(3);
    expect(
      annotations.some((a) => a.startsWith('::error file=public/stats.js,title=myfav-coworker%3A ')),
    ).toBe(true);
    // The step summary: the same verdict for whoever opens the run.
    const summary = readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8');
    expect(summary).toMatch(/### ❌ myfav-coworker: FAIL — 3 new problems in this change/);
    expect(summary).not.toContain(commentMarker);
    expect(leftoversIn(home.dir)).toEqual([]);

    // The next run (the head alone this time) updates the same comment: same id, a new body.
    const again = await simulate(['--comment', '--no-compare-base'], env);
    const second = simulationJson(again.stdout);
    expect(second.published?.comment).toMatchObject({ action: 'updated' });
    const after = demo.fake.comments('acme/demo', 1);
    expect(after).toHaveLength(1);
    expect(after[0]?.id).toBe(comment?.id);
    expect(after[0]?.body).not.toBe(body);
    expect(after[0]?.body).toContain(second.job_id);
    expect(after[0]?.body).toMatch(/#### Problems \(\d+\)/);
  }, 480_000);

  it('a token that cannot write: the comment step fails with what to grant, and the verdict is still reported', async () => {
    const env = runnerEnv(5, demo.readOnlyToken, 'readonly');
    const r = await simulate(['acme/demo#5', '--comment', '--trust', '--no-compare-base'], env);
    const view = simulationJson(r.stdout);
    expect(view).toMatchObject({ status: 'completed', verdict: 'pass' });
    // PASS, but what was asked (the comment) did not happen: not a green run.
    expect(r.code).toBe(2);
    expect(view.published?.comment).toMatchObject({
      error: {
        code: 'GITHUB_FAILED',
        message: expect.stringMatching(
          /Could not write comment on acme\/demo#5: the token may not write there \(HTTP 403: Resource not accessible by integration\)/,
        ),
        hint: expect.stringMatching(/permissions: pull-requests: write/),
      },
    });
    expect(r.stderr).toMatch(/^error: Could not write comment on acme\/demo#5/m);
    expect(r.stderr).toMatch(/^::error title=myfav-coworker%3A comment::Could not write comment/m);
    expect(demo.fake.comments('acme/demo', 5)).toHaveLength(0);
    // The verdict itself is where it always is: the report, the step summary.
    expect(reportFromJson(r.stdout).verdict).toBe('pass');
    expect(readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8')).toMatch(/myfav-coworker: PASS/);
  }, 300_000);

  it('Ctrl-C after the pending status: it is replaced by error "cancelled", nothing is commented', async () => {
    const env = runnerEnv(5, demo.token, 'cancel');
    const child = spawnCli(['simulate', 'acme/demo#5', '--status', '--comment', '--no-agent'], {
      home: home.dir,
      env,
    });
    const before = statusCounts();
    const commentsBefore = demo.fake.comments('acme/demo', 5);
    const result = collect(child, undefined, 240_000);
    const pendingOn = async () => {
      const deadline = Date.now() + 180_000;
      while (Date.now() < deadline) {
        for (const [sha, list] of demo.fake.statusesByCommit('acme/demo'))
          if (list.length > (before.get(sha) ?? 0)) return sha;
        await sleep(100);
      }
      throw new Error('no pending status was set');
    };
    const sha = await pendingOn();
    child.kill('SIGINT');
    const r = await result;
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/cancel/i);
    const added = demo.fake.statuses('acme/demo', sha).slice(before.get(sha) ?? 0);
    expect(added.map((s) => [s.state, s.description])).toEqual([
      ['pending', 'Trying the change in a browser…'],
      ['error', 'Cancelled before a verdict.'],
    ]);
    // A cancelled run has nothing to tell reviewers.
    expect(demo.fake.comments('acme/demo', 5)).toEqual(commentsBefore);
    expect(leftoversIn(home.dir)).toEqual([]);
  }, 300_000);

  it('--comment on a local repository is refused before any job', async () => {
    const r = await runCli(['simulate', repoRoot, '--comment', '--json'], { home: home.dir });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      error: expect.objectContaining({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/--comment writes to a pull request/),
      }),
    });
  });
});

describe('the composite action’s script', () => {
  const actionEnv = (env: Record<string, string>) => ({
    ...cliEnv(home.dir, env),
    INPUT_PR: '',
    INPUT_APP_DIR: '',
    INPUT_CONFIG: '',
    INPUT_COMMENT: 'true',
    INPUT_STATUS: 'true',
    INPUT_COMPARE_BASE: 'false',
    INPUT_TRUST_FORKS: 'false',
    // The checkout's own binary instead of `npx myfav-coworker@<version>` (no registry here).
    MYFAV_COWORKER_CLI: `${process.execPath} ${binPath}`,
  });
  const outputsOf = (file: string) =>
    Object.fromEntries(
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );

  /** action/run.sh as action.yml runs it: bash, the workspace as working directory. */
  const runScript = (env: Record<string, string>, timeoutMs: number) =>
    collect(
      spawn('bash', [path.join(repoRoot, 'action', 'run.sh')], { cwd: runner, env, stdio: 'pipe' }),
      undefined,
      timeoutMs,
    );

  it('a fork’s pull request: not run without trust-forks, nothing written to the PR, the exit code says so', async () => {
    const env = actionEnv(runnerEnv(2, demo.token, 'fork', 'mallory/demo'));
    const before = demo.fake.gitRequests.length;
    const r = await runScript(env, 120_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/::notice title=myfav-coworker::A pull request from a fork/);
    expect(r.stderr).toMatch(/mallory\/demo/);
    expect(outputsOf(env.GITHUB_OUTPUT)).toMatchObject({ 'exit-code': '2' });
    expect(demo.fake.comments('acme/demo', 2)).toEqual([]);
    // Its code was never fetched.
    expect(demo.fake.gitRequests.length).toBe(before);
  }, 180_000);

  it('run locally with a runner’s environment: the summary, the outputs, the artifact folder, the comment', async () => {
    const env = actionEnv(runnerEnv(5, demo.token, 'action'));
    const before = statusCounts();
    const r = await runScript(env, 300_000);
    expect(r.code, r.stderr).toBe(0);
    const outputs = outputsOf(env.GITHUB_OUTPUT);
    expect(outputs).toMatchObject({ 'exit-code': '0', verdict: 'pass' });
    expect(outputs['job-id']).toMatch(/\S/);
    const artifacts = outputs['artifact-dir'] ?? '';
    for (const file of ['report.html', 'report.json', 'report.md', 'trace.zip', 'screenshots'])
      expect(existsSync(path.join(artifacts, file)), file).toBe(true);
    expect(readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8')).toMatch(/### ✅ myfav-coworker: PASS/);
    expect(r.stderr).toMatch(/^::group::myfav-coworker: crawl$/m);
    expect(demo.fake.comments('acme/demo', 5).map((c) => c.login)).toEqual([demo.login]);
    const sha = JSON.parse(readFileSync(path.join(artifacts, 'report.json'), 'utf8')).target.headSha;
    const status = demo.fake.statuses('acme/demo', sha).slice(before.get(sha) ?? 0);
    expect(status.map((s) => s.state)).toEqual(['pending', 'success']);
  }, 360_000);
});
