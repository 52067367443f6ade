// The server checked by a client we did not write: the official MCP Inspector's CLI mode
// (@modelcontextprotocol/inspector, a dev dependency; it uses the v2 MCP SDK). Works offline.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoRepo, type DemoRepo } from '../../fixtures/buildDemoRepo.js';
import { binPath, cliEnv, repoRoot, tempHome } from '../helpers/cli.js';

const inspector = path.join(
  repoRoot,
  'node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js',
);

let home: ReturnType<typeof tempHome>;
let inspectorHome: string;
let workDir: string;
let demo: DemoRepo;

beforeAll(async () => {
  home = tempHome();
  workDir = await mkdtemp(path.join(os.tmpdir(), 'myfav-inspector-'));
  // The Inspector keeps a catalog under $HOME; give it its own.
  inspectorHome = path.join(workDir, 'inspector-home');
  mkdirSync(inspectorHome);
  demo = await buildDemoRepo(path.join(workDir, 'demo'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
  home?.cleanup();
});

function runInspector(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [inspector, '--cli', '-e', `MYFAV_COWORKER_HOME=${home.dir}`, process.execPath, binPath, 'mcp', ...args],
    {
      cwd: repoRoot,
      env: cliEnv(home.dir, { HOME: inspectorHome, MCP_CATALOG_PATH: path.join(inspectorHome, 'mcp.json') }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('MCP Inspector CLI against myfav-coworker mcp', () => {
  it('lists the tools, with no schema portability problems (--strict)', async () => {
    const out = await runInspector(['--strict', '--method', 'tools/list']);
    expect(out.code, out.stderr).toBe(0);
    const { tools } = JSON.parse(out.stdout) as { tools: Array<{ name: string; annotations?: object }> };
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'simulate_pr',
        'get_simulation',
        'list_simulations',
        'cancel_simulation',
        'github_login',
        'github_auth_status',
      ]),
    );
    for (const tool of tools) expect(tool.annotations).toBeDefined();
  });

  it('runs simulate_pr on the demo to a report with screenshots', async () => {
    const out = await runInspector([
      '--method',
      'tools/call',
      '--tool-name',
      'simulate_pr',
      '--tool-arg',
      `target=${demo.repoPath}`,
      `head=${demo.headBranch}`,
      // The head alone: within the tool's 50-s wait on a busy machine (the comparison has its own tests).
      'compare_base=false',
      'wait_seconds=50',
    ]);
    expect(out.code, out.stderr).toBe(0);
    const result = JSON.parse(out.stdout) as {
      content: Array<{ type: string; text?: string }>;
      structuredContent?: Record<string, unknown>;
    };
    const text = result.content.find((c) => c.type === 'text')?.text ?? '';
    expect(text).toMatch(/finished after .*: FAIL/);
    expect(result.content.some((c) => c.type === 'image')).toBe(true);
    // The same result as data: what a program reads instead of the text.
    expect(result.structuredContent).toMatchObject({
      job_id: expect.any(String),
      status: 'completed',
      verdict: 'fail',
      reused: false,
      counts: { new: expect.any(Number), by_severity: { error: expect.any(Number) } },
      artifacts: { report_html: expect.stringMatching(/report\.html$/) },
    });
    expect((result.structuredContent?.findings as unknown[] | undefined) ?? []).not.toHaveLength(0);
  });

  it('reports a tool error for a target that is not there', async () => {
    const out = await runInspector([
      '--method',
      'tools/call',
      '--tool-name',
      'simulate_pr',
      '--tool-arg',
      `target=${path.join(workDir, 'missing')}`,
    ]);
    // The Inspector exits 5 and names the tool error when a result has isError: true.
    expect(out.code).toBe(5);
    expect(out.stdout).toMatch(/isError/);
    expect(out.stdout).toMatch(/"structuredContent"[\s\S]*"error"[\s\S]*"code"/);
  });
});
