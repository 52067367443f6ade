// What a program (not a chatting model) reads from the real `myfav-coworker mcp` over stdio: every
// tool's structuredContent, which the SDK's Client validates against the outputSchema the tool declared
// (callTool throws when it does not match), for each state a job goes through; simulate_pr run as an
// MCP task by a task-capable client; and the same facts as the CLI's `show --json`. Needs `npm run build`.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoRepo, type DemoRepo } from '../../fixtures/buildDemoRepo.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { createGitRepo, type GitRepo } from '../helpers/gitRepo.js';
import { connectStdio, type StdioSession, slowAppFiles, textOf } from '../helpers/mcp.js';
import { killMarked } from '../helpers/processes.js';

// biome-ignore lint/suspicious/noExplicitAny: structuredContent is checked field by field below
type Structured = Record<string, any>;

let home: ReturnType<typeof tempHome>;
let workDir: string;
let demo: DemoRepo;
let slowA: GitRepo;
let slowB: GitRepo;
let session: StdioSession;
const started: string[] = [];

beforeAll(async () => {
  home = tempHome();
  workDir = await mkdtemp(path.join(os.tmpdir(), 'myfav-mcp-structured-'));
  demo = await buildDemoRepo(path.join(workDir, 'demo'));
  slowA = await createGitRepo({ files: slowAppFiles });
  slowB = await createGitRepo({ files: slowAppFiles });
  session = await connectStdio({ home: home.dir, env: { MYFAV_CONCURRENCY: '1' } });
  // The client validates structuredContent against the schemas it has seen in tools/list.
  await session.client.listTools();
});

afterAll(async () => {
  await session?.close();
  for (const id of started) killMarked(id);
  await slowA?.cleanup();
  await slowB?.cleanup();
  await rm(workDir, { recursive: true, force: true });
  home?.cleanup();
});

/** callTool (which validates structuredContent against the outputSchema) → structuredContent. */
async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args }, CallToolResultSchema, { timeout: 58_000 });
  expect(result.structuredContent, `${name} returned no structuredContent: ${textOf(result)}`).toBeDefined();
  return { result, data: result.structuredContent as Structured };
}

async function waitUntil(id: string, done: (s: Structured) => boolean, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { data } = await call(session.client, 'get_simulation', { job_id: id });
    if (done(data)) return data;
    if (Date.now() > deadline) throw new Error(`job ${id} did not get there: ${JSON.stringify(data)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const finished = (s: Structured) => !['queued', 'running'].includes(s.status);

describe('structured tool results over stdio', () => {
  it('declares an object outputSchema for every tool, and simulate_pr as optionally a task', async () => {
    const { tools } = await session.client.listTools();
    expect(tools).toHaveLength(6);
    for (const tool of tools) {
      expect(tool.outputSchema, tool.name).toMatchObject({ type: 'object' });
      // Result fields, or `error` alone.
      expect(JSON.stringify(tool.outputSchema?.anyOf)).toContain('"error"');
    }
    const simulate = tools.find((t) => t.name === 'simulate_pr')!;
    expect(simulate.execution).toEqual({ taskSupport: 'optional' });
    expect(session.client.getServerCapabilities()?.tasks?.requests?.tools?.call).toBeDefined();
  });

  it('reports errors as { error: { code, message, hint } } with isError', async () => {
    const missing = await call(session.client, 'simulate_pr', { target: path.join(workDir, 'no-such-repo') });
    expect(missing.result.isError).toBe(true);
    expect(missing.data).toEqual({
      error: { code: expect.any(String), message: expect.any(String), hint: expect.any(String) },
    });
    const unknown = await call(session.client, 'get_simulation', { job_id: 'zzzz-0000' });
    expect(unknown.result.isError).toBe(true);
    expect(unknown.data.error.code).toBe('JOB_NOT_FOUND');
    expect(unknown.data.error.hint).toMatch(/list_simulations/);
    const cancelUnknown = await call(session.client, 'cancel_simulation', { job_id: 'zzzz-0000' });
    expect(cancelUnknown.data.error.code).toBe('JOB_NOT_FOUND');
  });

  it('follows a job through running, queued and cancelled', async () => {
    const a = (await call(session.client, 'simulate_pr', { target: slowA.path })).data;
    started.push(a.job_id);
    expect(a).toMatchObject({
      status: expect.stringMatching(/queued|running/),
      reused: false,
      target: slowA.path,
    });
    expect(a.head_sha).toMatch(/^[0-9a-f]{40}$/);
    expect(a.findings).toBeNull();
    const running = await waitUntil(a.job_id, (s) => s.status === 'running' && s.phase === 'launch');
    expect(running).toMatchObject({ position: 0, verdict: null, counts: null });
    expect(running.elapsed_s).toBeGreaterThanOrEqual(0);

    // MYFAV_CONCURRENCY=1: the second waits behind the first.
    const b = (await call(session.client, 'simulate_pr', { target: slowB.path })).data;
    started.push(b.job_id);
    expect(b).toMatchObject({ status: 'queued', position: 1, reused: false, elapsed_s: null });
    const again = (await call(session.client, 'simulate_pr', { target: slowB.path })).data;
    expect(again).toMatchObject({ job_id: b.job_id, reused: true });

    const listed = (await call(session.client, 'list_simulations', {})).data;
    expect(listed.jobs.map((j: Structured) => j.job_id)).toEqual(
      expect.arrayContaining([a.job_id, b.job_id]),
    );
    expect(listed.jobs.find((j: Structured) => j.job_id === b.job_id)).toMatchObject({ status: 'queued' });

    const cancelQueued = (await call(session.client, 'cancel_simulation', { job_id: b.job_id })).data;
    expect(cancelQueued).toEqual({ job_id: b.job_id, status: 'cancelled', outcome: 'cancelled' });
    const cancelRunning = (await call(session.client, 'cancel_simulation', { job_id: a.job_id })).data;
    expect(cancelRunning).toEqual({ job_id: a.job_id, status: 'cancelled', outcome: 'cancelled' });
    const shown = (await call(session.client, 'get_simulation', { job_id: a.job_id })).data;
    expect(shown).toMatchObject({ status: 'cancelled', verdict: null, error: { code: 'CANCELLED' } });
    const twice = (await call(session.client, 'cancel_simulation', { job_id: a.job_id })).data;
    expect(twice.outcome).toBe('finished');
  }, 180_000);

  it('runs simulate_pr as an MCP task to the FAIL report, the same as show --json', async () => {
    const messages: Structured[] = [];
    const stream = session.client.experimental.tasks.callToolStream(
      {
        name: 'simulate_pr',
        arguments: { target: demo.repoPath, head: demo.headBranch, base: demo.baseBranch },
      },
      CallToolResultSchema,
      { timeout: 280_000 },
    );
    for await (const message of stream) messages.push(message as Structured);
    const created = messages.find((m) => m.type === 'taskCreated');
    expect(created?.task.taskId).toBeTruthy();
    const last = messages.at(-1)!;
    expect(last.type, String(last.error ?? '')).toBe('result');
    const data = last.result.structuredContent as Structured;
    started.push(data.job_id);
    expect(data).toMatchObject({ status: 'completed', verdict: 'fail', reused: false });
    expect(data.counts.new).toBeGreaterThan(0);
    expect(data.counts.by_severity.error).toBeGreaterThan(0);
    expect(data.findings.length).toBe(data.counts.new + data.counts.pre_existing + data.counts.fixed);
    expect(data.findings.some((f: Structured) => /\/api\/stats/.test(f.title + f.detail))).toBe(true);
    for (const key of ['report_html', 'report_md', 'report_json', 'trace', 'app_log'])
      expect(existsSync(data.artifacts[key]), key).toBe(true);
    // The task API knows it, and the text for models is still there.
    const task = await session.client.experimental.tasks.getTask(created!.task.taskId);
    expect(task.status).toBe('completed');
    expect(textOf(last.result)).toMatch(/FAIL/);

    // One job model: get_simulation and the CLI's JSON report say the same.
    const got = (await call(session.client, 'get_simulation', { job_id: data.job_id })).data;
    const { reused: _reused, elapsed_s: _e1, ...fromTask } = data;
    const { elapsed_s: _e2, ...fromGet } = got;
    expect(fromGet).toEqual(fromTask);
    // The CLI's --json is the same mapping: field for field what get_simulation returned.
    const shown = JSON.parse((await runCli(['show', data.job_id, '--json'], { home: home.dir })).stdout);
    expect(shown).toEqual(got);
  }, 300_000);

  it('gives a client without tasks the job id at once, then a PASS through get_simulation', async () => {
    const started_ = Date.now();
    const { data, result } = await call(session.client, 'simulate_pr', {
      target: demo.repoPath,
      head: demo.baseBranch,
      base: demo.baseBranch,
    });
    expect(Date.now() - started_).toBeLessThan(30_000);
    expect(textOf(result)).toMatch(/Started simulation job/);
    started.push(data.job_id);
    expect(data.status).toMatch(/queued|running/);
    const done = await waitUntil(data.job_id, finished, 240_000);
    expect(done).toMatchObject({ status: 'completed', verdict: 'pass' });
    expect(done.counts.new).toBe(0);
    expect(done.error).toBeUndefined();
  }, 300_000);

  it('answers github_auth_status with its facts', async () => {
    const { data } = await call(session.client, 'github_auth_status');
    expect(data).toMatchObject({ logged_in: false, host: 'github.com', user: null });
  });
});
