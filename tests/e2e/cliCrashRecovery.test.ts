import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, tempHome } from '../helpers/cli.js';
import { createGitRepo, type GitRepo } from '../helpers/gitRepo.js';
import { processesWithMarker, waitForExit, waitForNoProcesses } from '../helpers/processes.js';

const home = tempHome();
let repo: GitRepo;
afterAll(async () => {
  await repo?.cleanup();
  home.cleanup();
});

describe('a crash mid-job (kill -9)', () => {
  beforeAll(async () => {
    repo = await createGitRepo({
      files: { 'README.md': 'x' },
      branches: {
        'feature/x': {
          'package.json': JSON.stringify({ name: 'a', private: true, scripts: { start: 'node server.js' } }),
          // Answers the readiness probe, then hangs every page so the job sits in the crawl.
          'server.js':
            "let n = 0; require('node:http').createServer((q, s) => { if (n++ === 0) s.end('ok'); }).listen(process.env.PORT, process.env.HOST);",
        },
      },
    });
  });

  it.each([
    ['sandboxed: the app dies with the CLI', []],
    ['--no-sandbox: the app outlives it until the next run', ['--no-sandbox']],
  ])(
    'leaves the job interrupted and its app, worktree and temp dir cleaned by the next run (%s)',
    async (_, flags) => {
      const child = spawnCli(['simulate', repo.path, '--head', 'feature/x', '--no-agent', ...flags], {
        home: home.dir,
      });
      let stderr = '';
      const launched = new Promise<void>((resolve) =>
        child.stderr.on('data', (d) => {
          stderr += d;
          if (stderr.includes('app answers')) resolve();
        }),
      );
      await launched;
      const jobId = /job (\S+):/.exec(stderr)?.[1];
      expect(jobId).toBeTruthy();
      child.kill('SIGKILL');
      expect(await waitForExit(child.pid!, 5000)).toBe(true);

      if (flags.length === 0) {
        // The sandbox's processes die with the process that started it (bubblewrap --die-with-parent).
        expect(await waitForNoProcesses(jobId!, 5000)).toEqual([]);
      } else {
        // Unconfined, the crash left the app running.
        expect(processesWithMarker(jobId!).length).toBeGreaterThan(0);
      }
      // The worktree is still in place.
      expect(readdirSync(path.join(home.dir, 'cache/worktrees'))).toContain(jobId);

      // The next command notices, marks the job and cleans up.
      const jobs = await runCli(['jobs', '--json'], { home: home.dir });
      expect(jobs.stderr).toMatch(/interrupted/);
      expect(JSON.parse(jobs.stdout)[0]).toMatchObject({
        id: jobId,
        status: 'interrupted',
        error: { code: 'INTERRUPTED' },
      });
      expect(processesWithMarker(jobId!)).toEqual([]);
      expect(existsSync(path.join(home.dir, 'cache/worktrees', jobId!))).toBe(false);
      expect(existsSync(path.join(home.dir, 'cache/tmp', jobId!))).toBe(false);

      const shown = await runCli(['show', jobId!], { home: home.dir });
      expect(shown.stdout).toContain('interrupted');
    },
  );
});
