// The sandbox's egress proxy on a network that only lets traffic out through the user's own proxy
// (HTTPS_PROXY): what the sandbox allows goes through that proxy, with its credentials, and what it
// refuses never reaches it. Real sockets: a target server, an upstream proxy, our egress proxy.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EgressProxy, startEgressProxy } from '../../src/sandbox/egressProxy.js';
import { userInstallConfig } from '../../src/sandbox/registries.js';
import { bypassesProxy, upstreamProxyFromEnv } from '../../src/sandbox/upstreamProxy.js';
import { type FakeUpstreamProxy, startFakeUpstreamProxy } from '../helpers/fakeUpstreamProxy.js';

let dir: string;
let target: http.Server;
let targetPort: number;
let upstream: FakeUpstreamProxy;
const opened: EgressProxy[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'myfav-upstream-'));
  target = http.createServer((req, res) => res.end(`target saw ${req.url}`));
  targetPort = await new Promise<number>((resolve) =>
    target.listen(0, '127.0.0.1', () => resolve((target.address() as net.AddressInfo).port)),
  );
  upstream = await startFakeUpstreamProxy();
});

afterEach(async () => {
  for (const p of opened.splice(0)) await p.close();
  upstream.seen = [];
  upstream.refuseConnectWith = undefined;
});

afterAll(async () => {
  target.close();
  await upstream.close();
  await rm(dir, { recursive: true, force: true });
});

async function egress(env: Record<string, string>): Promise<string> {
  const socket = path.join(dir, `egress-${opened.length}-${Date.now()}.sock`);
  opened.push(
    await startEgressProxy(socket, [{ host: '127.0.0.1', port: targetPort }], upstreamProxyFromEnv(env)),
  );
  return socket;
}

/** A plain http request through the egress proxy, as npm makes it with HTTP_PROXY set. */
function viaHttp(socketPath: string, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath, path: url, headers: { host: new URL(url).host } }, (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .once('error', reject);
  });
}

/** A CONNECT tunnel through the egress proxy, then one request inside it (what https clients do). */
function viaTunnel(socketPath: string, to: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method: 'CONNECT', path: to });
    req.once('connect', (res, socket, head) => {
      if (res.statusCode !== 200) {
        let body = head.toString();
        socket.on('data', (d) => {
          body += d;
        });
        socket.on('close', () => resolve({ status: res.statusCode ?? 0, body }));
        return;
      }
      let text = '';
      socket.on('data', (d) => {
        text += d;
      });
      socket.on('end', () => resolve({ status: 200, body: text.split('\r\n\r\n').slice(1).join('') }));
      socket.write(`GET /tunnelled HTTP/1.1\r\nHost: ${to}\r\nConnection: close\r\n\r\n`);
    });
    req.once('error', reject);
    req.end();
  });
}

describe('egress through the user proxy', () => {
  it('sends allowed http requests and CONNECT tunnels through HTTPS_PROXY, with its credentials', async () => {
    const socket = await egress({ HTTPS_PROXY: `http://me:s%40cret@127.0.0.1:${upstream.port}` });
    const plain = await viaHttp(socket, `http://127.0.0.1:${targetPort}/plain`);
    expect(plain).toEqual({ status: 200, body: 'target saw /plain' });
    const tunnel = await viaTunnel(socket, `127.0.0.1:${targetPort}`);
    expect(tunnel).toMatchObject({ status: 200, body: 'target saw /tunnelled' });
    const auth = `Basic ${Buffer.from('me:s@cret').toString('base64')}`;
    expect(upstream.seen).toEqual([
      { kind: 'http', target: `http://127.0.0.1:${targetPort}/plain`, auth },
      { kind: 'connect', target: `127.0.0.1:${targetPort}`, auth },
    ]);
  });

  it('never hands the user proxy a connection the sandbox refuses', async () => {
    const socket = await egress({ HTTPS_PROXY: `http://127.0.0.1:${upstream.port}` });
    const refused = await viaTunnel(socket, 'example.com:443');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/example\.com:443 are not allowed/);
    expect((await viaHttp(socket, 'http://example.com/')).status).toBe(403);
    expect(upstream.seen).toEqual([]);
  });

  it('connects directly to hosts NO_PROXY names', async () => {
    const socket = await egress({
      HTTPS_PROXY: `http://127.0.0.1:${upstream.port}`,
      NO_PROXY: 'localhost,127.0.0.1',
    });
    expect(await viaTunnel(socket, `127.0.0.1:${targetPort}`)).toMatchObject({ status: 200 });
    expect(await viaHttp(socket, `http://127.0.0.1:${targetPort}/direct`)).toMatchObject({ status: 200 });
    expect(upstream.seen).toEqual([]);
  });

  it("answers 502 with the proxy's refusal when the user proxy will not tunnel", async () => {
    upstream.refuseConnectWith = 407;
    const socket = await egress({ https_proxy: `127.0.0.1:${upstream.port}` });
    const res = await viaTunnel(socket, `127.0.0.1:${targetPort}`);
    expect(res.status).toBe(502);
    expect(res.body).toMatch(/refused 127\.0\.0\.1:\d+: HTTP\/1\.1 407/);
  });
});

describe('reading the proxy settings', () => {
  it('takes HTTPS_PROXY / HTTP_PROXY / npm settings, one serving both kinds when only one is set', () => {
    expect(upstreamProxyFromEnv({})).toBeUndefined();
    expect(upstreamProxyFromEnv({ HTTPS_PROXY: 'not a url at all' })).toBeUndefined();
    const one = upstreamProxyFromEnv({ npm_config_https_proxy: 'proxy.corp:3128' });
    expect(one?.https.href).toBe('http://proxy.corp:3128/');
    expect(one?.http.href).toBe('http://proxy.corp:3128/');
    const two = upstreamProxyFromEnv({ HTTP_PROXY: 'http://a:1', HTTPS_PROXY: 'http://b:2' });
    expect([two?.http.host, two?.https.host]).toEqual(['a:1', 'b:2']);
  });

  it("takes the proxy of the user's package-manager files when the environment names none, and keeps it out of the files the install sees", async () => {
    const home = path.join(dir, 'npm-user');
    await mkdir(path.join(home, '.config', 'pnpm'), { recursive: true });
    await writeFile(
      path.join(home, '.npmrc'),
      'registry=https://npm.corp.example/\nHTTPS_PROXY = "http://me:pw1@proxy.corp:3128"\nproxy=http://me:pw2@proxy.corp:8080\nnoproxy=.corp.example\n',
    );
    await writeFile(path.join(home, '.config', 'pnpm', 'rc'), 'https-proxy=http://me:pw3@other:1\n');
    await writeFile(
      path.join(home, '.yarnrc'),
      'registry "https://y.corp.example/"\n"https-proxy" "http://me:pw4@y:1"\n',
    );
    await writeFile(
      path.join(home, '.yarnrc.yml'),
      'httpsProxy: "http://me:pw5@b:1"\nnetworkSettings:\n  "*.corp.example":\n    httpProxy: "http://me:pw6@b:2"\n',
    );
    const install = userInstallConfig({ HOME: home, 'npm_config_https-proxy': 'http://me:pw7@env:1' });
    const files = install.homeFiles.map((f) => f.content).join('\n');
    for (const pw of ['pw1', 'pw2', 'pw3', 'pw4', 'pw5', 'pw6']) expect(files).not.toContain(pw);
    expect(files).toContain('registry=https://npm.corp.example/');
    expect(files).toContain('registry "https://y.corp.example/"');
    expect(JSON.stringify(install.env)).not.toContain('pw7');
    // The first file that names one wins (.npmrc before pnpm's rc and Yarn's).
    const fromFiles = upstreamProxyFromEnv(install.proxySettings);
    expect([fromFiles?.https.href, fromFiles?.http.href, fromFiles?.noProxy]).toEqual([
      'http://me:pw1@proxy.corp:3128/',
      'http://me:pw2@proxy.corp:8080/',
      ['.corp.example'],
    ]);
    // npm's own spelling of the variable (npm_config_https-proxy) counts as the environment's.
    expect(upstreamProxyFromEnv({ 'NPM_CONFIG_HTTPS-PROXY': 'http://env:1' })?.https.href).toBe(
      'http://env:1/',
    );
  });

  it('matches NO_PROXY like curl: domains with their subdomains, host:port, and *', () => {
    const rules = ['.corp.example', 'registry.local:4873', '[::1]'];
    expect(bypassesProxy(rules, 'npm.corp.example', 443)).toBe(true);
    expect(bypassesProxy(rules, 'corp.example', 443)).toBe(true);
    expect(bypassesProxy(rules, 'notcorp.example', 443)).toBe(false);
    expect(bypassesProxy(rules, 'registry.local', 4873)).toBe(true);
    expect(bypassesProxy(rules, 'registry.local', 443)).toBe(false);
    expect(bypassesProxy(rules, '[::1]', 80)).toBe(true);
    expect(bypassesProxy(['::1'], '::1', 80)).toBe(true);
    expect(bypassesProxy(['[::1]:8080'], '::1', 80)).toBe(false);
    expect(bypassesProxy(['*'], 'anything', 1)).toBe(true);
  });
});
