// The built-in static server over real HTTP, including raw requests a browser would never send.

import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startStaticServer } from '../../src/app/staticServer.js';
import type { RunningApp } from '../../src/app/types.js';
import { answersWith } from '../helpers/processes.js';

let work: string;
let site: string;
let app: RunningApp | undefined;

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'myfav-static-'));
  site = path.join(work, 'site');
  await mkdir(path.join(site, 'docs'), { recursive: true });
  await writeFile(path.join(site, 'index.html'), '<h1>home</h1>');
  await writeFile(path.join(site, 'style.css'), 'h1{}');
  await writeFile(path.join(site, 'app.js'), 'export {}');
  await writeFile(path.join(site, 'logo.svg'), '<svg/>');
  await writeFile(path.join(site, 'docs', 'index.html'), '<h1>docs</h1>');
  await writeFile(path.join(work, 'secret.txt'), 'TOP SECRET');
  app = await startStaticServer(site);
});

afterEach(async () => {
  await app?.stop();
  await rm(work, { recursive: true, force: true });
});

/** Send a request line exactly as written (no client-side normalisation of ".." or "%2e"). */
function rawGet(target: string): Promise<{ status: number; headers: string; body: string }> {
  const { port } = new URL(app!.origin);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString('utf8');
    });
    socket.on('end', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body });
    });
    socket.on('error', reject);
    socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
}

describe('startStaticServer', () => {
  it('serves files with their MIME types and index.html for folders', async () => {
    expect(app!.url).toBe(`${app!.origin}/`);
    expect(app!.pgid).toBeUndefined();
    const cases: Array<[string, number, string, string]> = [
      ['/', 200, 'text/html', '<h1>home</h1>'],
      ['/style.css', 200, 'text/css', 'h1{}'],
      ['/app.js', 200, 'text/javascript', 'export {}'],
      ['/logo.svg', 200, 'image/svg+xml', '<svg/>'],
      ['/docs/', 200, 'text/html', '<h1>docs</h1>'],
      ['/missing.html', 404, 'text/plain', '404 Not Found\n'],
    ];
    for (const [p, status, type, body] of cases) {
      const res = await fetch(new URL(p, app!.origin));
      expect(res.status, p).toBe(status);
      expect(res.headers.get('content-type'), p).toContain(type);
      expect(await res.text(), p).toBe(body);
    }
  });

  it('redirects a folder without its trailing slash so relative links work', async () => {
    const res = await fetch(new URL('/docs', app!.origin), { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/docs/');
  });

  it('never serves a file outside its folder', async () => {
    for (const target of [
      '/../secret.txt',
      '/docs/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/%252e%252e/secret.txt',
    ]) {
      const res = await rawGet(target);
      expect(res.body, target).not.toContain('TOP SECRET');
      expect([400, 403, 404], target).toContain(res.status);
    }
  });

  it('does not follow a symlink out of its folder', async () => {
    await symlink(path.join(work, 'secret.txt'), path.join(site, 'link.txt'));
    const res = await rawGet('/link.txt');
    expect(res.status).toBe(403);
    expect(res.body).not.toContain('TOP SECRET');
  });

  it('serves the entry path it was given', async () => {
    const docs = await startStaticServer(site, { path: '/docs/' });
    try {
      expect(docs.url).toBe(`${docs.origin}/docs/`);
      expect(await (await fetch(docs.url)).text()).toBe('<h1>docs</h1>');
    } finally {
      await docs.stop();
    }
  });

  it('stop() does not wait for a browser that keeps a download open, and is idempotent', async () => {
    await writeFile(path.join(site, 'video.webm'), Buffer.alloc(16 * 1024 * 1024));
    // A response the client stops reading: the connection stays busy until the server drops it.
    const stalled = new Promise<void>((resolve) => {
      const req = http.get(new URL('/video.webm', app!.origin), (res) => {
        res.once('data', () => {
          res.pause();
          resolve();
        });
        res.on('error', () => {});
      });
      req.on('error', () => {});
    });
    await stalled;
    // The client never reads on: stop() resolving at all means it did not wait for the download.
    await Promise.all([app!.stop(), app!.stop()]);
    expect(await answersWith(app!.url, '<h1>home</h1>')).toBe(false);
  });
});
