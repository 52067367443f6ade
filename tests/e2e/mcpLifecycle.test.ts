// How the MCP server ends, and what it leaves: stdin closing, signals, kill -9 and a restart, and two
// server processes on one data dir. Real processes throughout; needs `npm run build` first.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoRepo, type DemoRepo } from '../../fixtures/buildDemoRepo.js';
import { binPath, cliEnv, collect, leftoversIn, runCli, spawnCli, tempHome } from '../helpers/cli.js';
import { createGitRepo, type GitRepo } from '../helpers/gitRepo.js';
import { jobIdOf, pollJob, type ServerProcess, slowAppFiles, spawnServer, textOf } from '../helpers/mcp.js';
import { hasProc, killMarked, processesWithMarker, waitForNoProcesses } from '../helpers/processes.js';

let slow: GitRepo;
let workDir: string;
let demo: DemoRepo;
const homes: Array<ReturnType<typeof tempHome>> = [];
const servers: ServerProcess[] = [];
const jobs: string[] = [];

beforeAll(async () => {
  slow = await createGitRepo({ files: slowAppFiles });
  workDir = await mkdtemp(path.join(os.tmpdir(), 'myfav-mcp-life-'));
  demo = await buildDemoRepo(path.join(workDir, 'demo'));
});

afterEach(() => {
  for (const server of servers.splice(0)) server.kill();
  for (const id of jobs.splice(0)) killMarked(id);
});

afterAll(async () => {
  await slow?.cleanup();
  await rm(workDir, { recursive: true, force: true });
  for (const home of homes) home.cleanup();
});

function newHome(): string {
  const home = tempHome();
  homes.push(home);
  return home.dir;
}

async function start(home: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await spawnServer({ home, env });
  servers.push(server);
  return server;
}

/** Start a job on the slow app and wait until its dev server runs. */
async function startSlowJob(server: ServerProcess): Promise<string> {
  const result = await server.client.callTool({ name: 'simulate_pr', arguments: { target: slow.path } });
  const id = jobIdOf(result);
  jobs.push(id);
  await pollJob(server.client, id, (t) => /phase launch/.test(t) && processesWithMarker(id).length > 0);
  return id;
}

async function jobStatus(home: string, id: string): Promise<Record<string, unknown> | undefined> {
  const out = await runCli(['jobs', '--json', '--limit', '50'], { home });
  return (JSON.parse(out.stdout) as Array<Record<string, unknown>>).find((j) => j.id === id);
}

describe.skipIf(!hasProc)('MCP server life cycle', () => {
  it('exits when the client closes stdin mid-job, killing the job and marking it cancelled', async () => {
    const home = newHome();
    const server = await start(home);
    const id = await startSlowJob(server);
    server.child.stdin.end();
    const exit = await server.exited(10_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(processesWithMarker(id)).toEqual([]);
    expect(await jobStatus(home, id)).toMatchObject({
      status: 'cancelled',
      error: { message: expect.stringMatching(/closed stdin/) },
    });
    expect(leftoversIn(home)).toEqual([]);
    expect(server.badOutput()).toEqual([]);
    expect(server.stderr()).toMatch(/closed stdin/);
  });

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)(
    'on %s cancels the running job and exits',
    async (signal) => {
      const home = newHome();
      const server = await start(home);
      const id = await startSlowJob(server);
      server.child.kill(signal);
      expect(await server.exited(10_000)).toEqual({ code: 0, signal: null });
      expect(processesWithMarker(id)).toEqual([]);
      expect(await jobStatus(home, id)).toMatchObject({ status: 'cancelled' });
      expect(leftoversIn(home)).toEqual([]);
      expect(server.badOutput()).toEqual([]);
    },
  );

  it('after kill -9 mid-job, the next server marks the jobs interrupted and cleans up', async () => {
    const home = newHome();
    // The system temp dir of this server alone: what the job leaves there is nobody's to clean up.
    const systemTmp = path.join(home, 'system-tmp');
    mkdirSync(systemTmp);
    const first = await start(home, { MYFAV_CONCURRENCY: '1', TMPDIR: systemTmp });
    const id = await startSlowJob(first);
    // A second job waits in the queue behind it (concurrency 1).
    const queued = jobIdOf(
      await first.client.callTool({
        name: 'simulate_pr',
        arguments: { target: demo.repoPath, head: demo.headBranch },
      }),
    );
    expect(await jobStatus(home, queued)).toMatchObject({ status: 'queued' });
    first.child.kill('SIGKILL');
    await first.exited(5000);
    // The dev server runs in the job's sandbox, which dies with the server (bubblewrap
    // --die-with-parent); its worktree and temp dir are left for the next server to clean.
    expect(await waitForNoProcesses(id, 5000)).toEqual([]);
    expect(leftoversIn(home).length).toBeGreaterThan(0);
    // The sandbox's runtime dirs (sockets, relay) live in the job's temp dir, not in the system's.
    // (Node's module compile cache is the one thing of ours there: a cache shared by every run.)
    expect(readdirSync(systemTmp).filter((name) => name !== 'node-compile-cache')).toEqual([]);

    const second = await start(home);
    const shown = await pollJob(second.client, id, (t) => /INTERRUPTED/.test(t), 20_000);
    expect(shown).toMatch(/stopped unexpectedly/);
    expect(await waitForNoProcesses(id, 10_000)).toEqual([]);
    expect(leftoversIn(home)).toEqual([]);
    // The queued job is not run by someone else later: it is marked, and says nothing ran.
    expect(await jobStatus(home, queued)).toMatchObject({
      status: 'interrupted',
      error: { message: expect.stringMatching(/before the job started/) },
    });
    expect(second.badOutput()).toEqual([]);
  });

  it('two servers on one data dir share jobs: same target → same job, cancel from the other one', async () => {
    const home = newHome();
    const a = await start(home);
    const b = await start(home);
    const id = await startSlowJob(a);

    const fromB = await b.client.callTool({ name: 'simulate_pr', arguments: { target: slow.path } });
    expect(jobIdOf(fromB)).toBe(id);
    expect(textOf(fromB)).toMatch(/already being simulated/);
    expect(textOf(await b.client.callTool({ name: 'get_simulation', arguments: { job_id: id } }))).toMatch(
      /is running: phase launch/,
    );

    const cancelled = await b.client.callTool({ name: 'cancel_simulation', arguments: { job_id: id } });
    expect(textOf(cancelled)).toMatch(/Cancelled simulation job/);
    expect(processesWithMarker(id)).toEqual([]);
    expect(await jobStatus(home, id)).toMatchObject({ status: 'cancelled' });
    // A keeps serving.
    expect(textOf(await a.client.callTool({ name: 'get_simulation', arguments: { job_id: id } }))).toMatch(
      /CANCELLED/,
    );
    expect(leftoversIn(home)).toEqual([]);
    expect([...a.badOutput(), ...b.badOutput()]).toEqual([]);
  });
});

describe('a job started with `myfav-coworker simulate` in a terminal', () => {
  it('can be cancelled from an MCP client: the terminal run stops, cleans up and exits 2', async () => {
    const home = newHome();
    const cli = spawnCli(['simulate', slow.path, '--no-agent'], { home });
    let stderr = '';
    await new Promise<void>((resolve) =>
      cli.stderr.on('data', (d) => {
        stderr += d;
        if (stderr.includes('starting:')) resolve();
      }),
    );
    const id = /job (\S+):/.exec(stderr)?.[1] ?? '';
    jobs.push(id);
    const server = await start(home);
    const exited = collect(cli, undefined, 60_000);
    const cancelled = await server.client.callTool({ name: 'cancel_simulation', arguments: { job_id: id } });
    expect(textOf(cancelled)).toMatch(/Cancelled simulation job/);
    const result = await exited;
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/CANCELLED/);
    expect(await jobStatus(home, id)).toMatchObject({ status: 'cancelled' });
    expect(processesWithMarker(id)).toEqual([]);
    expect(leftoversIn(home)).toEqual([]);
  });

  it('is the job an MCP client gets for the same target (one JobService, one dedupe)', async () => {
    const home = newHome();
    const cli = spawnCli(['simulate', slow.path, '--no-agent'], { home });
    const id = await terminalJobId(cli, 'starting:');
    jobs.push(id);
    const server = await start(home);
    const fromMcp = await server.client.callTool({ name: 'simulate_pr', arguments: { target: slow.path } });
    expect(jobIdOf(fromMcp)).toBe(id);
    expect(textOf(fromMcp)).toMatch(/already being simulated/);
    const exited = collect(cli, undefined, 60_000);
    cli.kill('SIGINT');
    expect((await exited).code).toBe(2);
    expect(await jobStatus(home, id)).toMatchObject({ status: 'cancelled' });
    expect(processesWithMarker(id)).toEqual([]);
  });
});

describe('a job an MCP server runs, asked for again with `simulate` in a terminal', () => {
  it('is joined, not run twice, and Ctrl-C in the terminal cancels it in the server', async () => {
    const home = newHome();
    const server = await start(home);
    const id = await startSlowJob(server);
    const cli = spawnCli(['simulate', slow.path, '--no-agent'], { home });
    expect(await terminalJobId(cli, 'following it')).toBe(id);
    const exited = collect(cli, undefined, 60_000);
    cli.kill('SIGINT');
    const result = await exited;
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/CANCELLED/);
    expect(await jobStatus(home, id)).toMatchObject({ status: 'cancelled' });
    expect(processesWithMarker(id)).toEqual([]);
    // The server that ran it says so too, and still serves.
    expect(
      textOf(await server.client.callTool({ name: 'get_simulation', arguments: { job_id: id } })),
    ).toMatch(/CANCELLED/);
    expect(leftoversIn(home)).toEqual([]);
    expect(server.badOutput()).toEqual([]);
  });
});

/** The job id a terminal `simulate` announces, once its stderr has shown `until`. */
function terminalJobId(cli: ReturnType<typeof spawnCli>, until: string): Promise<string> {
  let stderr = '';
  return new Promise((resolve) =>
    cli.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes(until)) resolve(/job (\S+):/.exec(stderr)?.[1] ?? '');
    }),
  );
}

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return process.platform === 'linux';
  } catch {
    return false;
  }
})();

describe('bare `myfav-coworker`', () => {
  it('serves MCP when stdin is a pipe (how MCP clients start it)', async () => {
    const bare = await spawnServer({ home: newHome(), args: [] });
    servers.push(bare);
    const { tools } = await bare.client.listTools();
    expect(tools.map((t) => t.name)).toContain('simulate_pr');
    bare.child.stdin.end();
    expect(await bare.exited(10_000)).toEqual({ code: 0, signal: null });
    expect(bare.badOutput()).toEqual([]);
  });

  it.skipIf(!hasScript)('prints the help on a terminal', () => {
    // `script` gives the child a pseudo-terminal as stdin.
    const out = spawnSync('script', ['-qec', `"${process.execPath}" "${binPath}"`, '/dev/null'], {
      env: cliEnv(newHome()),
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/Usage: myfav-coworker/);
    expect(out.stdout).toMatch(/mcp/);
  });
});
