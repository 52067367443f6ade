// Where a browser context's requests may go, enforced below Playwright's routes. Routes never see a
// server redirect (Chromium follows it inside its network stack), and the host resolver rule cannot tell
// one port of 127.0.0.1 from another, so without this a redirect from the app to another local service
// (127.0.0.1:5432, a dev dashboard) reached it. Each context gets a proxy: its allowed origins are on the
// proxy's bypass list and go to the app directly (unchanged: errors, timings, WebSockets), and everything
// else goes to this proxy in our own process, which refuses it — an http request with a 403, a tunnel
// (https, WebSockets) with a refused CONNECT — so it never leaves the browser. Playwright adds
// `<-loopback>` to the bypass list, so loopback addresses are proxied too. Playwright's own requests
// (context.request: the link checks) match the bypass list by host name only and always tunnel through
// the proxy: a tunnel to an allowed host:port is passed, so they reach the app and nothing else.

import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { OriginPolicy } from './origins.js';

/** The proxy's own host, which the browser's resolver rules must let through. */
export const PROXY_HOST = '127.0.0.1';

export interface BlockingProxy {
  /** For Playwright's `proxy.server`: http://127.0.0.1:PORT. */
  readonly server: string;
  /** Stops listening and drops every connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * A proxy that refuses every request except a tunnel to an allowed origin's host:port; `onBlocked`
 * hears the URL (or host:port of a tunnel) of each refused one.
 */
export async function startBlockingProxy(
  policy: OriginPolicy,
  onBlocked: (target: string) => void,
): Promise<BlockingProxy> {
  const sockets = new Set<Socket>();
  const tunnels = new Set(hostPorts(policy));
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const target = String(req.url ?? '').slice(0, 2000);
    onBlocked(target);
    req.resume();
    res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
    res.end(`Blocked by myfav-coworker: ${target} is not one of the app's allowed origins.\n`);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = String(req.url ?? '').slice(0, 300);
    const match = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(target);
    if (!match || !tunnels.has(target.toLowerCase())) {
      onBlocked(target);
      client.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(match[2]), match[1]!.replace(/^\[(.*)\]$/, '$1'), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const drop = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', drop);
    client.on('error', drop);
    client.on('close', drop);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, PROXY_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    server: `http://${PROXY_HOST}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/**
 * Chromium proxy-bypass rules for the allowed origins: `host:port`, any scheme (a WebSocket to the app
 * is ws:// on the same host and port). Another port of the same host is not on the list, so it is proxied.
 */
export function bypassRules(policy: OriginPolicy): string {
  return hostPorts(policy).join(',');
}

/** `host:port` of each allowed origin (IPv6 in brackets), lower-case, deduplicated. */
function hostPorts(policy: OriginPolicy): string[] {
  return [
    ...new Set(
      policy.allowed.map((o) => {
        const u = new URL(o);
        return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`.toLowerCase();
      }),
    ),
  ];
}
