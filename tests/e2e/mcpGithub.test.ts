// "Try PR acme/demo#1 for me" over MCP: GitHub sign-in through the tools (device flow: URL and code at
// once, completion in the background) and a pull request simulated end to end, against the fake GitHub
// (tests/fakes) with the real Octokit and git. Needs `npm run build` first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GithubDemo, startGithubDemo } from '../fakes/githubDemo.js';
import { tempHome } from '../helpers/cli.js';
import { connectStdio, imagesOf, jobIdOf, pollJob, type StdioSession, textOf } from '../helpers/mcp.js';
import { killMarked } from '../helpers/processes.js';

const clientId = 'Iv1.mcp-test-client';
let github: GithubDemo;
let home: ReturnType<typeof tempHome>;
let session: StdioSession;
const jobs: string[] = [];

beforeAll(async () => {
  github = await startGithubDemo();
  home = tempHome();
  session = await connectStdio({
    home: home.dir,
    env: {
      MYFAV_GITHUB_API_URL: github.apiUrl,
      MYFAV_GITHUB_CLIENT_ID: clientId,
      MYFAV_KEYCHAIN: 'off',
    },
  });
});

afterAll(async () => {
  await session?.close();
  for (const id of jobs) killMarked(id);
  await github?.close();
  home?.cleanup();
});

const call = async (name: string, args: Record<string, unknown> = {}) =>
  session.client.callTool({ name, arguments: args });

describe('GitHub pull requests over MCP', () => {
  it('refuses a private PR before sign-in, with the steps to sign in from the chat', async () => {
    const result = await call('simulate_pr', { target: 'acme/private-app#1' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/github_login/);
    const status = await call('github_auth_status');
    expect(status.isError).toBeFalsy();
    expect(textOf(status)).toMatch(/Not logged in/i);
    expect(textOf(status)).toMatch(/call github_login/);
  });

  it('signs in with the device flow: URL and code at once, completion in the background', async () => {
    github.fake.setDeviceFlow({ clientId, token: github.token, interval: 1, steps: ['pending', 'success'] });
    const started = Date.now();
    const login = await call('github_login');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(textOf(login)).toContain(`${github.fake.url}/login/device`);
    expect(textOf(login)).toContain('WDJB-MJHT');
    // Asked again while the user has not approved yet: the same code, not a second flow.
    expect(textOf(await call('github_login'))).toMatch(/already waiting[\s\S]*WDJB-MJHT/);

    const deadline = Date.now() + 20_000;
    let status = '';
    while (Date.now() < deadline) {
      status = textOf(await call('github_auth_status'));
      if (/Signed in/.test(status)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toMatch(new RegExp(`Signed in to github\\.com as ${github.login}`));
    expect(status).toMatch(/token file/);
    expect(session.stderr()).not.toContain(github.token);
  });

  it('simulates a pull request to a FAIL report, and the same PR at the same commit is one job', async () => {
    const first = await call('simulate_pr', { target: 'acme/demo#1' });
    const id = jobIdOf(first);
    jobs.push(id);
    const again = await call('simulate_pr', { target: 'https://github.com/acme/demo/pull/1' });
    expect(jobIdOf(again)).toBe(id);

    const text = await pollJob(session.client, id, (t) => /finished/.test(t), 90_000);
    expect(text).toMatch(/FAIL/);
    // The PR's title is the author's text: inside the untrusted block.
    const block = /<untrusted_content [^>]*>([\s\S]*)<\/untrusted_content/.exec(text)?.[1] ?? '';
    expect(block).toContain('PR #1: Add stats page and note search');
    const shown = await call('get_simulation', { job_id: id });
    expect(imagesOf(shown).length).toBeGreaterThan(0);
    expect(session.protocolErrors).toEqual([]);
  });

  it('comment: true puts the verdict on the PR when the job ends; a local target cannot take it', async () => {
    const local = await call('simulate_pr', { target: '/tmp', comment: true });
    expect(local.isError).toBe(true);
    expect(local.structuredContent).toMatchObject({ error: { code: 'INVALID_INPUT' } });

    const started = await call('simulate_pr', {
      target: 'acme/demo#5',
      comment: true,
      status: true,
      compare_base: false,
    });
    const id = jobIdOf(started);
    jobs.push(id);
    // A job that writes to the PR is not the same job as one that does not.
    const plain = await call('simulate_pr', { target: 'acme/demo#5', compare_base: false });
    expect(jobIdOf(plain)).not.toBe(id);
    jobs.push(jobIdOf(plain));
    await pollJob(session.client, id, (t) => /finished/.test(t), 180_000);
    const got = (await call('get_simulation', { job_id: id })).structuredContent as {
      verdict: string;
      head_sha: string;
      published: { comment: { url: string; action: string }; status: { state: string } };
    };
    expect(got.verdict).toBe('pass');
    const comments = github.fake.comments('acme/demo', 5);
    expect(comments.map((c) => c.login)).toEqual([github.login]);
    expect(got.published.comment).toEqual({
      action: 'created',
      url: `${github.fake.url}/acme/demo/pull/5#issuecomment-${comments[0]?.id}`,
    });
    expect(comments[0]?.body).toMatch(/myfav-coworker: PASS/);
    expect(got.published.status).toMatchObject({ state: 'success' });
    expect(github.fake.statuses('acme/demo', got.head_sha).map((s) => s.state)).toEqual([
      'pending',
      'success',
    ]);
  }, 300_000);
});
