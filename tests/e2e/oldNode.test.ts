// On a Node.js older than package.json's engines, every entry a user launches says so in one line on
// stderr and exits 2 — instead of the segfault better-sqlite3's Node-API 10 binding causes there (Node 20
// crashed with exit 139 and no word on `simulate`). Run under a real old Node: the system's /usr/bin/node
// (20 on this machine and on CI), or MYFAV_TEST_OLD_NODE; without one the tests are skipped, not passed.
// On this Node.js and on the oldest one the engines accept (MYFAV_TEST_NODE22, e.g. a 22.14.0 binary from
// `npm install node@22.14.0`; skipped without it) the entries run the program, and the MCP server ends
// quietly with exit 0 when its client closes stdin. Needs `npm run build`.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoRepo, type DemoRepo } from '../../fixtures/buildDemoRepo.js';
import { satisfiesRange } from '../../src/nodeVersion.js';
import { binPath, type CliResult, cliEnv, collect, repoRoot, tempHome } from '../helpers/cli.js';

const engines = (
  JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    engines: { node: string };
  }
).engines.node;
const cliJs = path.join(repoRoot, 'dist', 'cli.js');
const mcpJs = path.join(repoRoot, 'dist', 'mcp.js');

/** A node binary on this machine that package.json's engines refuse, with its version. */
function findOldNode(): { bin: string; version: string } | undefined {
  const candidates = [process.env.MYFAV_TEST_OLD_NODE, '/usr/bin/node', '/usr/local/bin/node'];
  for (const bin of candidates) {
    if (!bin || !existsSync(bin)) continue;
    try {
      const version = execFileSync(bin, ['-p', 'process.version'], {
        encoding: 'utf8',
        timeout: 30_000,
      }).trim();
      if (!satisfiesRange(version, engines)) return { bin, version };
    } catch {}
  }
  return undefined;
}

const oldNode = findOldNode();

/** MYFAV_TEST_NODE22: a Node.js near the floor the engines accept (22.14.0), with its version. */
const node22 = (() => {
  const bin = process.env.MYFAV_TEST_NODE22;
  if (!bin) return undefined;
  const version = execFileSync(bin, ['-p', 'process.version'], { encoding: 'utf8', timeout: 30_000 }).trim();
  return { bin, version };
})();
const initialize = `${JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
})}\n`;

let home: ReturnType<typeof tempHome>;
let demo: DemoRepo;

beforeAll(async () => {
  home = tempHome();
  demo = await buildDemoRepo(path.join(home.dir, 'demo'));
});

afterAll(() => home?.cleanup());

function runWith(node: string, args: string[], input = ''): Promise<CliResult> {
  const child = spawn(node, args, { cwd: repoRoot, env: cliEnv(home.dir), stdio: 'pipe' });
  return collect(child, input, 60_000);
}

/** What a user on the old Node sees: one line naming both versions and what to do, exit code 2. */
function expectRefusal(result: CliResult, version: string, bin: string) {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).not.toMatch(/Segmentation|SyntaxError|Error:/);
  const lines = result.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(`myfav-coworker needs Node.js 22.14 or newer (${engines})`);
  expect(lines[0]).toContain(`but this is Node.js ${version} (${bin})`);
  expect(lines[0]).toContain('Install Node.js 24 LTS');
  expect(lines[0]).toContain('npx -p node@24 -p myfav-coworker myfav-coworker <command>');
}

describe(`on an old Node.js (${oldNode ? `${oldNode.version} at ${oldNode.bin}` : 'none found: skipped'})`, () => {
  it.skipIf(!oldNode)(
    'the CLI refuses in one line: dist/cli.js simulate, and bin/ for simulate, --version, --help',
    async () => {
      const { bin, version } = oldNode!;
      const simulate = ['simulate', demo.dir, '--head', 'feature/stats', '--base', 'main', '--no-agent'];
      expectRefusal(await runWith(bin, [cliJs, ...simulate]), version, bin);
      expectRefusal(await runWith(bin, [binPath, ...simulate]), version, bin);
      expectRefusal(await runWith(bin, [binPath, '--version']), version, bin);
      expectRefusal(await runWith(bin, [binPath, '--help']), version, bin);
      // Nothing of the program ran: its home (history, caches) was not even created.
      expect(readdirSync(home.dir)).toEqual(['demo']);
    },
  );

  it.skipIf(!oldNode)(
    'the MCP server refuses on stderr only (stdout stays empty for the client)',
    async () => {
      const { bin, version } = oldNode!;
      expectRefusal(await runWith(bin, [mcpJs], initialize), version, bin);
      expectRefusal(await runWith(bin, [binPath, 'mcp'], initialize), version, bin);
      // A bare call with stdin not a terminal, as MCP clients start it.
      expectRefusal(await runWith(bin, [binPath], initialize), version, bin);
    },
  );
});

describe('on this Node.js', () => {
  it('the entries a user launches run the program: dist/cli.js, dist/mcp.js, bin/', async () => {
    const version = await runWith(process.execPath, [cliJs, '--version']);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await runWith(process.execPath, [binPath, '--version'])).stdout).toBe(version.stdout);
    await expectQuietEndOfSession(process.execPath);
  });
});

/**
 * A client that sends `initialize` and closes stdin at once (a session that ends as it starts): the
 * answer, nothing else on stdout, exit code 0 and no Node.js warning. Node 22 used to exit 13 here with
 * "Warning: Detected unsettled top-level await": stdin had ended before the server listened for it.
 */
async function expectQuietEndOfSession(node: string) {
  // dist/mcp.js, and bin/ without arguments as MCP clients start it (`npx myfav-coworker`).
  for (const args of [[mcpJs], [binPath]]) {
    const mcp = await runWith(node, args, initialize);
    expect(mcp.code, mcp.stderr).toBe(0);
    const lines = mcp.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      jsonrpc: '2.0',
      id: 1,
      result: { serverInfo: { name: 'myfav-coworker' } },
    });
    expect(mcp.stderr).not.toMatch(/unsettled|Warning|Error/i);
    expect(mcp.stderr).toMatch(/closed stdin; stopping/);
  }
}

describe(`on the oldest Node.js supported (${node22 ? `${node22.version} at ${node22.bin}` : 'MYFAV_TEST_NODE22 not set: skipped'})`, () => {
  it.skipIf(!node22)('the MCP server exits 0, quietly, when the client closes stdin', async () => {
    const { bin, version } = node22!;
    // A binary the engines refuse would only show the refusal (above): not what this test is for.
    expect(satisfiesRange(version, engines), `${bin} is Node.js ${version}`).toBe(true);
    await expectQuietEndOfSession(bin);
  });
});
