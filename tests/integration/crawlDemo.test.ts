// The smoke crawl on the demo app (fixtures/demo-app): on `feature/stats` it must find exactly the
// regressions the fixture's README promises for the crawl, and on `main` nothing at all.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoRepo } from '../../fixtures/buildDemoRepo.js';
import { git } from '../../fixtures/isolatedGit.js';
import { smokeCrawl } from '../../src/browser/crawl.js';
import { discoverBrowser } from '../../src/browser/discover.js';
import { openBrowserSession } from '../../src/browser/session.js';
import type { BrowserExecutable, CrawlResult } from '../../src/browser/types.js';

interface DemoServer {
  origin: string;
  stop(): Promise<void>;
}

/** `node server.js` on a free port; resolves once it prints its URL. */
async function startDemo(dir: string): Promise<DemoServer> {
  const child: ChildProcess = spawn(process.execPath, ['server.js'], {
    cwd: dir,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  try {
    const origin = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`demo server did not start: ${out}`)), 10_000);
      child.stdout?.on('data', (chunk) => {
        out += String(chunk);
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`demo server exited with ${code}`));
      });
    });
    return { origin, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function crawlDemo(
  executable: BrowserExecutable,
  dir: string,
  artifactDir: string,
): Promise<CrawlResult> {
  const server = await startDemo(dir);
  const session = await openBrowserSession({ executable, origin: server.origin });
  try {
    return await smokeCrawl(session, {
      entryUrl: `${server.origin}/`,
      targets: [],
      maxPages: 10,
      screenshotsDir: path.join(artifactDir, 'screenshots'),
      artifactDir,
    });
  } finally {
    await session.close();
    await server.stop();
  }
}

describe('smokeCrawl on the demo app', () => {
  let root: string;
  let feature: CrawlResult;
  let main: CrawlResult;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'myfav-test-'));
    const { repoPath } = await buildDemoRepo(path.join(root, 'repo'));
    const mainDir = path.join(root, 'main');
    const featureDir = path.join(root, 'feature');
    await git(repoPath, ['worktree', 'add', '--quiet', '--detach', mainDir, 'main']);
    await git(repoPath, ['worktree', 'add', '--quiet', '--detach', featureDir, 'feature/stats']);
    const executable = await discoverBrowser();
    [feature, main] = await Promise.all([
      crawlDemo(executable, featureDir, path.join(root, 'artifacts-feature')),
      crawlDemo(executable, mainDir, path.join(root, 'artifacts-main')),
    ]);
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('feature/stats: finds the stats page error, its failing API call and the broken Help link', () => {
    const origin = new URL(feature.pages[0]?.url ?? '').origin;
    expect(feature.pages.map((p) => `${p.path} ${p.status}`)).toEqual([
      '/ 200',
      '/stats.html 200',
      '/about.html 200',
      '/help.html 404',
    ]);
    const stats = feature.pages.find((p) => p.path === '/stats.html');
    expect(stats?.pageErrors).toEqual([
      expect.stringMatching(
        /^TypeError: Cannot read properties of undefined \(reading 'notes'\) \(at \/stats\.js:\d+:\d+\)$/,
      ),
    ]);
    expect(stats?.failedRequests).toEqual([{ url: `${origin}/api/stats`, method: 'GET', status: 500 }]);
    expect(feature.brokenLinks).toEqual([{ from: '/', url: `${origin}/help.html`, status: 404 }]);

    const rest = feature.pages.filter((p) => p.path !== '/stats.html');
    expect(rest.flatMap((p) => [...p.pageErrors, ...p.consoleErrors, ...p.failedRequests])).toEqual([]);
    expect(feature.pages.flatMap((p) => p.consoleErrors)).toEqual([]);
  });

  it('main: finds nothing wrong', () => {
    expect(main.pages.map((p) => `${p.path} ${p.status}`)).toEqual(['/ 200', '/about.html 200']);
    expect(main.pages.flatMap((p) => [...p.pageErrors, ...p.consoleErrors, ...p.failedRequests])).toEqual([]);
    expect(main.brokenLinks).toEqual([]);
    expect(main.pages.every((p) => p.title.endsWith('Team Notes') && p.screenshot)).toBe(true);
  });
});
