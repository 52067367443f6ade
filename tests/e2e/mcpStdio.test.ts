// The built binary as an MCP server over stdio, driven by the SDK's own Client and StdioClientTransport:
// what Claude Desktop or Claude Code would see. Needs `npm run build` first.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CallToolResultSchema,
  ResourceListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoRepo, type DemoRepo } from '../../fixtures/buildDemoRepo.js';
import { leftoversIn, runCli, tempHome } from '../helpers/cli.js';
import { createGitRepo, type GitRepo } from '../helpers/gitRepo.js';
import {
  childrenSharingStdio,
  connectStdio,
  descendantsOf,
  imagesOf,
  jobIdOf,
  pollJob,
  type StdioSession,
  slowAppFiles,
  textOf,
} from '../helpers/mcp.js';
import { hasProc, killMarked, processesWithMarker } from '../helpers/processes.js';

let home: ReturnType<typeof tempHome>;
let workDir: string;
let demo: DemoRepo;
let slow: GitRepo;
let session: StdioSession;
let resourceListChanges = 0;
const started: string[] = [];

beforeAll(async () => {
  home = tempHome();
  workDir = await mkdtemp(path.join(os.tmpdir(), 'myfav-mcp-e2e-'));
  demo = await buildDemoRepo(path.join(workDir, 'demo'));
  slow = await createGitRepo({ files: slowAppFiles });
  // ANTHROPIC_LOG=debug and MYFAV_DEBUG: the chattiest settings must still leave stdout to the protocol.
  session = await connectStdio({
    home: home.dir,
    env: { MYFAV_CONCURRENCY: '2', ANTHROPIC_LOG: 'debug', MYFAV_DEBUG: '1' },
  });
  session.client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
    resourceListChanges++;
  });
});

afterAll(async () => {
  await session?.close();
  for (const id of started) killMarked(id);
  await slow?.cleanup();
  await rm(workDir, { recursive: true, force: true });
  home?.cleanup();
});

describe('myfav-coworker mcp over stdio', () => {
  it('answers the handshake and lists its tools, with titles, descriptions and annotations', async () => {
    expect(session.client.getServerVersion()).toMatchObject({ name: 'myfav-coworker' });
    expect(session.client.getInstructions()).toMatch(/simulate_pr/);
    const { tools } = await session.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'cancel_simulation',
      'get_simulation',
      'github_auth_status',
      'github_login',
      'list_simulations',
      'simulate_pr',
    ]);
    const simulate = tools.find((t) => t.name === 'simulate_pr')!;
    expect(simulate.title).toBeTruthy();
    expect(simulate.inputSchema.required).toEqual(['target']);
    expect(simulate.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });
    expect(tools.find((t) => t.name === 'get_simulation')!.annotations).toMatchObject({ readOnlyHint: true });
    expect(tools.find((t) => t.name === 'cancel_simulation')!.annotations).toMatchObject({
      destructiveHint: true,
    });
    for (const tool of tools) expect(tool.description?.length).toBeGreaterThan(40);
    expect(session.protocolErrors).toEqual([]);
  });

  // One simulation of the demo branch for the next two tests: the first looks at its processes while
  // it runs (Linux: /proc), the second at its result (and starts it when the first did not run).
  let demoJob: string | undefined;
  async function startDemoJob(): Promise<string> {
    const submitted = await session.client.callTool({
      name: 'simulate_pr',
      arguments: { target: demo.repoPath, head: demo.headBranch, base: demo.baseBranch },
    });
    const id = jobIdOf(submitted);
    started.push(id);
    expect(textOf(submitted)).toMatch(/Started simulation job/);
    return id;
  }

  it.runIf(hasProc)(
    'while a job runs its app and browser, none of them holds the server’s stdin or stdout',
    async () => {
      demoJob = await startDemoJob();
      await pollJob(session.client, demoJob, (t) => /phase crawl/.test(t) || /finished/.test(t));
      expect(descendantsOf(session.pid).length).toBeGreaterThan(0);
      expect(await childrenSharingStdio(session.pid)).toEqual([]);
    },
  );

  it('simulates the demo branch to a FAIL report with findings and screenshots, with progress', async () => {
    const id = demoJob ?? (await startDemoJob());

    const progress: string[] = [];
    const result = await session.client.callTool(
      { name: 'get_simulation', arguments: { job_id: id, wait_seconds: 50 } },
      CallToolResultSchema,
      { onprogress: (p) => progress.push(p.message ?? ''), timeout: 58_000 },
    );
    let text = textOf(result);
    if (!/finished/.test(text)) text = await pollJob(session.client, id, (t) => /finished/.test(t), 60_000);
    expect(result.isError).toBeFalsy();
    expect(text).toMatch(/FAIL/);
    expect(text).toMatch(
      /<untrusted_content [^>]*nonce="([0-9a-f]+)">[\s\S]*\/api\/stats[\s\S]*<\/untrusted_content nonce="\1">/,
    );
    expect(text).toContain('report.md');
    expect(progress.some((m) => /^(crawl|teardown|report)/.test(m))).toBe(true);

    const shown = await session.client.callTool({ name: 'get_simulation', arguments: { job_id: id } });
    const images = imagesOf(shown);
    expect(images.length).toBeGreaterThanOrEqual(1);
    expect(images.length).toBeLessThanOrEqual(3);
    for (const image of images) {
      expect(image.mimeType).toBe('image/jpeg');
      const meta = await sharp(Buffer.from(image.data, 'base64')).metadata();
      expect(meta.format).toBe('jpeg');
      expect(meta.width).toBeLessThanOrEqual(800);
    }

    // The terminal sees the same history.
    const jobs = await runCli(['jobs', '--json'], { home: home.dir });
    expect(JSON.parse(jobs.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ id, status: 'completed', verdict: 'fail' })]),
    );
    // The report is a resource, listed among the recent ones, and the client heard that the list changed.
    expect(resourceListChanges).toBeGreaterThan(0);
    const { resources } = await session.client.listResources();
    const uri = `myfav-coworker://jobs/${id}/report.md`;
    expect(resources.map((r) => r.uri)).toContain(uri);
    const read = await session.client.readResource({ uri });
    expect(read.contents[0]).toMatchObject({ mimeType: 'text/markdown' });
    expect(String((read.contents[0] as { text: string }).text)).toMatch(/stats/i);
    expect(leftoversIn(home.dir)).toEqual([]);
    expect(session.protocolErrors).toEqual([]);
  });

  it.skipIf(!hasProc)('cancels a running job: its dev server is gone afterwards', async () => {
    const result = await session.client.callTool({ name: 'simulate_pr', arguments: { target: slow.path } });
    const id = jobIdOf(result);
    started.push(id);
    await pollJob(session.client, id, (t) => /phase launch/.test(t) && processesWithMarker(id).length > 0);
    const pids = processesWithMarker(id);
    expect(pids.length).toBeGreaterThan(0);

    // Asking again for the same target at the same commit returns the running job.
    const again = await session.client.callTool({ name: 'simulate_pr', arguments: { target: slow.path } });
    expect(jobIdOf(again)).toBe(id);
    expect(textOf(again)).toMatch(/already being simulated/);

    const cancelled = await session.client.callTool({ name: 'cancel_simulation', arguments: { job_id: id } });
    expect(textOf(cancelled)).toMatch(/Cancelled simulation job/);
    expect(processesWithMarker(id)).toEqual([]);
    const shown = textOf(
      await session.client.callTool({ name: 'get_simulation', arguments: { job_id: id } }),
    );
    expect(shown).toMatch(/CANCELLED/);
    expect(leftoversIn(home.dir)).toEqual([]);
    expect(session.protocolErrors).toEqual([]);
  });

  it('runs two jobs at the same time', async () => {
    const [a, b] = await Promise.all([
      session.client.callTool({
        name: 'simulate_pr',
        arguments: { target: demo.repoPath, head: demo.baseBranch, base: demo.baseBranch },
      }),
      session.client.callTool({
        name: 'simulate_pr',
        arguments: { target: demo.repoPath, head: demo.headBranch, base: demo.baseBranch, instructions: 'x' },
      }),
    ]);
    const ids = [jobIdOf(a), jobIdOf(b)];
    started.push(...ids);
    expect(new Set(ids).size).toBe(2);
    // Both running at once (MYFAV_CONCURRENCY=2), not one after the other.
    const seenRunning = new Set<string>();
    const deadline = Date.now() + 60_000;
    while (seenRunning.size < 2 && Date.now() < deadline) {
      const list = textOf(
        await session.client.callTool({ name: 'list_simulations', arguments: { status: 'running' } }),
      );
      for (const id of ids) if (list.includes(id)) seenRunning.add(id);
      if (seenRunning.size < 2) await new Promise((r) => setTimeout(r, 100));
      if (ids.every((id) => !list.includes(id)) && seenRunning.size > 0) break;
    }
    expect(seenRunning.size).toBe(2);
    const outcomes = await Promise.all(
      ids.map((id) => pollJob(session.client, id, (t) => /finished/.test(t), 90_000)),
    );
    expect(outcomes[0]).toMatch(/PASS/);
    expect(outcomes[1]).toMatch(/FAIL/);
    expect(leftoversIn(home.dir)).toEqual([]);
    expect(session.protocolErrors).toEqual([]);
  });

  it('answers bad input with a tool error the model can relay', async () => {
    const result = await session.client.callTool({
      name: 'simulate_pr',
      arguments: { target: path.join(workDir, 'no-such-repo') },
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/What to do:/);
    const unknown = await session.client.callTool({
      name: 'get_simulation',
      arguments: { job_id: 'zzzz-0000' },
    });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/list_simulations/);
    expect(existsSync(path.join(home.dir, 'data', 'jobs.sqlite'))).toBe(true);
    expect(session.protocolErrors).toEqual([]);
  });
});
