// The published package, as a user gets it: `npm pack`, the tarball installed in an empty project
// (dependencies from the npm cache or the registry), then `npx myfav-coworker` there — the bundled
// dist/, the external native modules: `--version`, `--help`, `doctor`, `simulate` on the demo, and `mcp`
// (initialize, tools/list, and get_simulation answering what `simulate --json` printed). Needs `npm run build`.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoRepo, type DemoRepo } from '../../fixtures/buildDemoRepo.js';
import { cliEnv, repoRoot, tempHome } from '../helpers/cli.js';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

let work: string;
let project: string;
let home: ReturnType<typeof tempHome>;
let demo: DemoRepo;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'myfav-tarball-'));
  home = tempHome();
  demo = await buildDemoRepo(path.join(work, 'demo'));
  await run(npm, ['pack', '--silent', '--pack-destination', work], { cwd: repoRoot });
  const tarball = (await readdir(work)).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack made no tarball');
  project = path.join(work, 'project');
  await mkdir(project);
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'try-it', private: true }));
  await run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(work, tarball)], {
    cwd: project,
    timeout: 540_000,
    maxBuffer: 16 * 1024 * 1024,
  });
}, 600_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  home?.cleanup();
});

/** `npx myfav-coworker …` in the project that installed the tarball. */
function cli(args: string[], extraEnv: Record<string, string> = {}) {
  return run(npx, ['--no-install', 'myfav-coworker', ...args], {
    cwd: project,
    env: cliEnv(home.dir, extraEnv),
    timeout: 240_000,
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof err.code === 'number' ? err.code : -1,
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? '',
    }),
  );
}

describe('the packed tarball, installed and run with npx', () => {
  it('prints its version and the same help as the full program', async () => {
    expect((await cli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/simulate \[options\] \[target\]/);
    // `help` builds the whole commander program; `--help` prints what the build saved.
    expect((await cli(['help'])).stdout).toBe(help.stdout);
  });

  it('doctor finds the browser, git and the sandbox from the installed package', async () => {
    const doctor = await cli(['doctor'], { MYFAV_KEYCHAIN: 'off' });
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
    expect(doctor.stdout).toMatch(/✓ browser\s+\S*chrom/i);
    expect(doctor.stdout).toMatch(/✓ git\s+git version/);
    // The sandbox's trial app ran from the tarball's own relay script.
    expect(doctor.stdout).toMatch(/✓ sandbox\s+bubblewrap .*a trial app answered through the bridge/);
  }, 120_000);

  it('simulates the demo to FAIL, and serves the result over MCP', async () => {
    const simulated = await cli([
      'simulate',
      demo.repoPath,
      '--head',
      demo.headBranch,
      '--json',
      '--no-agent',
    ]);
    expect(simulated.code, simulated.stderr).toBe(1);
    const result = JSON.parse(simulated.stdout);
    expect(result).toMatchObject({ status: 'completed', verdict: 'fail', counts: { new: 3 } });

    const transport = new StdioClientTransport({
      command: npx,
      args: ['--no-install', 'myfav-coworker', 'mcp'],
      cwd: project,
      env: cliEnv(home.dir),
      stderr: 'pipe',
    });
    const client = new Client({ name: 'tarball-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('simulate_pr');
      const got = await client.callTool({ name: 'get_simulation', arguments: { job_id: result.job_id } });
      // One mapping: the CLI's --json and MCP's structuredContent are the same object for the same job.
      expect(got.structuredContent).toEqual(result);
    } finally {
      await client.close();
    }
  }, 300_000);
});
