// launchApp against real processes, ports and files: tiny node servers written into temp dirs.

import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectApp } from '../../src/app/detect.js';
import { launchApp } from '../../src/app/launch.js';
import type { AppPlan, RunningApp } from '../../src/app/types.js';
import { defaultSettings } from '../../src/config/schema.js';
import { CancelledError, CoworkerError } from '../../src/errors.js';
import {
  answersWith,
  hasProc,
  isAlive,
  killMarked,
  processesWithMarker,
  waitForNoProcesses,
} from '../helpers/processes.js';
import { noSandbox } from '../helpers/sandbox.js';

let work: string;
let appDir: string;
let jobId: string;
const running: RunningApp[] = [];
const foreign: http.Server[] = [];

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'myfav-launch-'));
  appDir = path.join(work, 'app');
  await mkdir(appDir);
  jobId = `test-${randomUUID()}`;
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
  await Promise.all(foreign.splice(0).map((s) => new Promise((r) => s.close(r))));
  if (hasProc) killMarked(jobId);
  await rm(work, { recursive: true, force: true });
});

const logFile = () => path.join(work, 'logs', 'app.log');

function plan(startCommand: string, extra: Partial<AppPlan> = {}): AppPlan {
  return {
    dir: appDir,
    relDir: '',
    dirReason: 'test',
    kind: 'node',
    installCommand: null,
    startCommand,
    ...extra,
  };
}

async function launch(
  p: AppPlan,
  opts: { readyTimeoutMs?: number; signal?: AbortSignal; stopGraceMs?: number } = {},
) {
  const app = await launchApp(p, {
    sandbox: noSandbox,
    jobId,
    home: path.join(work, 'home'),
    logFile: logFile(),
    readyTimeoutMs: opts.readyTimeoutMs ?? 15_000,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.stopGraceMs ? { stopGraceMs: opts.stopGraceMs } : {}),
  });
  running.push(app);
  return app;
}

async function launchError(p: AppPlan, opts: Parameters<typeof launch>[1] = {}): Promise<CoworkerError> {
  try {
    await launch(p, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(CoworkerError);
    return err as CoworkerError;
  }
  throw new Error('expected launchApp to fail');
}

/** A server in this test process: "someone else" from the app's point of view. */
async function startForeignServer(port = 0): Promise<number> {
  const server = http.createServer((_req, res) => res.end('not your app'));
  foreign.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const serverJs = `
const http = require('node:http');
http.createServer((req, res) => res.end('hello from app at ' + req.url))
  .listen(Number(process.env.PORT), process.env.HOST, () => console.log('listening on ' + process.env.PORT));
`;

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

async function waitForLog(text: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(existsSync(logFile()) && readFileSync(logFile(), 'utf8').includes(text))) {
    if (Date.now() > deadline) throw new Error(`"${text}" never appeared in the app log`);
    await sleep(25);
  }
}

describe('launchApp', () => {
  it.runIf(hasProc)(
    'starts the app on a free port, waits until it answers, and stop() leaves nothing behind',
    async () => {
      await writeFile(path.join(appDir, 'server.js'), serverJs);
      const app = await launch(plan('node server.js', { url: '/app' }));
      const port = Number(new URL(app.url).port);
      expect(app.url).toBe(`http://127.0.0.1:${port}/app`);
      expect(app.origin).toBe(`http://127.0.0.1:${port}`);
      expect(await get(app.url)).toEqual({ status: 200, body: 'hello from app at /app' });
      expect(app.pgid).toBeGreaterThan(0);
      expect(processesWithMarker(jobId).length).toBeGreaterThan(0);
      // The app's own output went to the log file, not to our stdout.
      expect(readFileSync(logFile(), 'utf8')).toContain(`listening on ${port}`);

      await app.stop();
      expect(await answersWith(app.url, 'hello from app')).toBe(false);
      expect(processesWithMarker(jobId)).toEqual([]);
      await app.stop(); // idempotent
    },
  );

  it('accepts an app that ignores HOST and listens on all interfaces (IPv6 wildcard socket)', async () => {
    await writeFile(
      path.join(appDir, 'server.js'),
      `require('node:http').createServer((q, r) => r.end('dual stack')).listen(Number(process.env.PORT));`,
    );
    const app = await launch(plan('node server.js'));
    expect((await get(app.url)).body).toBe('dual stack');
  });

  it.runIf(hasProc)(
    'runs a detected `npm run start` app and kills npm, the shell and node on stop',
    async () => {
      await writeFile(path.join(appDir, 'server.js'), serverJs);
      await writeFile(
        path.join(appDir, 'package.json'),
        JSON.stringify({ scripts: { start: 'node server.js' } }),
      );
      const detected = await detectApp(appDir, [], defaultSettings);
      expect(detected).toMatchObject({ startCommand: 'npm run start', installCommand: null });
      const app = await launch(detected);
      expect((await get(app.url)).body).toBe('hello from app at /');
      await app.stop();
      expect(await answersWith(app.url, 'hello from app')).toBe(false);
      expect(processesWithMarker(jobId)).toEqual([]);
    },
  );

  it('fails fast with APP_EXITED and the app’s own error line when it exits before answering', async () => {
    await writeFile(
      path.join(appDir, 'server.js'),
      `console.error('Error: DATABASE_URL is not set'); process.exit(3);`,
    );
    const started = Date.now();
    const err = await launchError(plan('node server.js'), { readyTimeoutMs: 30_000 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(err.code).toBe('APP_EXITED');
    expect(err.message).toContain('exited with code 3');
    expect(err.message).toContain('Error: DATABASE_URL is not set');
    expect(err.hint).toContain('--start');
    expect(err.hint).toContain(logFile());
  });

  it.runIf(hasProc)('gives up with APP_NOT_READY after the ready timeout and kills the app', async () => {
    await writeFile(
      path.join(appDir, 'server.js'),
      `console.log('compiling forever'); setInterval(() => {}, 1000);`,
    );
    const started = Date.now();
    const err = await launchError(plan('node server.js'), { readyTimeoutMs: 2000 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(8000);
    expect(err.code).toBe('APP_NOT_READY');
    expect(err.message).toContain('within 2 s');
    expect(err.message).toContain('compiling forever');
    expect(err.hint).toMatch(/--url/);
    expect(err.hint).toMatch(/--ready-timeout/);
    expect(await waitForNoProcesses(jobId, 5000)).toEqual([]);
  });

  it('refuses an absolute --url whose port another server already holds, before starting anything', async () => {
    const port = await startForeignServer();
    await writeFile(path.join(appDir, 'server.js'), serverJs);
    const err = await launchError(plan('node server.js', { url: `http://127.0.0.1:${port}/` }));
    expect(err.code).toBe('PORT_TAKEN');
    expect(err.message).toContain(`Port ${port}`);
    expect(err.message).toContain('another process');
    expect(existsSync(logFile())).toBe(false); // the app was never started
  });

  it.runIf(hasProc)(
    'refuses a server that appears on the --url port but is not ours (no silent test of the wrong app)',
    async () => {
      const port = await startForeignServer();
      await new Promise((r) => foreign.pop()!.close(r)); // free again: the up-front check passes
      // The app never listens; "someone else" takes its port while we wait for it.
      await writeFile(path.join(appDir, 'server.js'), `console.log('booting'); setInterval(() => {}, 1000);`);
      const launching = launchError(plan('node server.js', { url: `http://127.0.0.1:${port}/` }), {
        readyTimeoutMs: 15_000,
      });
      await waitForLog('booting');
      await startForeignServer(port);
      const err = await launching;
      expect(err.code).toBe('PORT_TAKEN');
      expect(err.message).toContain(`port ${port}`);
      expect(err.message).toContain('not the app we started');
      expect(await waitForNoProcesses(jobId, 5000)).toEqual([]);
    },
  );

  it('fails when the app ignores PORT and its fixed port is held by another server', async () => {
    const taken = await startForeignServer();
    await writeFile(
      path.join(appDir, 'server.js'),
      `require('node:http').createServer((q, r) => r.end('app')).listen(${taken}, '127.0.0.1');`,
    );
    const err = await launchError(plan('node server.js'), { readyTimeoutMs: 10_000 });
    expect(err.code).toBe('APP_EXITED');
    expect(err.message).toContain('EADDRINUSE');
    // The other server is untouched.
    expect((await get(`http://127.0.0.1:${taken}/`)).body).toBe('not your app');
  });

  it.runIf(hasProc)('kills a grandchild that ignores SIGTERM', async () => {
    await writeFile(
      path.join(appDir, 'server.js'),
      `
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const stubborn = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
fs.writeFileSync('grandchild.pid', String(stubborn.pid));
${serverJs}`,
    );
    const app = await launch(plan('node server.js'), { stopGraceMs: 1000 });
    const grandchild = Number(readFileSync(path.join(appDir, 'grandchild.pid'), 'utf8'));
    expect(isAlive(grandchild)).toBe(true);
    await app.stop();
    expect(isAlive(grandchild)).toBe(false);
    expect(await answersWith(app.url, 'hello from app')).toBe(false);
    expect(processesWithMarker(jobId)).toEqual([]);
  });

  it.runIf(hasProc)('kills a grandchild that left the process group (found by the job marker)', async () => {
    await writeFile(
      path.join(appDir, 'server.js'),
      `
const { spawn } = require('node:child_process');
const escaped = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true });
escaped.unref();
require('node:fs').writeFileSync('escaped.pid', String(escaped.pid));
${serverJs}`,
    );
    const app = await launch(plan('node server.js'));
    const escaped = Number(readFileSync(path.join(appDir, 'escaped.pid'), 'utf8'));
    expect(isAlive(escaped)).toBe(true);
    await app.stop();
    expect(isAlive(escaped)).toBe(false);
  });

  it.runIf(hasProc)('stops waiting when cancelled: CancelledError, and the app is killed', async () => {
    await writeFile(
      path.join(appDir, 'server.js'),
      `console.log('slow start'); setInterval(() => {}, 1000);`,
    );
    const controller = new AbortController();
    const launching = launch(plan('node server.js'), { signal: controller.signal, readyTimeoutMs: 30_000 });
    await waitForLog('slow start');
    const abortedAt = Date.now();
    controller.abort();
    await expect(launching).rejects.toBeInstanceOf(CancelledError);
    expect(Date.now() - abortedAt).toBeLessThan(5000);
    expect(processesWithMarker(jobId)).toEqual([]);
  });

  // An app that accepts connections and never answers: each readiness probe hangs until its own time
  // limit. On SIGTERM it says, a moment later, how many of our connections are still open.
  const silentServerJs = `
const net = require('node:net');
let open = 0;
net.createServer((socket) => {
  open++;
  console.log('probe connected');
  socket.resume(); // read the request (else its end, and so the close, is never seen)
  socket.on('close', () => open--);
}).listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => setTimeout(() => { console.log('stopped with ' + open + ' open'); process.exit(0); }, 300));
`;

  it.runIf(hasProc)(
    'a cancel ends a hanging probe: its connection is closed before the app is stopped',
    async () => {
      await writeFile(path.join(appDir, 'server.js'), silentServerJs);
      const controller = new AbortController();
      const launching = launch(plan('node server.js'), { signal: controller.signal, readyTimeoutMs: 30_000 });
      await waitForLog('probe connected');
      controller.abort();
      await expect(launching).rejects.toBeInstanceOf(CancelledError);
      expect(readFileSync(logFile(), 'utf8')).toContain('stopped with 0 open');
      expect(processesWithMarker(jobId)).toEqual([]);
    },
  );

  it.runIf(hasProc)(
    'the ready timeout also bounds a hanging probe: APP_NOT_READY says so, nothing left',
    async () => {
      await writeFile(path.join(appDir, 'server.js'), silentServerJs);
      const err = await launchError(plan('node server.js'), { readyTimeoutMs: 1500 });
      expect(err.code).toBe('APP_NOT_READY');
      expect(err.message).toMatch(/within 2 s \(last attempt: no answer within \d+ ms;/);
      expect(readFileSync(logFile(), 'utf8')).toContain('probe connected');
      expect(readFileSync(logFile(), 'utf8')).toContain('stopped with 0 open');
      expect(await waitForNoProcesses(jobId, 5000)).toEqual([]);
    },
  );

  it('gives the app a private HOME and no secrets from our environment', async () => {
    await writeFile(
      path.join(appDir, 'server.js'),
      `require('node:http').createServer((q, r) => r.end(JSON.stringify(process.env))).listen(Number(process.env.PORT), process.env.HOST);`,
    );
    // Fake, and written in two parts so no committed line has a real token's shape (secret scanners).
    process.env.GH_TOKEN = `ghp_${'testtokentesttokentesttoken1234'}`;
    try {
      const app = await launch(plan('node server.js'));
      const env = JSON.parse((await get(app.url)).body) as Record<string, string>;
      expect(env.GH_TOKEN).toBeUndefined();
      expect(env.HOME).toBe(path.join(work, 'home'));
      expect(env.MYFAV_JOB_ID).toBe(jobId);
      expect(env.BROWSER).toBe('none');
    } finally {
      delete process.env.GH_TOKEN;
    }
  });

  it('serves a static site with the built-in server', async () => {
    await writeFile(path.join(appDir, 'index.html'), '<h1>static</h1>');
    const app = await launch({
      ...plan(''),
      startCommand: null,
      kind: 'static',
      staticRoot: appDir,
      url: '/',
    });
    expect(app.pgid).toBeUndefined();
    expect(await get(app.url)).toEqual({ status: 200, body: '<h1>static</h1>' });
    await app.stop();
    expect(await answersWith(app.url, '<h1>static</h1>')).toBe(false);
  });
});
