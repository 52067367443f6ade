// Built-in server for static sites (an index.html and no start script): in-process, 127.0.0.1 only,
// nothing cached (we test the branch's files as they are), never serving anything outside its root.

import { createReadStream, realpathSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { RunningApp } from './types.js';

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
};

export function contentTypeFor(file: string): string {
  return mimeTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export interface StaticServerOptions {
  /** Entry path on the server (default '/'). */
  path?: string;
}

export function startStaticServer(rootDir: string, opts: StaticServerOptions = {}): Promise<RunningApp> {
  const root = realpathSync(rootDir);
  const server = http.createServer((req, res) => handle(root, req, res));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const origin = `http://127.0.0.1:${port}`;
      let stopped: Promise<void> | undefined;
      const stop = () => {
        stopped ??= new Promise<void>((done) => {
          server.close(() => done());
          // Browsers keep connections alive; close() alone would wait for them.
          server.closeAllConnections();
        });
        return stopped;
      };
      resolve({ url: new URL(opts.path ?? '/', origin).href, origin, stop });
    });
  });
}

function handle(root: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const found = lookup(root, req);
  if (found.kind === 'error') {
    send(res, found.status, found.text, found.headers);
    return;
  }
  res.writeHead(200, {
    'content-type': contentTypeFor(found.file),
    'content-length': found.size,
    'cache-control': 'no-store',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(found.file);
  stream.once('error', () => res.destroy());
  stream.pipe(res);
}

type Lookup =
  | { kind: 'file'; file: string; size: number }
  | { kind: 'error'; status: number; text: string; headers?: Record<string, string> };

function lookup(root: string, req: http.IncomingMessage): Lookup {
  const error = (status: number, text: string, headers?: Record<string, string>): Lookup => ({
    kind: 'error',
    status,
    text,
    ...(headers ? { headers } : {}),
  });
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return error(405, 'Method Not Allowed', { allow: 'GET, HEAD' });
  const resolved = resolveRequestPath(root, req.url ?? '/');
  if (resolved.kind === 'bad') return error(400, 'Bad Request');
  if (resolved.kind === 'forbidden') return error(403, 'Forbidden');
  let file = resolved.file;
  let stat = statOrNull(file);
  if (stat?.isDirectory()) {
    // "/docs" → "/docs/" so the page's relative links resolve inside the folder, like every static host.
    if (!resolved.pathname.endsWith('/')) {
      // One leading slash: "//host/" would be a redirect to another site.
      return error(301, 'Moved Permanently', { location: `/${resolved.pathname.replace(/^\/+/, '')}/` });
    }
    file = path.join(file, 'index.html');
    stat = statOrNull(file);
  }
  if (!stat?.isFile()) return error(404, 'Not Found');
  // Symlinks in the branch must not expose files outside the served folder.
  if (!isInside(root, realpathSync(file))) return error(403, 'Forbidden');
  return { kind: 'file', file, size: stat.size };
}

type Resolved = { kind: 'ok'; file: string; pathname: string } | { kind: 'bad' } | { kind: 'forbidden' };

/** Map a request URL onto the root; anything that would leave the root is forbidden. */
export function resolveRequestPath(root: string, requestUrl: string): Resolved {
  let pathname: string;
  try {
    // Decode exactly once, after parsing, so "%2e%2e%2f" is treated like "../" and then rejected.
    pathname = new URL(requestUrl, 'http://localhost').pathname;
    const decoded = decodeURIComponent(pathname);
    if (decoded.includes('\0')) return { kind: 'bad' };
    const file = path.join(root, decoded);
    if (!isInside(root, file) || decoded.split(/[\\/]/).includes('..')) return { kind: 'forbidden' };
    return { kind: 'ok', file, pathname };
  } catch {
    return { kind: 'bad' };
  }
}

function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

function statOrNull(file: string) {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

function send(
  res: http.ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(`${status} ${text}\n`);
}
