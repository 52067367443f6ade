// What a job's teardown could not remove in time (a gigabyte of node_modules on a busy machine) is not
// left for ever: it stays recorded in the history, and the next start-up removes it. Real SQLite, real
// git worktrees, real folders.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/jobs/db.js';
import { forgetRemovedLeftovers, recoverInterruptedJobs } from '../../src/jobs/recovery.js';
import type { SimulationRequest } from '../../src/jobs/request.js';
import { JobStore } from '../../src/jobs/store.js';
import { Teardown } from '../../src/jobs/teardown.js';
import type { Logger } from '../../src/log.js';
import type { Report } from '../../src/report/model.js';
import { createGitRepo, type GitRepo } from '../helpers/gitRepo.js';

let dir: string;
let repo: GitRepo;
beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'myfav-test-leftovers-'));
  repo = await createGitRepo({ files: { 'README.md': 'hi\n' } });
});
afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  await repo.cleanup();
});

const request: SimulationRequest = {
  input: './repo',
  target: { kind: 'local', repoPath: '/tmp/repo', headRef: 'main' },
  settings: {},
  agent: { enabled: false },
};

function report(id: string): Report {
  const now = new Date().toISOString();
  return {
    id,
    status: 'completed',
    verdict: 'pass',
    summary: 'Tested main: pass.',
    target: null,
    app: null,
    findings: [],
    pages: [],
    brokenLinks: [],
    timings: { total: 1 },
    artifacts: { dir, reportJson: '', reportMd: '', reportHtml: '', screenshots: [] },
    createdAt: now,
    startedAt: now,
    finishedAt: now,
  };
}

const warnings: string[] = [];
const logger: Logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
const git = (args: string[]) => execFileSync('git', ['-C', repo.path, ...args], { encoding: 'utf8' });

/** A finished job whose worktree (a real one of `repo`) and temp dir are still on disk. */
function finishedJobWithLeftovers(store: JobStore, id: string) {
  const worktreeDir = path.join(dir, 'worktrees', id);
  git(['worktree', 'add', '--detach', '--quiet', worktreeDir, 'main']);
  const tempDir = path.join(dir, 'tmp', id);
  mkdirSync(path.join(tempDir, 'home', 'node_modules', 'big'), { recursive: true });
  writeFileSync(path.join(tempDir, 'home', 'node_modules', 'big', 'index.js'), '//\n');
  store.create({ id, request, artifactDir: dir, status: 'running' });
  store.update(id, { worktreeDir, tempDir, mirrorDir: repo.path });
  store.finish(report(id));
  return { worktreeDir, tempDir };
}

describe('leftovers of finished jobs', () => {
  it('are removed at the next start-up, worktree registration included, and forgotten', async () => {
    const store = new JobStore(openDatabase(path.join(dir, 'jobs.sqlite')));
    const { worktreeDir, tempDir } = finishedJobWithLeftovers(store, 'job-left');
    expect(store.finishedWithLeftovers().map((j) => j.id)).toEqual(['job-left']);

    await recoverInterruptedJobs(store, logger);
    expect(existsSync(worktreeDir)).toBe(false);
    expect(existsSync(tempDir)).toBe(false);
    expect(git(['worktree', 'list'])).not.toContain(worktreeDir);
    expect(store.get('job-left')).toMatchObject({ status: 'completed', worktreeDir: null, tempDir: null });
    expect(store.finishedWithLeftovers()).toEqual([]);
  });

  it('stay recorded after a teardown that removed only part of them, and are forgotten once gone', async () => {
    const store = new JobStore(openDatabase(path.join(dir, 'jobs.sqlite')));
    const { worktreeDir, tempDir } = finishedJobWithLeftovers(store, 'job-part');
    rmSync(tempDir, { recursive: true });
    await forgetRemovedLeftovers(store, 'job-part');
    expect(store.get('job-part')?.worktreeDir).toBe(worktreeDir);

    rmSync(worktreeDir, { recursive: true });
    await forgetRemovedLeftovers(store, 'job-part');
    expect(store.get('job-part')).toMatchObject({ worktreeDir: null, tempDir: null });
  });
});

describe('Teardown', () => {
  it('gives a step its own time limit (deleting folders), and cuts off a step that hangs', async () => {
    warnings.length = 0;
    const ran: string[] = [];
    const teardown = new Teardown();
    teardown.add('hangs', () => new Promise(() => {}));
    teardown.add(
      'slow removal',
      () => new Promise<void>((resolve) => setTimeout(() => resolve(void ran.push('slow removal')), 300)),
      { timeoutMs: 30_000 },
    );
    await teardown.run(logger, 50);
    expect(ran).toEqual(['slow removal']);
    expect(warnings).toEqual(['cleanup: hangs failed: timed out after 0.05 s']);
  });
});
