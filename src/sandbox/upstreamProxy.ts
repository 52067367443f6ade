// The user's own proxy (a company network that reaches the registry only through one): the sandbox's
// egress proxy decides what may leave, and then connects the way the user's tools would — through the
// proxy named by HTTPS_PROXY / HTTP_PROXY (or npm's proxy settings), unless NO_PROXY exempts the host.

import net from 'node:net';
import tls from 'node:tls';

type Env = Record<string, string | undefined>;

export interface UpstreamProxy {
  /** For plain http:// requests. */
  http: URL;
  /** For CONNECT tunnels (https:// and anything else that is not plain http). */
  https: URL;
  /** NO_PROXY entries, lower-cased: "*", "example.com" / ".example.com" (and subdomains), "host:port". */
  noProxy: string[];
}

const first = (env: Env, names: string[]): string | undefined => {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
};

function proxyUrl(value: string | undefined): URL | undefined {
  if (!value) return undefined;
  try {
    // "proxy.corp:3128" is how many people write it; curl and npm read it as http://.
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The user's proxy settings from our environment, or undefined when there is none. */
export function upstreamProxyFromEnv(given: Env): UpstreamProxy | undefined {
  // npm reads NPM_CONFIG_HTTPS-PROXY as npm_config_https_proxy.
  const env: Env = { ...given };
  for (const [name, value] of Object.entries(given)) {
    if (/^npm_config_/i.test(name))
      env[`npm_config_${name.slice(11).toLowerCase().replaceAll('-', '_')}`] ??= value;
  }
  const https = proxyUrl(first(env, ['HTTPS_PROXY', 'https_proxy', 'npm_config_https_proxy']));
  const http = proxyUrl(first(env, ['HTTP_PROXY', 'http_proxy', 'npm_config_proxy']));
  if (!https && !http) return undefined;
  const noProxy = (first(env, ['NO_PROXY', 'no_proxy', 'npm_config_noproxy']) ?? '')
    .split(/[\s,]+/)
    .map((entry) => entry.toLowerCase())
    .filter(Boolean);
  // One proxy named serves both kinds: that is what people mean by setting only one of them.
  const either = (https ?? http) as URL;
  return { http: http ?? either, https: https ?? either, noProxy };
}

/** Whether NO_PROXY exempts host:port (CIDR ranges are not understood: name such hosts one by one). */
export function bypassesProxy(noProxy: string[], host: string, port: number): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return noProxy.some((entry) => {
    if (entry === '*') return true;
    const { pattern, port: entryPort } = parseNoProxyEntry(entry);
    if (entryPort !== undefined && entryPort !== port) return false;
    const domain = pattern.replace(/^\*?\./, '');
    return name === domain || name.endsWith(`.${domain}`);
  });
}

/** "[::1]:8080", "::1", "host:443", "host" → the name and the port, if any. */
function parseNoProxyEntry(entry: string): { pattern: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed)
    return { pattern: bracketed[1] ?? '', ...(bracketed[2] ? { port: Number(bracketed[2]) } : {}) };
  if (entry.indexOf(':') !== entry.lastIndexOf(':')) return { pattern: entry }; // a bare IPv6 address
  const [pattern = '', port] = entry.split(':');
  return { pattern, ...(port && /^\d+$/.test(port) ? { port: Number(port) } : {}) };
}

/** The proxy to use for host:port, or undefined to connect directly. */
export function proxyFor(
  upstream: UpstreamProxy | undefined,
  kind: 'http' | 'tunnel',
  host: string,
  port: number,
): URL | undefined {
  if (!upstream || bypassesProxy(upstream.noProxy, host, port)) return undefined;
  return kind === 'http' ? upstream.http : upstream.https;
}

/** Proxy-Authorization for a proxy URL with credentials (http://user:pass@proxy:3128). */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const user = decodeURIComponent(proxy.username);
  const pass = decodeURIComponent(proxy.password);
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

export const proxyPort = (proxy: URL) => Number(proxy.port || (proxy.protocol === 'https:' ? 443 : 80));

/** A TCP connection to the proxy itself (TLS for an https:// proxy). */
export function connectToProxy(proxy: URL): net.Socket {
  const host = proxy.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = proxyPort(proxy);
  return proxy.protocol === 'https:'
    ? tls.connect({ host, port, servername: host })
    : net.connect({ host, port, noDelay: true });
}

const maxResponseHead = 16 * 1024;

/**
 * A tunnel to host:port through the proxy (HTTP CONNECT). Resolves with the connected socket once the
 * proxy answered 2xx; rejects with the proxy's status line otherwise.
 */
export function tunnelThrough(proxy: URL, host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectToProxy(proxy);
    const target = net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
    const auth = proxyAuthorization(proxy);
    let head = Buffer.alloc(0);
    const settle = () => {
      socket.off('data', onData);
      socket.off('error', fail);
      socket.off('end', onEnd);
    };
    const fail = (err: Error) => {
      settle();
      socket.destroy();
      reject(err);
    };
    const onEnd = () => fail(new Error(`proxy ${proxy.host} closed the connection to ${target}`));
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > maxResponseHead) fail(new Error(`proxy ${proxy.host} sent no answer to CONNECT`));
        return;
      }
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      if (!/^HTTP\/1\.[01] 2\d\d/.test(statusLine)) {
        fail(new Error(`proxy ${proxy.host} refused ${target}: ${statusLine}`));
        return;
      }
      settle();
      const rest = head.subarray(end + 4);
      if (rest.length) socket.unshift(rest);
      resolve(socket);
    };
    socket.on('data', onData);
    socket.on('error', fail);
    socket.on('end', onEnd);
    socket.write(
      `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`,
    );
  });
}
