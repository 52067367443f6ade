// Which requests share a job, through the real binary and MCP server on one data dir: an identical
// request (from a terminal or an MCP client) joins the job that is running, and a request for a
// different run — without the agent, without the base, another ready timeout, an edited --config, no
// sandbox — gets a job of its own. Needs `npm run build` first.
import { mkdtempSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { announcedJob, collect, runCli, spawnCli } from '../helpers/cli.js';
import { createGitRepo, type GitRepo } from '../helpers/gitRepo.js';
import { jobIdOf, pollJob, type ServerProcess, slowAppFiles, spawnServer, textOf } from '../helpers/mcp.js';
import { hasProc, killMarked, processesWithMarker } from '../helpers/processes.js';

// The agent would run (a key is set); it never gets there: the slow app is never ready.
const agentEnv = {
  ANTHROPIC_API_KEY: 'sk-ant-FAKE-dedupe-0123456789',
  ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
};

let slow: GitRepo;
let workDir: string;
const servers: ServerProcess[] = [];
const jobs: string[] = [];
const clis: Array<ReturnType<typeof spawnCli>> = [];

beforeAll(async () => {
  slow = await createGitRepo({ files: slowAppFiles });
  workDir = await mkdtemp(path.join(os.tmpdir(), 'myfav-dedupe-'));
});

afterEach(() => {
  for (const server of servers.splice(0)) server.kill();
  // A terminal run a failed assertion left behind (one that ended already ignores the signal).
  for (const cli of clis.splice(0)) if (cli.exitCode === null && cli.signalCode === null) cli.kill('SIGINT');
  for (const id of jobs.splice(0)) killMarked(id);
});

afterAll(async () => {
  await slow?.cleanup();
  await rm(workDir, { recursive: true, force: true });
});

/** A data dir of its own per test, removed with the work dir. */
const newHome = (): string => mkdtempSync(path.join(workDir, 'home-'));

async function jobStatus(home: string, id: string): Promise<string | undefined> {
  const out = await runCli(['jobs', '--json', '--limit', '50'], { home });
  return (JSON.parse(out.stdout) as Array<{ id: string; status: string }>).find((j) => j.id === id)?.status;
}

/** `simulate` on the slow app in a terminal with `flags`: the job it announces, and the process. */
async function simulate(home: string, flags: string[]) {
  const cli = spawnCli(['simulate', slow.path, ...flags], { home, env: agentEnv });
  clis.push(cli);
  const exited = collect(cli, undefined, 120_000);
  const job = await announcedJob(cli);
  if (!job.following) jobs.push(job.id);
  return { ...job, cli, exited };
}

/** Ctrl-C a terminal run: it cancels the job it runs or follows, cleans up and exits 2. */
async function interrupt(run: Awaited<ReturnType<typeof simulate>>): Promise<void> {
  run.cli.kill('SIGINT');
  expect((await run.exited).code).toBe(2);
  expect(processesWithMarker(run.id)).toEqual([]);
}

describe.skipIf(!hasProc)('one job per distinct run, shared by the CLI and MCP', () => {
  it('a terminal asking for a different run gets its own job; the same request joins', async () => {
    const home = newHome();
    const server = await spawnServer({ home, env: agentEnv });
    servers.push(server);
    const started = await server.client.callTool({ name: 'simulate_pr', arguments: { target: slow.path } });
    const id = jobIdOf(started);
    jobs.push(id);
    await pollJob(server.client, id, (t) => /phase launch/.test(t));

    // Each of these asks for something the server's job (agent on, base compared, sandboxed) is not.
    for (const flags of [
      ['--no-agent'],
      ['--no-compare-base'],
      ['--ready-timeout', '500'],
      ['--no-sandbox'],
    ]) {
      const run = await simulate(home, flags);
      expect({ flags, following: run.following, same: run.id === id }).toEqual({
        flags,
        following: false,
        same: false,
      });
      await interrupt(run);
      // Its own job was cancelled; the server's still runs.
      expect(await jobStatus(home, run.id)).toBe('cancelled');
      expect(await jobStatus(home, id)).toBe('running');
    }

    // The same request from the terminal is the server's job, followed.
    const same = await simulate(home, []);
    expect(same).toMatchObject({ id, following: true });
    // And Ctrl-C there cancels it in the server (one job, one cancel).
    await interrupt(same);
    expect(await jobStatus(home, id)).toBe('cancelled');
    expect(server.badOutput()).toEqual([]);
  });

  it('an MCP request without the base, or for a job run without the agent, is its own job', async () => {
    const home = newHome();
    const noAgent = await simulate(home, ['--no-agent']);
    expect(noAgent.following).toBe(false);
    const server = await spawnServer({ home, env: agentEnv });
    servers.push(server);

    // The server would run the agent: not the terminal's job.
    const withAgent = await server.client.callTool({ name: 'simulate_pr', arguments: { target: slow.path } });
    const agentJob = jobIdOf(withAgent);
    jobs.push(agentJob);
    expect(agentJob).not.toBe(noAgent.id);
    expect(textOf(withAgent)).not.toMatch(/already being simulated/);

    // compare_base: false is a run of its own; asked again, it is that job.
    const headOnly = jobIdOf(
      await server.client.callTool({
        name: 'simulate_pr',
        arguments: { target: slow.path, compare_base: false },
      }),
    );
    jobs.push(headOnly);
    expect([noAgent.id, agentJob]).not.toContain(headOnly);
    const again = await server.client.callTool({
      name: 'simulate_pr',
      arguments: { target: slow.path, compare_base: false },
    });
    expect(jobIdOf(again)).toBe(headOnly);
    expect(textOf(again)).toMatch(/already being simulated/);
    // Without compare_base: the agent job again.
    expect(
      jobIdOf(await server.client.callTool({ name: 'simulate_pr', arguments: { target: slow.path } })),
    ).toBe(agentJob);

    for (const job of [agentJob, headOnly]) {
      await server.client.callTool({ name: 'cancel_simulation', arguments: { job_id: job } });
    }
    await interrupt(noAgent);
    for (const job of [noAgent.id, agentJob, headOnly]) expect(await jobStatus(home, job)).toBe('cancelled');
    expect(server.badOutput()).toEqual([]);
  });

  it('a --config file is part of the run: the same file joins, an edited one is a new job', async () => {
    const home = newHome();
    const config = path.join(workDir, 'slow.json');
    await writeFile(config, JSON.stringify({ routes: ['/a'] }));
    const first = await simulate(home, ['--no-agent', '--config', config]);
    expect(first.following).toBe(false);
    const same = await simulate(home, ['--no-agent', '--config', config]);
    expect(same).toMatchObject({ id: first.id, following: true });

    // Other pages to visit: another run.
    await writeFile(config, JSON.stringify({ routes: ['/b'] }));
    const edited = await simulate(home, ['--no-agent', '--config', config]);
    expect(edited.following).toBe(false);
    expect(edited.id).not.toBe(first.id);

    await interrupt(edited);
    await interrupt(first);
    // The follower ends with the job it followed.
    expect((await same.exited).code).toBe(2);
    expect(await jobStatus(home, first.id)).toBe('cancelled');
  });
});
