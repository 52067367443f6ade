// The pipeline as a whole (runJob) on real repositories, processes, Chromium and SQLite: what is left
// after a job, how a cancel is reported, and what the stored history may contain.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/errors.js';
import { type Db, openDatabase } from '../../src/jobs/db.js';
import { newJobId } from '../../src/jobs/ids.js';
import { runJob } from '../../src/jobs/runJob.js';
import { type JobRecord, JobStore } from '../../src/jobs/store.js';
import { silentLogger } from '../../src/log.js';
import { type AppPaths, artifactsDir, jobsDbPath } from '../../src/paths.js';
import { registerSecret } from '../../src/redact.js';
import { createGitRepo, type GitRepo } from '../helpers/gitRepo.js';
import { hasProc, killMarked, processesWithMarker } from '../helpers/processes.js';

interface Env {
  root: string;
  paths: AppPaths;
  db: Db;
  store: JobStore;
}

const envs: Env[] = [];
const repos: GitRepo[] = [];
const jobIds: string[] = [];

afterEach(() => {
  for (const id of jobIds.splice(0)) if (hasProc) killMarked(id);
});
afterAll(async () => {
  for (const e of envs) {
    e.db.close();
    await rm(e.root, { recursive: true, force: true });
  }
  for (const r of repos) await r.cleanup();
});

async function setup(prefix = 'myfav-test-job-'): Promise<Env> {
  const root = await realpath(await mkdtemp(path.join(tmpdir(), prefix)));
  const paths: AppPaths = {
    data: path.join(root, 'data'),
    cache: path.join(root, 'cache'),
    config: path.join(root, 'config'),
  };
  const db = openDatabase(jobsDbPath(paths));
  const env = { root, paths, db, store: new JobStore(db) };
  envs.push(env);
  return env;
}

async function repoWith(files: Record<string, string>): Promise<GitRepo> {
  const repo = await createGitRepo({ files: { 'README.md': '# app\n' }, branches: { 'feature/x': files } });
  repos.push(repo);
  return repo;
}

function newJob(env: Env, repo: GitRepo): JobRecord {
  const id = newJobId();
  jobIds.push(id);
  return env.store.create({
    id,
    request: {
      input: repo.path,
      target: { kind: 'local', repoPath: repo.path, headRef: 'feature/x' },
      settings: {},
      agent: { enabled: false },
    },
    artifactDir: artifactsDir(env.paths, id),
    status: 'running',
  });
}

const run = (env: Env, job: JobRecord, signal = new AbortController().signal) =>
  runJob(job, { paths: env.paths, store: env.store, logger: silentLogger }, { signal });

describe('runJob', () => {
  it.skipIf(!hasProc)(
    'stops what the install started outside its process group once the job is over',
    async () => {
      // A postinstall that starts a watcher/daemon in a session of its own (setsid): it is not in the
      // install's process group, but it is the job's and must not outlive it.
      const repo = await repoWith({
        'index.html': '<!doctype html><title>ok</title><h1>ok</h1>',
        'daemon.js':
          "require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' }).unref();\n",
        '.myfav-coworker.json': JSON.stringify({ install: 'node daemon.js' }),
      });
      const env = await setup();
      const job = newJob(env, repo);
      const report = await run(env, job);
      expect(report.status, JSON.stringify(report.error)).toBe('completed');
      expect(report.app?.installCommand).toBe('node daemon.js');
      expect(processesWithMarker(job.id)).toEqual([]);
    },
    60_000,
  );

  it('ends a job cancelled while git runs as cancelled, not as a git failure', async () => {
    const repo = await repoWith({ 'index.html': '<h1>x</h1>' });
    const env = await setup();
    const job = newJob(env, repo);
    // Ctrl-C (or cancel_simulation) during the checkout: git is killed by the signal.
    const controller = new AbortController();
    controller.abort(new CancelledError('Cancelled (SIGINT).'));
    const report = await run(env, job, controller.signal);
    expect(report.status).toBe('cancelled');
    expect(report.error).toMatchObject({ code: 'CANCELLED', message: 'Cancelled (SIGINT).' });
    expect(env.store.get(job.id)?.status).toBe('cancelled');
    for (const sub of ['worktrees', 'tmp']) {
      const dir = path.join(env.paths.cache, sub);
      expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    }
  });

  it('keeps secrets a page shows out of the job history and the returned report, as out of report.json', async () => {
    // A token the keychain gave us (registered when read) and one that merely looks like a GitHub token,
    // both printed by the app under test (an error page that echoes its configuration, say).
    const stored = `kc${randomBytes(12).toString('hex')}`;
    registerSecret(stored);
    const lookalike = `ghp_${'FAKElook'.repeat(4)}`;
    const repo = await repoWith({
      'index.html': `<!doctype html><title>token ${lookalike}</title><h1>hi</h1>
<script>console.error('request failed with token ${stored}');</script>`,
    });
    // A data folder whose name looks like a token (a CI user's home): paths to our files stay usable.
    const env = await setup('myfav-test-ghs_deployment-');
    const job = newJob(env, repo);
    const report = await run(env, job);
    expect(report.status, JSON.stringify(report.error)).toBe('completed');
    const reportMd = path.join(job.artifactDir, 'report.md');
    expect(report.artifacts.reportMd).toBe(reportMd);
    expect(env.store.report(job.id)?.artifacts.reportMd).toBe(reportMd);
    expect(existsSync(reportMd)).toBe(true);
    // The crawl did see both (so there was something to keep out).
    expect(report.findings.map((f) => f.kind)).toContain('console-error');
    expect(report.pages[0]?.title).toMatch(/^token ghp_/);

    const dbFile = jobsDbPath(env.paths);
    const places: Record<string, string> = {
      'the returned report (simulate --json, MCP)': JSON.stringify(report),
      'the stored report (show --json)': JSON.stringify(env.store.report(job.id)),
      'jobs.sqlite': (await readFile(dbFile)).toString('latin1'),
      'jobs.sqlite-wal': existsSync(`${dbFile}-wal`)
        ? (await readFile(`${dbFile}-wal`)).toString('latin1')
        : '',
      'report.json': await readFile(report.artifacts.reportJson, 'utf8'),
    };
    for (const [where, text] of Object.entries(places)) {
      expect(text.includes(stored), `${where} holds the stored token`).toBe(false);
      expect(text.includes(lookalike), `${where} holds the token-like text`).toBe(false);
    }
  }, 60_000);
});
