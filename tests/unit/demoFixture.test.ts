// The demo repo is what users see in `npm run demo` and what our end-to-end tests simulate, so its
// branches must hold exactly the feature and the regressions the docs promise.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoRepo } from '../../fixtures/buildDemoRepo.js';
import { git } from '../../fixtures/isolatedGit.js';
import { createGitRepo } from '../helpers/gitRepo.js';

const TIMEOUT_MS = 30_000;

interface Server {
  url: string;
  /** SIGTERM, then SIGKILL after a grace period; resolves with the exit code (null when killed). */
  stop(): Promise<number | null>;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Start `node server.js` in `dir` on a free port (PORT=0) and wait for its "listening on" line. */
async function startServer(dir: string): Promise<Server> {
  const child = spawn(process.execPath, ['server.js'], {
    cwd: dir,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 5_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    return child.exitCode;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start in 10 s: ${stderr}`)), 10_000);
      child.stdout?.on('data', (chunk) => {
        stdout += String(chunk);
        const match = /listening on (http:\/\/\S+)/.exec(stdout);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code}: ${stderr}`));
      });
    });
    return { url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function withServer<T>(dir: string, use: (url: string) => Promise<T>): Promise<T> {
  const server = await startServer(dir);
  try {
    return await use(server.url);
  } finally {
    await server.stop();
  }
}

/** Same-origin links and assets (href/src starting with one `/`) of the given pages that do not answer 200. */
async function brokenLocalLinks(origin: string, pages: string[]): Promise<string[]> {
  const targets = new Set<string>();
  for (const page of pages) {
    const res = await fetch(origin + page);
    expect(res.status, page).toBe(200);
    for (const match of (await res.text()).matchAll(/\b(?:href|src)="(\/(?!\/)[^"#?]*)/g)) {
      if (match[1]) targets.add(match[1]);
    }
  }
  const broken: string[] = [];
  for (const target of [...targets].sort()) {
    const res = await fetch(origin + target);
    await res.arrayBuffer();
    if (res.status !== 200) broken.push(target);
  }
  return broken;
}

function run(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

describe('demo repository', () => {
  let root: string;
  let repoPath: string;
  let mainDir: string;
  let featureDir: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'myfav-test-'));
    const demo = await buildDemoRepo(path.join(root, 'repo'));
    expect(demo).toMatchObject({ baseBranch: 'main', headBranch: 'feature/stats' });
    repoPath = demo.repoPath;
    mainDir = path.join(root, 'main');
    featureDir = path.join(root, 'feature');
    await git(repoPath, ['worktree', 'add', '--quiet', '--detach', mainDir, 'main']);
    await git(repoPath, ['worktree', 'add', '--quiet', '--detach', featureDir, 'feature/stats']);
  }, TIMEOUT_MS);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('has main checked out, clean, with the feature branch two commits ahead', async () => {
    expect((await git(repoPath, ['branch', '--show-current'])).trim()).toBe('main');
    expect(await git(repoPath, ['status', '--porcelain'])).toBe('');
    expect((await git(repoPath, ['branch', '--format=%(refname:short)'])).trim().split('\n').sort()).toEqual([
      'docs/contributing',
      'feature/stats',
      'fix/changelog',
      'main',
      'release/1.1',
    ]);
    expect((await git(repoPath, ['log', '--format=%s', 'main..feature/stats'])).trim().split('\n')).toEqual([
      'Add note search and link Stats and Help from the nav',
      'Add a stats page with note totals',
    ]);
    expect((await git(repoPath, ['rev-list', '--count', 'feature/stats..main'])).trim()).toBe('0');
  });

  it('changes exactly the files of the feature', async () => {
    const diff = await git(repoPath, ['diff', '--name-status', 'main', 'feature/stats']);
    expect(diff.trim().split('\n').sort()).toEqual([
      'A\tpublic/stats.html',
      'A\tpublic/stats.js',
      'M\tpublic/about.html',
      'M\tpublic/app.js',
      'M\tpublic/index.html',
      'M\tpublic/style.css',
      'M\tserver.js',
    ]);
  });

  it(
    'gives the same SHAs on every build',
    async () => {
      const again = await mkdtemp(path.join(tmpdir(), 'myfav-test-'));
      try {
        const { repoPath: other } = await buildDemoRepo(again);
        for (const ref of ['main', 'feature/stats']) {
          expect(await git(other, ['rev-parse', ref])).toBe(await git(repoPath, ['rev-parse', ref]));
        }
      } finally {
        await rm(again, { recursive: true, force: true });
      }
    },
    TIMEOUT_MS,
  );

  it('refuses a directory that is not empty', async () => {
    await expect(buildDemoRepo(repoPath)).rejects.toThrow(/not empty/);
  });

  it(
    'installs with npm ci offline and without creating anything git sees',
    async () => {
      const { code, output } = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], mainDir);
      expect(code, output).toBe(0);
      expect(await git(mainDir, ['status', '--porcelain'])).toBe('');
    },
    TIMEOUT_MS,
  );

  it(
    'main: serves the notes API and pages with no broken links, and exits 0 on SIGTERM',
    async () => {
      const server = await startServer(mainDir);
      try {
        const notes = await fetch(`${server.url}/api/notes`);
        expect(notes.status).toBe(200);
        expect(((await notes.json()) as { notes: unknown[] }).notes).toHaveLength(3);

        const added = await fetch(`${server.url}/api/notes`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ text: '  Ship it  ' }),
        });
        expect(added.status).toBe(201);
        expect(((await added.json()) as { note: { text: string } }).note.text).toBe('Ship it');
        const empty = await fetch(`${server.url}/api/notes`, { method: 'POST', body: '{"text":"   "}' });
        expect(empty.status).toBe(400);
        await empty.arrayBuffer();

        const stats = await fetch(`${server.url}/api/stats`);
        expect(stats.status).toBe(404);
        await stats.arrayBuffer();
        const index = await fetch(`${server.url}/`);
        expect(index.headers.get('content-type')).toMatch(/^text\/html/);
        await index.arrayBuffer();

        expect(await brokenLocalLinks(server.url, ['/', '/about.html'])).toEqual([]);
      } finally {
        expect(await server.stop()).toBe(0);
      }
    },
    TIMEOUT_MS,
  );

  it(
    'feature: /api/stats fails with 500, the stats page exists, Help is a broken link',
    async () => {
      await withServer(featureDir, async (url) => {
        const stats = await fetch(`${url}/api/stats`);
        expect(stats.status).toBe(500);
        await stats.arrayBuffer();
        const statsPage = await fetch(`${url}/stats.html`);
        expect(statsPage.status).toBe(200);
        await statsPage.arrayBuffer();
        const help = await fetch(`${url}/help.html`);
        expect(help.status).toBe(404);
        await help.arrayBuffer();
        const notes = await fetch(`${url}/api/notes`);
        expect(notes.status).toBe(200);
        await notes.arrayBuffer();

        expect(await brokenLocalLinks(url, ['/', '/about.html', '/stats.html'])).toEqual(['/help.html']);
      });
    },
    TIMEOUT_MS,
  );

  it('feature: ships the search box and the Clear search button the agent will click', async () => {
    const index = await readFile(path.join(featureDir, 'public/index.html'), 'utf8');
    expect(index).toMatch(/<label for="note-search">Search notes<\/label>/);
    expect(index).toMatch(/<button type="button" id="clear-search"[^>]*>Clear search<\/button>/);
  });
});

describe('createGitRepo', () => {
  it(
    'builds main and one commit per branch with added, replaced and deleted files',
    async () => {
      const repo = await createGitRepo({
        files: { 'package.json': '{"name":"tiny"}\n', 'src/a.txt': 'a\n', 'gone.txt': 'bye\n' },
        branches: { 'feature/x': { 'src/a.txt': 'A\n', 'new/b.txt': 'b\n', 'gone.txt': null } },
      });
      try {
        expect(path.basename(repo.path)).toMatch(/^myfav-test-/);
        expect((await git(repo.path, ['branch', '--show-current'])).trim()).toBe('main');
        expect(await readFile(path.join(repo.path, 'src/a.txt'), 'utf8')).toBe('a\n');
        expect((await git(repo.path, ['ls-tree', '-r', '--name-only', 'main'])).trim().split('\n')).toEqual([
          'gone.txt',
          'package.json',
          'src/a.txt',
        ]);
        expect(
          (await git(repo.path, ['ls-tree', '-r', '--name-only', 'feature/x'])).trim().split('\n'),
        ).toEqual(['new/b.txt', 'package.json', 'src/a.txt']);
        expect(await git(repo.path, ['show', 'feature/x:src/a.txt'])).toBe('A\n');

        const main = await repo.sha('main');
        expect(main).toMatch(/^[0-9a-f]{40}$/);
        expect(await repo.sha('feature/x~1')).toBe(main);
        expect(await repo.sha('feature/x')).not.toBe(main);
        await expect(repo.sha('no-such-branch')).rejects.toThrow(/rev-parse/);
      } finally {
        await repo.cleanup();
      }
      await expect(stat(repo.path)).rejects.toMatchObject({ code: 'ENOENT' });
      await repo.cleanup();
    },
    TIMEOUT_MS,
  );

  it(
    'gives the same SHAs for the same files, and builds in a given dir',
    async () => {
      const parent = await mkdtemp(path.join(tmpdir(), 'myfav-test-'));
      const spec = {
        files: { 'index.js': 'process.exit(0);\n' },
        branches: { fix: { 'index.js': '// fixed\n' } },
      };
      const first = await createGitRepo(spec);
      const second = await createGitRepo({ ...spec, dir: path.join(parent, 'nested', 'repo') });
      try {
        expect(second.path).toBe(path.join(await realpath(parent), 'nested', 'repo'));
        expect(await second.sha('main')).toBe(await first.sha('main'));
        expect(await second.sha('fix')).toBe(await first.sha('fix'));
      } finally {
        await first.cleanup();
        await second.cleanup();
        await rm(parent, { recursive: true, force: true });
      }
    },
    TIMEOUT_MS,
  );

  it('refuses file paths outside the repository and leaves no temp dir behind', async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'myfav-test-'));
    try {
      const dir = path.join(parent, 'repo');
      await expect(createGitRepo({ files: { '../escape.txt': 'x' }, dir })).rejects.toThrow(
        /inside the repository/,
      );
      await expect(stat(path.join(parent, 'escape.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});
