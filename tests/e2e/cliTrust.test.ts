// Consent in a terminal, as a user meets it: the real binary against the fake GitHub. A PR the user
// cannot push to (or a fork's) is refused without a terminal to ask, runs after `trust` or `--trust`,
// and on a real terminal (a pseudo-terminal from util-linux `script`) the user is asked.

import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GithubDemo, startGithubDemo } from '../fakes/githubDemo.js';
import { binPath, cliEnv, collect, leftoversIn, reportFromJson, runCli, tempHome } from '../helpers/cli.js';

let demo: GithubDemo;
const home = tempHome();

beforeAll(async () => {
  demo = await startGithubDemo();
}, 60_000);
afterAll(async () => {
  await demo?.close();
  home.cleanup();
});

const env = (token: string) => ({
  MYFAV_GITHUB_API_URL: demo.apiUrl,
  MYFAV_KEYCHAIN: 'off',
  GH_TOKEN: token,
});
const cli = (args: string[], token = demo.outsiderToken) =>
  runCli(args, { home: home.dir, env: env(token), timeoutMs: 280_000 });
const jobCount = async () => JSON.parse((await cli(['jobs', '--json'])).stdout).length as number;

/** The CLI on a pseudo-terminal, answering `answer` to whatever it asks. */
function onTerminal(args: string[], answer: string, token: string) {
  const quoted = [process.execPath, binPath, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const child = spawn('script', ['-qec', quoted, '/dev/null'], {
    env: { ...cliEnv(home.dir, env(token)), SHELL: '/bin/sh' },
    stdio: 'pipe',
  });
  return collect(child, answer, 280_000);
}

describe('consent in a terminal', () => {
  it('a same-repository PR of a repository you cannot push to: refused without a terminal, runs once trusted', async () => {
    const gitBefore = demo.fake.gitRequests.length;
    const refused = await cli(['simulate', 'acme/demo#5', '--no-agent']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /Pull request #5 of acme\/demo by @dev was not run: you cannot push to acme\/demo/,
    );
    expect(refused.stderr).toContain('`myfav-coworker simulate https://github.com/acme/demo/pull/5 --trust`');
    expect(refused.stderr).toContain('`myfav-coworker trust acme/demo`');
    expect(refused.stderr).toMatch(/no terminal to ask you/);
    // Nothing fetched, nothing started, no job in the history.
    expect(demo.fake.gitRequests.length).toBe(gitBefore);
    expect(await jobCount()).toBe(0);

    const json = await cli(['simulate', 'acme/demo#5', '--no-agent', '--json']);
    expect(json.code).toBe(2);
    // No job: the error alone, as an MCP tool answers.
    expect(JSON.parse(json.stdout)).toEqual({ error: expect.objectContaining({ code: 'UNTRUSTED_CODE' }) });

    const trusted = await cli(['trust', 'acme/demo']);
    expect(trusted.code).toBe(0);
    expect(trusted.stderr).toMatch(/Trusted acme\/demo/);
    expect((await cli(['trust', '--list'])).stdout).toMatch(/repository\s+acme\/demo/);

    const run = await cli(['simulate', 'acme/demo#5', '--no-agent', '--json']);
    const report = reportFromJson(run.stdout);
    expect(report.error).toBeUndefined();
    expect(report).toMatchObject({ status: 'completed', verdict: 'pass' });
    expect(run.stderr).toMatch(/runs without asking: acme\/demo is on your trusted list/);

    expect((await cli(['untrust', 'acme/demo'])).stderr).toMatch(/no longer trusted/);
    expect((await cli(['simulate', 'acme/demo#5', '--no-agent'])).code).toBe(2);
    expect(leftoversIn(home.dir)).toEqual([]);
  }, 300_000);

  it('a PR the user can push to runs without asking; --trust runs the one they cannot', async () => {
    const own = await cli(['simulate', 'acme/demo#5', '--no-agent'], demo.token);
    expect(own.code).toBe(0);
    expect(own.stderr).toMatch(/runs without asking: you can push to acme\/demo/);

    const flagged = await cli(['simulate', 'acme/demo#5', '--no-agent', '--trust']);
    expect(flagged.code).toBe(0);
    expect(flagged.stderr).toMatch(/running PR #5 because of --trust \(you cannot push to acme\/demo\)/);
    expect(flagged.stderr).toMatch(/runs with your consent \(--trust\)/);
  }, 300_000);

  it("a fork's PR on a terminal: the question shows the author, the fork and the files; no refuses, yes runs", async () => {
    const no = await onTerminal(['simulate', 'acme/demo#2', '--no-agent'], 'n\n', demo.token);
    expect(no.code).toBe(2);
    expect(no.stdout).toMatch(/Run code from the fork mallory\/demo by @mallory on your machine\?/);
    expect(no.stdout).toMatch(/Head: mallory\/demo \(patch-1 @ [0-9a-f]{12}\), a fork/);
    expect(no.stdout).toMatch(/Asking because it comes from the fork mallory\/demo, not from acme\/demo/);
    expect(no.stdout).toMatch(/public\/stats\.js/);
    expect(no.stdout).toMatch(/Run it\? \[y\/N\]/);
    expect(no.stdout).toMatch(/Not run: you answered "n"/);

    const jobsBefore = await jobCount();
    const yes = await onTerminal(['simulate', 'acme/demo#2', '--no-agent'], 'y\n', demo.token);
    // It ran: the demo's feature branch fails, as in every other run of it.
    expect(yes.code, yes.stdout.slice(-2000)).toBe(1);
    expect(yes.stdout).toMatch(/runs with your consent \(answered yes\)/);
    expect(await jobCount()).toBe(jobsBefore + 1);
    expect(leftoversIn(home.dir)).toEqual([]);
  }, 300_000);
});
