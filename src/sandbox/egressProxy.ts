// The only way out of a sandbox: an HTTP proxy (CONNECT for https, absolute-URI requests for http) that
// our process runs on a unix socket in the sandbox's runtime dir, and that connects only to allowed
// hosts. Names are resolved here, outside: the sandbox has no DNS and no network interface but loopback.
// What it refused is remembered, so a failed install can say which host to allow and where. What it
// allows goes out the way the user's own tools would go: through the user's proxy when one is set.

import http from 'node:http';
import net from 'node:net';
import { type HostRule, hostAllowed } from './hosts.js';
import {
  proxyAuthorization,
  proxyFor,
  proxyPort,
  tunnelThrough,
  type UpstreamProxy,
} from './upstreamProxy.js';

export interface EgressProxy {
  /** host:port targets refused so far, in order, without repeats. */
  refused(): string[];
  close(): Promise<void>;
}

export async function startEgressProxy(
  socketPath: string,
  allow: HostRule[],
  upstream?: UpstreamProxy,
): Promise<EgressProxy> {
  const refused = new Set<string>();
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    return s;
  };
  const denyText = (target: string) =>
    `myfav-coworker sandbox: connections to ${target} are not allowed (add the host to "sandbox.allowHosts" in the myfav-coworker config file)\n`;

  const server = http.createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('myfav-coworker sandbox: only proxy requests with an absolute URL\n');
      return;
    }
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const target = `${url.hostname}:${port}`;
    if (url.protocol !== 'http:' || !hostAllowed(allow, host, port)) {
      refused.add(target);
      res.writeHead(403, { 'content-type': 'text/plain' }).end(denyText(target));
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const via = proxyFor(upstream, 'http', host, port);
    const auth = via && proxyAuthorization(via);
    if (auth) headers['proxy-authorization'] = auth;
    const where = via
      ? { host: via.hostname.replace(/^\[(.*)\]$/, '$1'), port: proxyPort(via), path: url.href }
      : { host, port, path: `${url.pathname}${url.search}` };
    const request = http.request({ ...where, method: req.method, headers, agent: false }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    request.once('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(
        `myfav-coworker sandbox: ${target}${via ? ` (through the proxy ${via.host})` : ''}: ${err.message}\n`,
      );
    });
    req.pipe(request);
  });

  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    track(client);
    client.on('error', () => client.destroy());
    const target = req.url ?? '';
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
    const host = m?.[1] ?? '';
    const port = Number(m?.[2] ?? 0);
    if (!m || !hostAllowed(allow, host, port)) {
      refused.add(target);
      const body = denyText(target);
      client.end(
        `HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    const badGateway = (err: Error) => {
      if (!client.writableEnded) client.end(`HTTP/1.1 502 Bad Gateway\r\n\r\n${err.message}\n`);
      client.destroy();
    };
    const via = proxyFor(upstream, 'tunnel', host, port);
    const connected: Promise<net.Socket> = via
      ? tunnelThrough(via, host, port)
      : new Promise((resolve, reject) => {
          const socket = net.connect({ host, port, noDelay: true });
          socket.once('connect', () => {
            socket.off('error', reject);
            resolve(socket);
          });
          socket.once('error', reject);
        });
    connected.then((out) => {
      track(out);
      out.on('error', () => client.destroy());
      client.once('close', () => out.destroy());
      if (client.destroyed) return void out.destroy();
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) out.write(head);
      out.pipe(client);
      client.pipe(out);
    }, badGateway);
  });
  server.on('connection', track);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    refused: () => [...refused],
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
