// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} are the config's own placeholders
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFullstackRepo } from '../../fixtures/buildFullstackRepo.js';
import { findProgram } from '../../src/app/services/programs.js';
import type { Report } from '../../src/report/model.js';
import { leftoversIn, reportFromJson, runCli, spawnCli, tempHome } from '../helpers/cli.js';
import { createGitRepo } from '../helpers/gitRepo.js';
import { exitOf, processesWithMarker, waitForExit } from '../helpers/processes.js';

// A full-stack app as a user runs it: MariaDB (seeded), a FastAPI API and a frontend, described by
// the repository's .myfav-coworker.json "services", started by the real binary inside the sandbox.
// Needs mariadb-server, python3-fastapi, python3-uvicorn and python3-pymysql (scripts/with-setup.sh).
let work: string;
let repo: string;
const home = tempHome();

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'myfav-test-fullstack-'));
  repo = (await buildFullstackRepo(path.join(work, 'shop'))).repoPath;
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  home.cleanup();
});

/** Database, API and frontend processes started for this test's home (by command line or folder). */
function stackProcesses(): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (!/mariadbd|mariadb-install-db|uvicorn|redis-server|postgres|server\.js/.test(cmdline)) continue;
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cmdline.includes(home.dir) || cwd.startsWith(home.dir)) found.push(`${entry} ${cmdline}`);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** The real binary simulating `target` (the shop by default), without the agent, as JSON. */
async function simulate(
  args: string[],
  target = repo,
): Promise<{ code: number | null; report: Report; stderr: string }> {
  const r = await runCli(['simulate', target, ...args, '--json', '--no-agent'], {
    home: home.dir,
    timeoutMs: 280_000,
  });
  expect(r.stdout.trim().startsWith('{'), r.stderr).toBe(true);
  return { code: r.code, report: reportFromJson(r.stdout), stderr: r.stderr };
}

function expectNothingLeft(report: Report): void {
  expect(processesWithMarker(report.id)).toEqual([]);
  expect(stackProcesses()).toEqual([]);
  expect(leftoversIn(home.dir)).toEqual([]);
}

describe('a full-stack app (database + API + frontend from "services")', () => {
  it('passes main, and fails a branch breaking an API route with the 500 and the traceback — two jobs at once, the second with its base beside it', async () => {
    const [main, broken] = await Promise.all([
      simulate(['--head', 'main', '--no-compare-base']),
      simulate(['--head', 'broken-route', '--base', 'main']),
    ]);

    expect(main.report.error).toBeUndefined();
    expect(main.report).toMatchObject({ status: 'completed', verdict: 'pass' });
    expect(main.code).toBe(0);
    expect(main.report.pages.map((p) => p.path)).toEqual(
      expect.arrayContaining(['/', '/product.html?id=1', '/product.html?id=2']),
    );
    // Each service was started in order, health-checked and logged on its own.
    expect(main.stderr).toMatch(/db: ready on port \d+[\s\S]*api: ready on port \d+[\s\S]*app answers at/);
    expect(main.report.notes).toEqual(
      expect.arrayContaining([expect.stringContaining('Started 2 services before the app: db, api')]),
    );
    for (const log of ['services/db.log', 'services/api.log', 'app.log'])
      expect(readFileSync(path.join(main.report.artifacts.dir, log), 'utf8')).not.toBe('');

    expect(broken.report).toMatchObject({ status: 'completed', verdict: 'fail' });
    expect(broken.code).toBe(1);
    const errors = broken.report.findings.filter((f) => f.severity === 'error');
    expect(errors).toEqual([
      expect.objectContaining({ kind: 'failed-request', title: 'GET /api/products returned HTTP 500' }),
    ]);
    const evidence = errors[0]!.evidence.join('\n');
    // The API's own side of the 500: its traceback, from its log, down to the branch's line.
    expect(evidence).toContain('services/api.log');
    expect(evidence).toMatch(/Traceback \(most recent call last\):/);
    expect(evidence).toMatch(/api\/app\/main\.py", line \d+, in list_products/);
    expect(evidence).toMatch(/OperationalError: \(1054, "Unknown column 'price'/);
    // The base ran beside the head with its own services (own ports, data dirs and logs).
    expect(broken.report.comparison).toMatchObject({ cached: false, url: expect.stringMatching(/^http:/) });
    expect(
      errors[0]?.origin,
      JSON.stringify({
        findings: broken.report.findings,
        notes: broken.report.notes,
        note: broken.report.comparisonNote,
      }),
    ).toBe('new');
    expect(readFileSync(path.join(broken.report.artifacts.dir, 'base/services/db.log'), 'utf8')).toMatch(
      /ready for connections/,
    );

    expectNothingLeft(main.report);
    expectNothingLeft(broken.report);
  }, 300_000);

  it('fails a branch breaking a migration at start-up with the database log tail', async () => {
    const { code, report } = await simulate(['--head', 'broken-migration', '--base', 'main']);
    expect(report.status).toBe('error');
    expect(code).toBe(2);
    expect(report.error?.code).toBe('SERVICE_FAILED');
    expect(report.error?.message).toMatch(/The seed of service "db" exited with code 1/);
    // The tail of services/db.log: the server's own lines, then the seed's error.
    expect(report.error?.message).toMatch(/ready for connections/);
    expect(report.error?.message).toMatch(/ERROR 1064 \(42000\)[^\n]*SQL syntax/);
    expect(report.error?.hint).toContain(path.join(report.artifacts.dir, 'services', 'db.log'));
    expectNothingLeft(report);
  }, 300_000);

  it('runs the same app described only by a docker-compose.yml, without Docker', async () => {
    const { code, report, stderr } = await simulate(['--head', 'compose-only', '--no-compare-base']);
    expect(report.error).toBeUndefined();
    expect(report).toMatchObject({ status: 'completed', verdict: 'pass' });
    expect(code).toBe(0);
    expect(stderr).toContain('settings from docker-compose.yml (run without Docker)');
    const notes = (report.notes ?? []).join('\n');
    expect(notes).toContain(
      'docker-compose.yml run without Docker: 3 services mapped to local programs (the browser opens "web")',
    );
    expect(notes).toContain('db: image mariadb:10.11 → the local MariaDB/MySQL server');
    // The API found its database through the rewritten DB_HOST/DB_PORT: the products loaded.
    expect(report.pages.map((p) => p.path)).toEqual(expect.arrayContaining(['/', '/product.html?id=1']));
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expectNothingLeft(report);
  }, 300_000);

  it('runs a compose file’s redis image as the local redis-server: the page counts its visits in it', async () => {
    // The page is served only once Redis answered INCR (RESP over a plain socket): a 500 otherwise.
    const web = [
      "const net = require('node:net');",
      "require('node:http').createServer((q, s) => {",
      '  const url = new URL(process.env.REDIS_URL);',
      "  const c = net.connect(Number(url.port), url.hostname, () => c.write('*2\\r\\n$4\\r\\nINCR\\r\\n$6\\r\\nvisits\\r\\n'));",
      "  c.once('data', (d) => { c.end(); const n = /^:(\\d+)/.exec(String(d)); s.statusCode = n ? 200 : 500; s.setHeader('content-type', 'text/html'); s.end('<!doctype html><html lang=en><title>Visits</title><main><h1>Visits: ' + (n ? n[1] : 'none') + '</h1></main></html>'); });",
      "  c.on('error', (e) => { console.error('web: redis: ' + e.message); s.statusCode = 500; s.end('redis down'); });",
      "}).listen(process.env.PORT, '127.0.0.1');",
    ].join('\n');
    const redisRepo = await createGitRepo({
      files: {
        'docker-compose.yml': [
          'services:',
          '  cache:',
          '    image: redis:7-alpine',
          '  web:',
          '    build: .',
          '    command: node server.js',
          '    ports: ["3000:3000"]',
          '    environment: { REDIS_URL: "redis://cache:6379" }',
          '    depends_on: [cache]',
        ].join('\n'),
        'server.js': web,
      },
    });
    try {
      const r = await simulate(['--head', 'main', '--no-compare-base'], redisRepo.path);
      const report = r.report;
      expect(report, JSON.stringify(report.error)).toMatchObject({ status: 'completed', verdict: 'pass' });
      expect((report.notes ?? []).join('\n')).toContain(
        'cache: image redis:7-alpine → the local Redis server',
      );
      expect(report.pages.map((p) => [p.path, p.status, p.title])).toEqual([['/', 200, 'Visits']]);
      expect(readFileSync(path.join(report.artifacts.dir, 'services', 'cache.log'), 'utf8')).toMatch(
        /Ready to accept connections/,
      );
      expectNothingLeft(report);
    } finally {
      await redisRepo.cleanup();
    }
  }, 300_000);

  it('runs a compose file’s postgres image as the local PostgreSQL, as an unprivileged user also when we are root', async () => {
    const psql = findProgram('psql');
    if (!psql || !findProgram('postgres') || !findProgram('initdb'))
      expect.fail('this test needs PostgreSQL (scripts/with-setup.sh installs postgresql)');
    // The page lists the rows the image's init script inserted, read with psql (no npm client needed).
    const web = [
      "const { execFile } = require('node:child_process');",
      "require('node:http').createServer((q, s) => {",
      "  execFile(process.env.PSQL, ['-tA', '-h', process.env.DB_HOST, '-p', process.env.DB_PORT, '-U', 'shop', '-d', 'shop', '-c', 'select name from items order by id'], (err, out, stderr) => {",
      "    if (err) { console.error('web: psql: ' + stderr); s.statusCode = 500; return s.end('db down'); }",
      "    s.setHeader('content-type', 'text/html');",
      "    s.end('<!doctype html><html lang=en><title>' + out.trim().split('\\n').join(', ') + '</title><main><h1>Items</h1></main></html>');",
      '  });',
      "}).listen(process.env.PORT, '127.0.0.1');",
    ].join('\n');
    const pgRepo = await createGitRepo({
      files: {
        'docker-compose.yml': [
          'services:',
          '  db:',
          '    image: postgres:16',
          '    environment: { POSTGRES_USER: shop, POSTGRES_DB: shop }',
          '    volumes: ["./db:/docker-entrypoint-initdb.d"]',
          '  web:',
          '    build: .',
          '    command: node server.js',
          '    ports: ["3000:3000"]',
          `    environment: { DB_HOST: db, DB_PORT: "5432", PSQL: ${JSON.stringify(psql)} }`,
          '    depends_on: [db]',
        ].join('\n'),
        'db/01-items.sql':
          "create table items (id int primary key, name text);\ninsert into items values (1, 'kettle'), (2, 'teapot');\n",
        'server.js': web,
      },
    });
    try {
      const r = await simulate(['--head', 'main', '--no-compare-base'], pgRepo.path);
      const report = r.report;
      expect(report, JSON.stringify(report.error)).toMatchObject({ status: 'completed', verdict: 'pass' });
      expect((report.notes ?? []).join('\n')).toContain(
        'db: image postgres:16 → the local PostgreSQL server',
      );
      expect(report.pages.map((p) => [p.path, p.status, p.title])).toEqual([['/', 200, 'kettle, teapot']]);
      expectNothingLeft(report);
    } finally {
      await pgRepo.cleanup();
    }
  }, 300_000);

  it.runIf(process.getuid?.() === 0)(
    'refuses, as root with --no-sandbox, to start a service that must not run as root, saying why',
    async () => {
      const rootRepo = await createGitRepo({
        files: {
          '.myfav-coworker.json': JSON.stringify({
            services: {
              db: { start: 'sleep 60', nonRoot: true },
              web: { start: 'node -e 0', dependsOn: ['db'], app: true },
            },
          }),
        },
      });
      try {
        const r = await runCli(
          ['simulate', rootRepo.path, '--head', 'main', '--no-sandbox', '--json', '--no-agent'],
          { home: home.dir, timeoutMs: 120_000 },
        );
        expect(r.code).not.toBe(0);
        expect(JSON.parse(r.stdout).error).toMatchObject({
          code: 'SERVICE_FAILED',
          message: expect.stringMatching(
            /The service "db" must not run as root \("nonRoot"\), and without the sandbox it would/,
          ),
          hint: expect.stringMatching(/Run with the sandbox/),
        });
        expect(leftoversIn(home.dir)).toEqual([]);
      } finally {
        await rootRepo.cleanup();
      }
    },
    120_000,
  );

  it('finds a FastAPI app without any config and quotes its traceback for a broken route', async () => {
    const page = (script: string) =>
      `from fastapi import FastAPI\nfrom fastapi.responses import HTMLResponse\n\nserver = FastAPI()\n\n\n@server.get("/", response_class=HTMLResponse)\ndef index():\n    return "<!doctype html><html lang=en><title>Hi</title><main><h1>Hello</h1><p id=n></p></main><script>${script}</script></html>"\n\n\n@server.get("/api/count")\ndef count():\n    return {"n": len(ITEMS)}\n`;
    const fetchCount =
      "fetch('/api/count').then(r => r.json()).then(j => { document.getElementById('n').textContent = j.n; })";
    const pyRepo = await createGitRepo({
      files: {
        'requirements.txt': 'fastapi\nuvicorn\n',
        'hello/__init__.py': '',
        'hello/main.py': `${page(fetchCount)}\nITEMS = [1, 2]\n`,
      },
      branches: { 'feature/count': { 'hello/main.py': page(fetchCount) } },
    });
    try {
      const r = await simulate(['--head', 'feature/count', '--base', 'main'], pyRepo.path);
      const report = r.report;
      expect(r.stderr).toContain('settings from a Python web app found in the repository');
      expect((report.notes ?? []).join('\n')).toMatch(
        /FastAPI app at the repository root \(server = FastAPI\(\) in hello\/main\.py\)/,
      );
      expect(report, JSON.stringify(report.error)).toMatchObject({ status: 'completed', verdict: 'fail' });
      const failed = report.findings.filter((f) => f.severity === 'error' && f.kind === 'failed-request');
      expect(failed.map((f) => f.title)).toEqual(['GET /api/count returned HTTP 500']);
      // The app is the Python server itself: its own log (app.log) holds the traceback.
      expect(failed[0]?.evidence.join('\n')).toMatch(/NameError: name 'ITEMS' is not defined/);
      expectNothingLeft(report);
    } finally {
      await pyRepo.cleanup();
    }
  }, 300_000);

  it('finds a Node backend beside the frontend without any config: its 500 is the change’s new problem', async () => {
    const api = (notes: string) =>
      `require('node:http').createServer((q, s) => { if (q.url !== '/api/notes') { s.statusCode = 404; return s.end(); } try { s.setHeader('content-type', 'application/json'); s.end(JSON.stringify(${notes})); } catch (e) { console.error('api: ' + e.stack); s.statusCode = 500; s.end(); } }).listen(process.env.PORT, '127.0.0.1');`;
    // The frontend's dev server: the page, and /api/* passed to the API at API_URL (as a Vite proxy would).
    const frontend = [
      "const http = require('node:http');",
      'const page = \'<!doctype html><html lang=en><title>Notes</title><main><h1>Notes</h1><ul id=n></ul></main><script>fetch("/api/notes").then(r => r.json()).then(l => { for (const t of l) document.getElementById("n").append(Object.assign(document.createElement("li"), { textContent: t })); });</script></html>\';',
      'http.createServer((q, s) => {',
      "  if (!q.url.startsWith('/api/')) { s.setHeader('content-type', 'text/html'); return s.end(page); }",
      "  http.get(process.env.API_URL + q.url, (r) => { s.writeHead(r.statusCode, r.headers); r.pipe(s); }).on('error', () => { s.statusCode = 502; s.end(); });",
      "}).listen(process.env.PORT, '127.0.0.1');",
    ].join('\n');
    const nodeRepo = await createGitRepo({
      files: {
        'server/package.json': JSON.stringify({
          name: 'api',
          private: true,
          scripts: { start: 'node server.js' },
        }),
        'server/server.js': api("['buy milk', 'ship it']"),
        'client/package.json': JSON.stringify({
          name: 'web',
          private: true,
          scripts: { dev: 'node server.js' },
        }),
        'client/server.js': frontend,
      },
      branches: { 'feature/notes': { 'server/server.js': api('NOTES.map(String)') } },
    });
    try {
      const r = await simulate(['--head', 'feature/notes', '--base', 'main'], nodeRepo.path);
      const report = r.report;
      expect(r.stderr).toContain('settings from a Node backend found beside the frontend');
      expect((report.notes ?? []).join('\n')).toMatch(
        /The API in server\/ \(server\/package\.json\), started with "npm run start" and PORT set to its port, beside the frontend in client\//,
      );
      expect(report.app?.dirReason).toBe('the folder of the app service "web"');
      expect(report, JSON.stringify(report.error)).toMatchObject({ status: 'completed', verdict: 'fail' });
      // On the base the same page loads its notes: the 500 is new in this change, with the API's error.
      const failed = report.findings.filter((f) => f.kind === 'failed-request');
      expect(failed.map((f) => [f.title, f.origin])).toEqual([['GET /api/notes returned HTTP 500', 'new']]);
      expect(failed[0]?.evidence.join('\n')).toMatch(
        /Server log \(services\/api\.log\): .*ReferenceError: NOTES is not defined/,
      );
      expectNothingLeft(report);
    } finally {
      await nodeRepo.cleanup();
    }
  }, 300_000);

  it('makes the run inconclusive, with the log tail, when a service dies during the crawl', async () => {
    const services = {
      worker: { start: 'node worker.js', ready: { url: '/health' } },
      web: {
        start: 'node web.js',
        env: { WORKER_URL: '${services.worker.url}' },
        dependsOn: ['worker'],
        app: true,
      },
    };
    const stackRepo = await createGitRepo({
      files: {
        '.myfav-coworker.json': JSON.stringify({ services }),
        // Healthy until the page is first loaded, then it exits (as a crashing queue worker would).
        'worker.js':
          "require('node:http').createServer((q, s) => { if (q.url === '/health') return s.end('ok'); console.error('worker: lost the queue, exiting'); s.end(); setTimeout(() => process.exit(3), 50); }).listen(process.env.PORT, '127.0.0.1');",
        'web.js':
          "const http = require('node:http'); http.createServer((q, s) => { if (q.url === '/') http.get(process.env.WORKER_URL + '/job', (r) => r.resume()).on('error', () => {}); s.setHeader('content-type', 'text/html'); s.end('<!doctype html><html lang=en><title>Jobs</title><main><h1>Jobs</h1></main></html>'); }).listen(process.env.PORT, '127.0.0.1');",
      },
    });
    try {
      const r = await simulate(['--head', 'main', '--no-compare-base'], stackRepo.path);
      const report = r.report;
      expect(report, JSON.stringify(report.error)).toMatchObject({
        status: 'completed',
        verdict: 'inconclusive',
      });
      expect(r.code).not.toBe(0);
      expect(report.incompleteReason).toMatch(
        /the service "worker" exited with code 3 during the run \(see services\/worker\.log\)/,
      );
      expect(report.incompleteReason).toContain('worker: lost the queue, exiting');
      expectNothingLeft(report);
    } finally {
      await stackRepo.cleanup();
    }
  }, 300_000);

  /** The CLI simulating main, once its database and API are up (the app is starting). */
  async function simulationWithServicesUp() {
    const child = spawnCli(['simulate', repo, '--head', 'main', '--no-compare-base', '--no-agent'], {
      home: home.dir,
    });
    let stderr = '';
    const servicesUp = new Promise<void>((resolve) =>
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/api: ready on port/.test(stderr)) resolve();
      }),
    );
    child.stdin.end();
    await Promise.race([servicesUp, new Promise((resolve) => child.once('exit', resolve))]);
    expect(stderr).toMatch(/api: ready on port/);
    expect(stackProcesses().length).toBeGreaterThan(0);
    return { child, jobId: /job (\S+):/.exec(stderr)?.[1], stderr: () => stderr };
  }

  it('stops every service on Ctrl-C (SIGINT) and reports the job cancelled', async () => {
    const { child, jobId, stderr } = await simulationWithServicesUp();
    child.kill('SIGINT');
    expect(await exitOf(child, 60_000)).toEqual({ code: 2, signal: null });
    expect(stderr()).toMatch(/cancel/i);
    expect(stackProcesses()).toEqual([]);
    expect(processesWithMarker(jobId!)).toEqual([]);
    expect(leftoversIn(home.dir)).toEqual([]);
  }, 300_000);

  it('leaves nothing running when the CLI is killed (kill -9) once the services are up, and the next run cleans up', async () => {
    const { child, jobId } = await simulationWithServicesUp();
    child.kill('SIGKILL');
    expect(await waitForExit(child.pid!, 10_000)).toBe(true);
    // Each service's sandbox dies with its parent (bubblewrap --die-with-parent): nothing outlives the CLI.
    const deadline = Date.now() + 15_000;
    while (stackProcesses().length > 0 && Date.now() < deadline) await sleep(200);
    expect(stackProcesses()).toEqual([]);
    // The next command marks the job interrupted and removes its data dirs and worktree.
    const jobs = await runCli(['jobs', '--json'], { home: home.dir });
    expect(JSON.parse(jobs.stdout)[0]).toMatchObject({ id: jobId, status: 'interrupted' });
    expect(leftoversIn(home.dir)).toEqual([]);
  }, 300_000);
});
