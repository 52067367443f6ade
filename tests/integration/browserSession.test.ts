// The browser session against real Chromium (found by discovery) and real HTTP servers on 127.0.0.1.
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { discoverBrowser } from '../../src/browser/discover.js';
import { launchErrorSummary, openBrowserSession } from '../../src/browser/session.js';
import type { BrowserExecutable } from '../../src/browser/types.js';
import { CancelledError, CoworkerError } from '../../src/errors.js';

interface TestServer {
  origin: string;
  /** Requests (and WebSocket upgrades) received, by path. */
  hits: string[];
  close(): Promise<void>;
}

async function serve(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  host = '127.0.0.1',
): Promise<TestServer> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    handler(req, res);
  });
  server.on('upgrade', (req, socket) => {
    hits.push(`upgrade ${req.url}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function html(res: http.ServerResponse, body: string, status = 200): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>t</title></head><body>${body}</body></html>`,
  );
}

/** Pids of the process and its descendants, from /proc. */
async function processTree(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null);
    // "pid (comm) state ppid ...": comm may contain spaces and parentheses.
    const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields?.[1]) parents.set(Number(entry), Number(fields[1]));
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat !== null && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/** Wait until none of the pids runs (Chromium's helpers exit a moment after the browser). */
async function runningAfter(pids: number[], ms = 5_000): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const running = [];
    for (const pid of pids) if (await isRunning(pid)) running.push(pid);
    if (running.length === 0 || Date.now() > deadline) return running;
    await new Promise((r) => setTimeout(r, 100));
  }
}

let executable: BrowserExecutable;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

beforeAll(async () => {
  executable = await discoverBrowser();
});

async function session(origin: string, extra: Partial<Parameters<typeof openBrowserSession>[0]> = {}) {
  const s = await openBrowserSession({ executable, origin, ...extra });
  cleanups.push(() => s.close());
  return s;
}

async function server(handler: Parameters<typeof serve>[0]): Promise<TestServer> {
  const s = await serve(handler);
  cleanups.push(() => s.close());
  return s;
}

describe('openBrowserSession: origin restriction', () => {
  it('lets the app and allowed origins through and blocks every other origin, WebSockets included', async () => {
    const other = await server((_req, res) => res.end('tracked'));
    const api = await server((_req, res) => {
      res.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    const app = await server((req, res) => {
      if (req.url !== '/') return html(res, 'nope', 404);
      html(
        res,
        `<p id="out">…</p><img src="${other.origin}/pixel.gif"><script>
          const out = [];
          Promise.allSettled([
            fetch('${other.origin}/track').then((r) => r.text()),
            fetch('${api.origin}/data').then((r) => r.json()),
          ]).then((results) => {
            document.getElementById('out').textContent = results.map((r) => r.status).join(',');
          });
          new WebSocket('${other.origin.replace('http', 'ws')}/socket');
        </script>`,
      );
    });
    const s = await session(app.origin, { allowedOrigins: [api.origin] });
    const page = await s.newPage();
    await page.goto(`${app.origin}/`);
    await page.waitForFunction("document.getElementById('out').textContent !== '…'");

    expect(await page.textContent('#out')).toBe('rejected,fulfilled');
    expect(api.hits).toEqual(['/data']);
    expect(other.hits).toEqual([]);
    expect(s.blockedRequests).toEqual(
      expect.arrayContaining([
        `${other.origin}/pixel.gif`,
        `${other.origin}/track`,
        `${other.origin.replace('http', 'ws')}/socket`,
      ]),
    );
    expect(s.blockedCount).toBe(3);
    expect(s.isAllowedUrl(`${api.origin}/x`)).toBe(true);
    expect(s.isAppUrl(`${api.origin}/x`)).toBe(false);
    expect(s.isAllowedUrl('file:///etc/passwd')).toBe(false);
  });

  it('stops server redirects to other origins before they leave the browser, another port of the app host too', async () => {
    // Same host as the app, another port: a route never sees a redirect, the context's proxy refuses it.
    const sameHost = await server((_req, res) => html(res, 'elsewhere'));
    // Another host (loopback 127.0.0.2, and the name localhost).
    const otherHost = await serve((_req, res) => html(res, 'other host'), '127.0.0.2');
    cleanups.push(() => otherHost.close());
    const otherPort = new URL(otherHost.origin).port;
    const app = await server((req, res) => {
      const to = {
        '/to-port': `${sameHost.origin}/landing`,
        '/to-ip': `${otherHost.origin}/landing`,
        '/to-name': `http://localhost:${otherPort}/landing`,
        '/to-tls': `https://127.0.0.1:${new URL(sameHost.origin).port}/landing`,
      }[req.url ?? ''];
      if (to) {
        res.writeHead(302, { location: to });
        return res.end();
      }
      html(res, 'the app');
    });
    const s = await session(app.origin);
    const page = await s.newPage();

    const toPort = await page.goto(`${app.origin}/to-port`);
    expect(toPort?.status()).toBe(403);
    expect(await page.textContent('body')).toMatch(/Blocked by myfav-coworker/);
    expect(sameHost.hits).toEqual([]);
    expect(s.escapedRequests).toEqual([`${sameHost.origin}/landing`]);

    expect((await page.goto(`${app.origin}/to-ip`))?.status()).toBe(403);
    expect((await page.goto(`${app.origin}/to-name`))?.status()).toBe(403);
    // The app itself, through the same proxy, is untouched.
    const own = await page.goto(`${app.origin}/`);
    expect(own?.status()).toBe(200);
    expect(await page.textContent('body')).toMatch(/the app/);

    // An https target is a tunnel (CONNECT host:port): refused the same way.
    await expect(page.goto(`${app.origin}/to-tls`)).rejects.toThrow(/ERR_TUNNEL_CONNECTION_FAILED/);
    expect(otherHost.hits).toEqual([]);
    expect(sameHost.hits).toEqual([]);
    expect(s.escapedRequests).toHaveLength(4);
  });
});

describe('openBrowserSession: dialogs', () => {
  it('dismisses alert, confirm and prompt and records them, so pages never hang on one', async () => {
    const app = await server((_req, res) =>
      html(
        res,
        `<script>
          alert('Saved!');
          const sure = confirm('Delete everything?');
          const name = prompt('Your name?', 'Ada');
          document.title = 'answers:' + sure + ',' + name;
        </script>`,
      ),
    );
    const s = await session(app.origin);
    const page = await s.newPage();
    await page.goto(`${app.origin}/`, { timeout: 10_000 });
    expect(await page.title()).toBe('answers:false,null');
    expect(s.dialogs).toEqual([
      { type: 'alert', message: 'Saved!', url: `${app.origin}/` },
      { type: 'confirm', message: 'Delete everything?', url: `${app.origin}/` },
      { type: 'prompt', message: 'Your name?', url: `${app.origin}/` },
    ]);
  });
});

describe('openBrowserSession: lifecycle', () => {
  it('writes trace.zip on close and leaves no Chromium process or profile behind; close is idempotent', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'myfav-test-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const app = await server((_req, res) => html(res, '<h1>Hello</h1>'));
    const tracePath = path.join(dir, 'artifacts', 'trace.zip');
    const s = await openBrowserSession({ executable, origin: app.origin, tracePath });
    cleanups.push(() => s.close());

    expect(s.browserPid).toEqual(expect.any(Number));
    const browserPid = s.browserPid as number;
    const page = await s.newPage();
    await page.goto(`${app.origin}/`);
    const pids = await processTree(browserPid);
    expect(pids.length).toBeGreaterThan(1);
    const cmdline = (await readFile(`/proc/${browserPid}/cmdline`, 'utf8')).split('\0');
    const profile = cmdline
      .find((arg) => arg.startsWith('--user-data-dir='))
      ?.slice('--user-data-dir='.length);
    expect(profile && existsSync(profile)).toBe(true);
    // The sandbox is off only because we are root.
    expect(cmdline.includes('--no-sandbox')).toBe(process.getuid?.() === 0);

    await Promise.all([s.close(), s.close()]);
    await s.close();
    expect(s.closed).toBe(true);

    const handle = await open(tracePath, 'r');
    const magic = Buffer.alloc(4);
    await handle.read(magic, 0, 4, 0);
    await handle.close();
    expect(magic.toString('latin1')).toBe('PK\x03\x04');
    expect(await runningAfter(pids)).toEqual([]);
    expect(existsSync(profile as string)).toBe(false);
    await expect(s.newPage()).rejects.toMatchObject({ code: 'BROWSER_FAILED' });
  });

  it('closes itself when the signal aborts', async () => {
    const app = await server((_req, res) => html(res, 'hi'));
    const controller = new AbortController();
    const s = await session(app.origin, { signal: controller.signal });
    const pids = await processTree(s.browserPid as number);
    controller.abort();
    expect(await runningAfter(pids)).toEqual([]);
    expect(s.closed).toBe(true);
    await expect(s.newPage()).rejects.toBeInstanceOf(CancelledError);
  });

  it('does not launch anything when already cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      openBrowserSession({ executable, origin: 'http://127.0.0.1:9', signal: controller.signal }),
    ).rejects.toBeInstanceOf(CancelledError);
  });

  it('reports a browser that cannot start with its path and what it printed', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'myfav-test-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const broken = path.join(dir, 'chrome');
    await writeFile(
      broken,
      '#!/bin/sh\necho "error while loading shared libraries: libnss3.so" >&2\nexit 127\n',
    );
    await chmod(broken, 0o755);

    const err = await openBrowserSession({
      executable: { path: broken, source: 'MYFAV_BROWSER_PATH' },
      origin: 'http://127.0.0.1:9',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CoworkerError);
    expect((err as CoworkerError).code).toBe('BROWSER_FAILED');
    expect((err as CoworkerError).message).toContain(broken);
    expect((err as CoworkerError).message).toContain('libnss3.so');
    // Not the 80-flag command line Playwright puts first.
    expect((err as CoworkerError).message).not.toContain('--disable-background-networking');
    expect((err as CoworkerError).hint).toContain('MYFAV_BROWSER_PATH');
  });

  it('refuses an origin that is not an http(s) URL', async () => {
    await expect(openBrowserSession({ executable, origin: 'file:///tmp' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});

describe('launchErrorSummary', () => {
  it('keeps the headline when the browser printed nothing', () => {
    expect(
      launchErrorSummary(
        'browserType.launch: Timeout 30000ms exceeded.\nCall log:\n  - <launching> /x --a --b',
      ),
    ).toBe('Timeout 30000ms exceeded.');
  });
});
