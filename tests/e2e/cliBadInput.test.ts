import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { collect, leftoversIn, runCli, simulationJson, spawnCli, tempHome } from '../helpers/cli.js';
import { createGitRepo, type GitRepo } from '../helpers/gitRepo.js';
import { isAlive, processesWithMarker, waitForNoProcesses } from '../helpers/processes.js';

// Every failure a user can cause: exit code 2, a message that says what failed and what to do,
// and nothing left behind (no process of the job, no worktree, no temp dir).

const home = tempHome();
const repos: GitRepo[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});
afterAll(async () => {
  for (const r of repos) await r.cleanup();
  home.cleanup();
});

async function repoWith(files: Record<string, string>): Promise<string> {
  const repo = await createGitRepo({ files: { 'README.md': '# app\n' }, branches: { 'feature/x': files } });
  repos.push(repo);
  return repo.path;
}

const nodeApp = (script: string, extra: Record<string, string> = {}) => ({
  'package.json': JSON.stringify({ name: 'app', private: true, scripts: { start: script } }),
  ...extra,
});

const server = `require('node:http').createServer((q, s) => s.end('<title>ok</title><h1>ok</h1>')).listen(process.env.PORT, process.env.HOST);`;

interface Outcome {
  code: number | null;
  stderr: string;
  /** The job (get_simulation's fields), or `{ error }` alone when no job was made. */
  json: { job_id?: string; status?: string; error?: { code: string; message: string; hint: string } };
}

async function simulateJson(args: string[]): Promise<Outcome> {
  const r = await runCli(['simulate', ...args, '--json', '--no-agent'], { home: home.dir });
  const json = JSON.parse(r.stdout);
  return { code: r.code, stderr: r.stderr, json };
}

async function expectCleanError(o: Outcome, code: string, message: RegExp) {
  expect(o.json.error, o.stderr).toMatchObject({ code, message: expect.stringMatching(message) });
  expect(o.json.error?.hint.length).toBeGreaterThan(10);
  // A job that failed says so; a refusal before any job is the error alone, as an MCP tool's.
  if (o.json.job_id) expect(o.json.status).toBe('error');
  else expect(Object.keys(o.json)).toEqual(['error']);
  expect(o.code).toBe(2);
  if (o.json.job_id) expect(await waitForNoProcesses(o.json.job_id, 5000)).toEqual([]);
  expect(leftoversIn(home.dir)).toEqual([]);
}

describe('bad input ends in a clear error, exit code 2, nothing left behind', () => {
  it('a folder that is not a git repository', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'myfav-test-nogit-'));
    try {
      await expectCleanError(
        await simulateJson([dir, '--head', 'main']),
        'NOT_A_GIT_REPO',
        /not inside a git repository/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a path that does not exist, without --json: message and hint on stderr, no job in the history', async () => {
    const r = await runCli(['simulate', '/no/such/repo', '--no-agent'], { home: home.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/no/such/repo does not exist');
    expect(r.stderr).toContain('Pass the path of a local git repository');
    expect(r.stdout).toBe('');
    const jobs = await runCli(['jobs', '--json'], { home: home.dir });
    expect(JSON.parse(jobs.stdout).some((j: { target: string }) => j.target === '/no/such/repo')).toBe(false);
  });

  it('warns that head and base are the same commit, and that uncommitted edits are not tested', async () => {
    const repo = await repoWith({ 'index.html': '<h1>x</h1>' });
    const same = await runCli(
      ['simulate', repo, '--head', 'feature/x', '--base', 'feature/x', '--no-agent'],
      {
        home: home.dir,
      },
    );
    expect(same.stderr).toMatch(/feature\/x and feature\/x are the same commit: there is no change to test/);
    expect(same.code).toBe(0);
    writeFileSync(path.join(repo, 'README.md'), '# edited, not committed\n');
    const dirty = await runCli(['simulate', repo, '--no-agent'], { home: home.dir });
    expect(dirty.stderr).toMatch(/uncommitted changes in .* are not tested/);
  });

  it('an unknown ref names recent branches', async () => {
    const repo = await repoWith({ 'index.html': '<h1>x</h1>' });
    const o = await simulateJson([repo, '--head', 'feature/typo']);
    await expectCleanError(o, 'UNKNOWN_REF', /feature\/typo/);
    expect(o.json.error?.hint).toContain('feature/x');
  });

  it('a ref that looks like an option is refused before git sees it', async () => {
    const repo = await repoWith({ 'index.html': '<h1>x</h1>' });
    const marker = path.join(os.tmpdir(), `myfav-pwned-${process.pid}`);
    const o = await simulateJson([repo, `--head=--upload-pack=touch ${marker}`]);
    await expectCleanError(o, 'INVALID_REF', /option/);
    expect(existsSync(marker)).toBe(false);
  });

  it('no runnable app in the repository', async () => {
    const repo = await repoWith({ 'docs/notes.md': 'just docs' });
    await expectCleanError(await simulateJson([repo, '--head', 'feature/x']), 'NO_APP', /app/i);
  });

  it('an invalid .myfav-coworker.json names the field', async () => {
    const repo = await repoWith({
      'index.html': '<h1>x</h1>',
      '.myfav-coworker.json': '{"readyTimeout": "soon"}',
    });
    await expectCleanError(
      await simulateJson([repo, '--head', 'feature/x']),
      'INVALID_CONFIG',
      /readyTimeout/,
    );
  });

  it('an install that fails shows the command and the log', async () => {
    // A lockfile out of sync with package.json: `npm ci` refuses at once (and needs no network).
    const repo = await repoWith({
      'package.json': JSON.stringify({
        name: 'app',
        version: '1.0.0',
        private: true,
        scripts: { start: 'node server.js' },
        dependencies: { 'left-pad': '^1.3.0' },
      }),
      'package-lock.json': JSON.stringify({
        name: 'app',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: { '': { name: 'app', version: '1.0.0' } },
      }),
      'server.js': server,
    });
    const o = await simulateJson([repo, '--head', 'feature/x']);
    await expectCleanError(o, 'INSTALL_FAILED', /npm ci/);
    expect(o.json.error?.message).toMatch(/in sync|lock file/i);
  });

  it('an app that exits at once shows its last words', async () => {
    const repo = await repoWith(
      nodeApp('node boot.js', {
        'boot.js': "console.error('boom: DATABASE_URL is not set'); process.exit(3);",
      }),
    );
    const o = await simulateJson([repo, '--head', 'feature/x']);
    await expectCleanError(o, 'APP_EXITED', /DATABASE_URL is not set/);
  });

  it('an app that never answers times out with the log tail', async () => {
    const repo = await repoWith(
      nodeApp('node idle.js', {
        'idle.js': "console.log('warming up forever'); setInterval(() => {}, 1000);",
      }),
    );
    // Long enough for the app's first line on a busy machine (the sandbox and node start first).
    const o = await simulateJson([repo, '--head', 'feature/x', '--ready-timeout', '8']);
    await expectCleanError(o, 'APP_NOT_READY', /warming up forever/);
  });

  it('a port already taken by another server is never tested as if it were the app', async () => {
    const other = createServer((_q, s) => s.end('<h1>someone else</h1>'));
    servers.push(other);
    other.listen(0, '127.0.0.1');
    await once(other, 'listening');
    const port = (other.address() as AddressInfo).port;
    const repo = await repoWith(nodeApp('node server.js', { 'server.js': server }));
    const o = await simulateJson([repo, '--head', 'feature/x', '--url', `http://127.0.0.1:${port}/`]);
    await expectCleanError(o, 'PORT_TAKEN', new RegExp(String(port)));
  });

  it('a dev server grandchild that ignores SIGTERM is gone after the job', async () => {
    const repo = await repoWith(
      nodeApp('node dev.js', {
        'dev.js': `
          const { spawn } = require('node:child_process');
          const w = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); require('fs').writeFileSync('watcher.pid', String(process.pid)); setInterval(() => {}, 1000)"], { stdio: 'inherit' });
          ${server}`,
      }),
    );
    const r = await runCli(['simulate', repo, '--head', 'feature/x', '--json', '--no-agent'], {
      home: home.dir,
    });
    const report = simulationJson(r.stdout);
    expect(report.status, r.stderr).toBe('completed');
    expect(processesWithMarker(report.job_id)).toEqual([]);
    expect(leftoversIn(home.dir)).toEqual([]);
  });

  it('Ctrl-C mid-run cancels, cleans up and exits 2', async () => {
    const repo = await repoWith(
      nodeApp('node slow.js', {
        'slow.js': `setTimeout(() => { ${server} }, 60000); setInterval(() => {}, 1000);`,
      }),
    );
    const child = spawnCli(['simulate', repo, '--head', 'feature/x', '--json', '--no-agent'], {
      home: home.dir,
    });
    let seen = '';
    child.stderr.on('data', (d) => {
      seen += d;
      if (seen.includes('starting:') && !child.killed) child.kill('SIGINT');
    });
    const r = await collect(child, undefined, 60_000);
    const report = simulationJson(r.stdout);
    expect(report).toMatchObject({ status: 'cancelled', verdict: null, error: { code: 'CANCELLED' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cancelling');
    expect(processesWithMarker(report.job_id)).toEqual([]);
    expect(leftoversIn(home.dir)).toEqual([]);
    expect(isAlive(child.pid!)).toBe(false);
  });
});
