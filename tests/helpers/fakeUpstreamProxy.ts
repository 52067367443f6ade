// A stand-in for a company's HTTP proxy (what HTTPS_PROXY names): forwards absolute-URI requests and
// CONNECT tunnels, and records every one with the Proxy-Authorization it carried.

import http from 'node:http';
import net from 'node:net';

export interface ProxiedRequest {
  kind: 'http' | 'connect';
  target: string;
  auth: string | undefined;
}

export interface FakeUpstreamProxy {
  port: number;
  url: string;
  seen: ProxiedRequest[];
  /** Answer CONNECT with this status instead of tunnelling (e.g. 407). */
  refuseConnectWith: number | undefined;
  close(): Promise<void>;
}

export async function startFakeUpstreamProxy(): Promise<FakeUpstreamProxy> {
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    proxy.seen.push({ kind: 'http', target: req.url ?? '', auth: req.headers['proxy-authorization'] });
    const url = new URL(req.url ?? '');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const out = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: req.method,
        headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.once('error', () => res.writeHead(502).end());
    req.pipe(out);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('connect', (req, client: net.Socket) => {
    proxy.seen.push({ kind: 'connect', target: req.url ?? '', auth: req.headers['proxy-authorization'] });
    if (proxy.refuseConnectWith !== undefined) {
      client.end(`HTTP/1.1 ${proxy.refuseConnectWith} Proxy Authentication Required\r\n\r\n`);
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const out = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      out.pipe(client);
      client.pipe(out);
    });
    sockets.add(out);
    out.once('close', () => sockets.delete(out));
    out.on('error', () => client.destroy());
    client.on('error', () => out.destroy());
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
  const proxy: FakeUpstreamProxy = {
    port,
    url: `http://127.0.0.1:${port}`,
    seen: [],
    refuseConnectWith: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return proxy;
}
