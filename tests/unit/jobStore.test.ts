import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/jobs/db.js';
import type { SimulationRequest } from '../../src/jobs/request.js';
import { JobStore } from '../../src/jobs/store.js';
import type { Report } from '../../src/report/model.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'myfav-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const request: SimulationRequest = {
  input: './repo',
  target: { kind: 'local', repoPath: '/tmp/repo', headRef: 'feature/x' },
  settings: {},
  agent: { enabled: false },
};

function finished(id: string, artifactDir: string): Report {
  return {
    id,
    status: 'completed',
    verdict: 'fail',
    summary: 'Tested feature/x: fail.',
    target: null,
    app: null,
    findings: [],
    pages: [],
    brokenLinks: [],
    timings: { total: 1234, checkout: 100 },
    artifacts: { dir: artifactDir, reportJson: '', reportMd: '', reportHtml: '', screenshots: [] },
    createdAt: new Date().toISOString(),
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
  };
}

describe('JobStore', () => {
  it('keeps history across connections (a second process sees the same jobs)', () => {
    const file = path.join(dir, 'jobs.sqlite');
    const a = new JobStore(openDatabase(file));
    const b = new JobStore(openDatabase(file));
    a.create({ id: 'job-1', request, artifactDir: path.join(dir, 'a1'), status: 'running' });
    a.finish(finished('job-1', path.join(dir, 'a1')));
    const seen = b.get('job-1');
    expect(seen).toMatchObject({ status: 'completed', verdict: 'fail', targetInput: './repo', request });
    expect(b.report('job-1')?.timings.total).toBe(1234);
  });

  it('lets exactly one of two stores claim a queued job', () => {
    const file = path.join(dir, 'jobs.sqlite');
    const a = new JobStore(openDatabase(file));
    const b = new JobStore(openDatabase(file));
    a.create({ id: 'q1', request, artifactDir: dir, status: 'queued' });
    const claims = [a.claim('q1'), b.claim('q1')];
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(a.get('q1')?.status).toBe('running');
  });

  it('finds jobs by unambiguous prefix, lists newest first, filters by status', () => {
    const store = new JobStore(openDatabase(path.join(dir, 'jobs.sqlite')));
    store.create({ id: 'abcd-0001', request, artifactDir: dir, status: 'running' });
    store.create({ id: 'abcd-0002', request, artifactDir: dir, status: 'queued' });
    store.create({ id: 'zzzz-0003', request, artifactDir: dir, status: 'queued' });
    expect(store.find('abcd')).toBe('ambiguous');
    expect(
      store
        .withPrefix('abcd')
        .map((j) => j.id)
        .sort(),
    ).toEqual(['abcd-0001', 'abcd-0002']);
    expect(store.find('zzzz')).toMatchObject({ id: 'zzzz-0003' });
    expect(store.find('nope-1234')).toBeUndefined();
    expect(store.find('abcd_%')).toBeUndefined();
    expect(
      store
        .list({ status: 'queued' })
        .map((j) => j.id)
        .sort(),
    ).toEqual(['abcd-0002', 'zzzz-0003']);
    expect(store.list({ limit: 1 })).toHaveLength(1);
    // The one lookup both faces use: the candidates of an ambiguous prefix, the face's hint for none.
    expect(() => store.lookup(' abcd ', 'hint')).toThrow(
      /"abcd" matches more than one job: abcd-000\d .*; abcd-000\d/,
    );
    expect(() => store.lookup('nope-1234', 'List the jobs with X.')).toThrow(
      expect.objectContaining({ code: 'JOB_NOT_FOUND', hint: 'List the jobs with X.' }),
    );
    expect(store.lookup(' zzzz ', 'hint').id).toBe('zzzz-0003');
  });

  it('marks running jobs of dead owners interrupted and leaves live owners alone', () => {
    const store = new JobStore(openDatabase(path.join(dir, 'jobs.sqlite')));
    store.create({ id: 'mine', request, artifactDir: dir, status: 'running' });
    store.create({ id: 'other', request, artifactDir: dir, status: 'running' });
    store.update('mine', { phase: 'launch', appPgid: 4242, worktreeDir: '/tmp/wt' });
    const orphans = store.markInterrupted((pid) => pid === process.pid);
    expect(orphans).toEqual([]);
    const dead = store.markInterrupted(() => false);
    expect(dead.map((j) => j.id).sort()).toEqual(['mine', 'other']);
    expect(store.get('mine')).toMatchObject({
      status: 'interrupted',
      appPgid: 4242,
      error: { code: 'INTERRUPTED', message: expect.stringContaining('during launch') },
    });
    store.clearLeftovers('mine');
    expect(store.get('mine')).toMatchObject({ appPgid: null, worktreeDir: null });
  });

  it('migrates a fresh file to the current schema and refuses a newer one', () => {
    const file = path.join(dir, 'jobs.sqlite');
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer myfav-coworker/);
  });
});

describe('isProcessAlive', () => {
  it.runIf(process.platform === 'linux')(
    'counts a killed process that its parent has not reaped yet (a zombie) as dead',
    async () => {
      const { spawn } = await import('node:child_process');
      const { readFileSync } = await import('node:fs');
      const { isProcessAlive } = await import('../../src/jobs/recovery.js');
      // `sleep 30` gets a parent that never reaps children (sh exec'd into `sleep 5`).
      const parent = spawn('sh', ['-c', 'sleep 30 & echo $!; exec sleep 5']);
      try {
        const pid = await new Promise<number>((resolve) =>
          parent.stdout.once('data', (d) => resolve(Number(String(d).trim()))),
        );
        expect(isProcessAlive(pid)).toBe(true);
        process.kill(pid, 'SIGKILL');
        await new Promise((r) => setTimeout(r, 200));
        const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
        expect(state).toBe('Z'); // the situation under test: killed, not reaped
        expect(isProcessAlive(pid)).toBe(false);
      } finally {
        parent.kill('SIGKILL');
      }
    },
  );
});
