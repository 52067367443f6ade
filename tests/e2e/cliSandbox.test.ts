// The OS sandbox, through the real binary and real bubblewrap: a hostile branch whose install script and
// app try to escape, a private registry on loopback, a machine without bubblewrap, --no-sandbox.

import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../fixtures/isolatedGit.js';
import { leftoversIn, reportFromJson, runCli, tempHome } from '../helpers/cli.js';
import { startFakeUpstreamProxy } from '../helpers/fakeUpstreamProxy.js';
import { createGitRepo, type GitRepo } from '../helpers/gitRepo.js';
import { processesWithMarker } from '../helpers/processes.js';

const mark = `myfavatk${randomUUID().slice(0, 8)}`;
const token = `ghp_${'FAKEsandbx'.repeat(4)}`;
let work: string;
let userHome: string;
let outsideFile: string;
const cleanups: Array<() => unknown> = [];

/** A TCP server on the host's loopback that counts connections: "someone else", never to be reached. */
async function countingServer(): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server = http.createServer((_req, res) => res.end('host service'));
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return { port: (server.address() as net.AddressInfo).port, connections: () => connections };
}

async function simulate(
  home: string,
  repo: string,
  head: string,
  extra: string[] = [],
  env: Record<string, string> = {},
) {
  const r = await runCli(
    ['simulate', repo, '--head', head, '--base', 'main', '--json', '--no-agent', ...extra],
    {
      home,
      env: { HOME: userHome, ...env },
    },
  );
  return { ...r, report: reportFromJson(r.stdout) };
}

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'myfav-test-sandbox-'));
  userHome = path.join(work, 'user-home');
  mkdirSync(path.join(userHome, '.ssh'), { recursive: true });
  writeFileSync(path.join(userHome, '.ssh', 'id_ed25519'), 'PRIVATE-KEY');
  outsideFile = path.join(work, 'outside-secret.txt');
  writeFileSync(`/tmp/canary-${mark}`, 'host tmp');
  cleanups.push(() => rm(`/tmp/canary-${mark}`, { force: true }));
  writeFileSync(`/dev/shm/canary-${mark}`, 'host shm');
  cleanups.push(() => rm(`/dev/shm/canary-${mark}`, { force: true }));
  writeFileSync(outsideFile, 'OUTSIDE-SECRET');
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await rm(work, { recursive: true, force: true });
});

/**
 * A repository whose branch runs one probing script from its postinstall (`node <script> install`) and
 * whose server.js (which runs it again as the app) is `server`.
 */
function probingRepo(
  branch: string,
  opts: {
    script: Record<string, string>;
    server: string;
    dependencies: Record<string, string>;
    files?: Record<string, string>;
  },
): Promise<GitRepo> {
  const [scriptName] = Object.keys(opts.script);
  return createGitRepo({
    files: { 'README.md': `${branch}\n` },
    branches: {
      [branch]: {
        ...opts.script,
        ...opts.files,
        'server.js': opts.server,
        'package.json': JSON.stringify({
          name: `${branch}-app`,
          version: '1.0.0',
          scripts: { postinstall: `node ${scriptName} install`, start: 'node server.js' },
          dependencies: opts.dependencies,
        }),
      },
    },
  });
}

// Each attack prints "ATTACK <phase> <name> blocked|ESCAPED <detail>".
function attackScript(opts: {
  coworkerHome: string;
  foreignPort: number;
  allowedPort: number;
  localPort: number;
  abstractName: string;
}): string {
  return `
const fs = require('node:fs');
const net = require('node:net');
const http = require('node:http');
const { spawn } = require('node:child_process');
let phase = process.argv[2];
const say = (name, escaped, detail) => console.log('ATTACK ' + phase + ' ' + name + ' ' + (escaped ? 'ESCAPED' : 'blocked') + ' ' + String(detail).slice(0, 120).replace(/\\s+/g, ' '));
const tryRead = (name, file) => { try { fs.readFileSync(file); say(name, true, file); } catch (e) { say(name, false, e.code); } };
const tryWrite = (name, file) => { try { fs.writeFileSync(file, 'pwned'); say(name, true, file); } catch (e) { say(name, false, e.code); } };
const connect = (name, opts) => new Promise((resolve) => {
  const s = net.connect(opts);
  s.setTimeout(2000);
  s.once('connect', () => { say(name, true, 'connected'); s.destroy(); resolve(); });
  s.once('error', (e) => { say(name, false, e.code); resolve(); });
  s.once('timeout', () => { say(name, false, 'timeout'); s.destroy(); resolve(); });
});
// A raw proxy request, so nothing (NO_PROXY, Node's own proxy support) decides for us where it goes.
const viaProxy = (name, url, expectOk) => new Promise((resolve) => {
  const proxy = new URL(process.env.HTTP_PROXY || 'http://127.0.0.1:1');
  const s = net.connect({ host: proxy.hostname, port: Number(proxy.port) });
  let text = '';
  const done = (status, err) => {
    s.destroy();
    if (expectOk) console.log('PROXY ' + phase + ' allowed-status ' + (status || err));
    else say(name, status !== undefined && status < 400, status ? 'HTTP ' + status : err);
    resolve();
  };
  s.setTimeout(3000, () => done(undefined, 'timeout'));
  s.once('connect', () => s.write('GET ' + url + ' HTTP/1.1\\r\\nhost: ' + new URL(url).host + '\\r\\nconnection: close\\r\\n\\r\\n'));
  s.on('data', (d) => { text += d; const m = /^HTTP\\/1\\.1 (\\d+)/.exec(text); if (m) done(Number(m[1])); });
  s.once('error', (e) => done(undefined, e.code));
});
async function main(p) {
  if (p) phase = p;
  let leaked = 0, seen = 0;
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p))) {
    seen++;
    try { if (fs.readFileSync('/proc/' + pid + '/environ', 'utf8').includes(${JSON.stringify(token)})) leaked++; } catch {}
  }
  say('parent-environ', leaked > 0, seen + ' processes visible');
  tryRead('config-dir', ${JSON.stringify(path.join(opts.coworkerHome, 'config', 'config.json'))});
  tryRead('data-dir', ${JSON.stringify(path.join(opts.coworkerHome, 'data', 'jobs.sqlite'))});
  tryRead('outside-file', ${JSON.stringify(outsideFile)});
  tryRead('ssh-key', ${JSON.stringify(path.join(userHome, '.ssh', 'id_ed25519'))});
  tryWrite('write-user-home', ${JSON.stringify(path.join(userHome, `pwned-${mark}`))} + '-' + phase);
  // /tmp is the sandbox's own: writing there works, and nothing of the host's /tmp (our canary) is in it.
  say('host-tmp', fs.existsSync('/tmp/canary-${mark}'), 'canary');
  fs.writeFileSync('/tmp/pwned-${mark}-' + phase, 'pwned');
  // Likewise /dev/shm (POSIX shared memory lives there).
  say('host-shm', fs.existsSync('/dev/shm/canary-${mark}'), 'canary');
  try { fs.writeFileSync('/dev/shm/pwned-${mark}-' + phase, 'pwned'); } catch {}
  const daemon = spawn('setsid', ['env', '-i', '/bin/sh', '-c', 'sleep 600 # ${mark}; touch ${path.join(userHome, `late-${mark}`)}'], { detached: true, stdio: 'ignore' });
  daemon.unref();
  await connect('tcp-local-service', { host: '127.0.0.1', port: ${opts.foreignPort} });
  await connect('abstract-socket', { path: '\\0${opts.abstractName}' });
  await connect('dbus-system', { path: '/run/dbus/system_bus_socket' });
  await connect('internet', { host: '1.1.1.1', port: 80 });
  await viaProxy('http-not-allowed', 'http://127.0.0.1:${opts.foreignPort}/', false);
  await viaProxy('', 'http://127.0.0.1:${opts.allowedPort}/', true);
  // sandbox.allowLocalPorts: the same address the app would use without a sandbox, only while it runs.
  await new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: ${opts.localPort} });
    s.once('connect', () => s.write('GET / HTTP/1.1\\r\\nhost: x\\r\\nconnection: close\\r\\n\\r\\n'));
    s.on('data', (d) => { console.log('LOCALPORT ' + phase + ' ' + String(d).split('\\r\\n')[0]); s.destroy(); resolve(); });
    s.once('error', (e) => { console.log('LOCALPORT ' + phase + ' ' + e.code); resolve(); });
  });
}
module.exports = main;
if (require.main === module) main();
`;
}

const attackNames = [
  'parent-environ',
  'config-dir',
  'data-dir',
  'outside-file',
  'ssh-key',
  'write-user-home',
  'host-tmp',
  'host-shm',
  'tcp-local-service',
  'abstract-socket',
  'dbus-system',
  'internet',
  'http-not-allowed',
];

describe('a hostile branch in the sandbox', () => {
  const home = tempHome();
  let repo: GitRepo;
  let foreign: Awaited<ReturnType<typeof countingServer>>;
  let allowed: Awaited<ReturnType<typeof countingServer>>;
  let local: Awaited<ReturnType<typeof countingServer>>;
  let abstractConnections = 0;
  const abstractName = `myfav-test-${mark}`;

  beforeAll(async () => {
    cleanups.push(() => home.cleanup());
    foreign = await countingServer();
    allowed = await countingServer();
    local = await countingServer();
    const abstract = net.createServer((s) => {
      abstractConnections++;
      s.destroy();
    });
    await new Promise<void>((r) => abstract.listen(`\0${abstractName}`, r));
    cleanups.push(() => new Promise((r) => abstract.close(r)));
    mkdirSync(path.join(home.dir, 'config'), { recursive: true });
    writeFileSync(
      path.join(home.dir, 'config', 'config.json'),
      JSON.stringify({
        anthropicApiKey: 'sk-ant-FAKE-config-secret',
        sandbox: { allowHosts: [`127.0.0.1:${allowed.port}`], allowLocalPorts: [local.port] },
      }),
    );
    const server = `
const http = require('node:http');
require('./attack.js')('app').then(() => {
  http.createServer((req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><html><head><title>ok</title><link rel="icon" href="data:,"></head><body><h1>Hello</h1></body></html>');
  }).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening on ' + process.env.PORT));
});
`;
    repo = await probingRepo('hostile', {
      script: {
        'attack.js': attackScript({
          coworkerHome: home.dir,
          foreignPort: foreign.port,
          allowedPort: allowed.port,
          localPort: local.port,
          abstractName,
        }),
      },
      server,
      dependencies: { 'local-dep': 'file:./local-dep' },
      files: { 'local-dep/package.json': JSON.stringify({ name: 'local-dep', version: '1.0.0' }) },
    });
    cleanups.push(() => repo.cleanup());
  });

  it('completes normally (page crawled, verdict pass) while every attack fails, seen from inside and outside', async () => {
    const { code, report } = await simulate(home.dir, repo.path, 'hostile', [], { GH_TOKEN: token });
    expect(report.error).toBeUndefined();
    expect(report).toMatchObject({ status: 'completed', verdict: 'pass', sandbox: { kind: 'bwrap' } });
    expect(code).toBe(0);
    expect(report.pages[0]).toMatchObject({ path: '/', status: 200 });

    const logs = {
      install: readFileSync(path.join(report.artifacts.dir, 'install.log'), 'utf8'),
      app: readFileSync(path.join(report.artifacts.dir, 'app.log'), 'utf8'),
    };
    for (const [phase, log] of Object.entries(logs)) {
      for (const name of attackNames) expect(log).toMatch(new RegExp(`ATTACK ${phase} ${name} blocked`));
      expect(log).not.toContain('ESCAPED');
      // Its own PID namespace: bubblewrap's init, our relay, the shell and the app — not the host's hundreds.
      const seen = Number(/parent-environ blocked (\d+) processes/.exec(log)?.[1]);
      expect(seen).toBeLessThan(15);
    }
    // The egress proxy works for what the user allowed: the refusals above are the sandbox's, not a broken network.
    expect(logs.app).toContain('PROXY app allowed-status 200');
    expect(logs.install).toContain('PROXY install allowed-status 200');
    expect(logs.app).toContain('LOCALPORT app HTTP/1.1 200 OK');
    expect(logs.install).toContain('LOCALPORT install ECONNREFUSED');

    // From outside: nothing written, nothing running, nothing reached.
    expect(readdirSync(userHome).filter((f) => f.includes(mark))).toEqual([]);
    expect(readdirSync('/tmp').filter((f) => f.includes(mark))).toEqual([`canary-${mark}`]);
    expect(readdirSync('/dev/shm').filter((f) => f.includes(mark))).toEqual([`canary-${mark}`]);
    expect(processesWhoseCmdlineHas(mark)).toEqual([]);
    expect(processesWithMarker(report.id)).toEqual([]);
    expect(foreign.connections()).toBe(0);
    expect(abstractConnections).toBe(0);
    expect(allowed.connections()).toBe(2);
    expect(local.connections()).toBe(1);
    expect(leftoversIn(home.dir)).toEqual([]);
    expect(JSON.stringify(report)).not.toContain(token);
  });
});

function processesWhoseCmdlineHas(text: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) found.push(Number(pid));
    } catch {
      // gone
    }
  }
  return found;
}

/** A registry stand-in on loopback: one package, its packument and tarball; records what it was asked. */
async function fakeRegistry(): Promise<{
  url: string;
  port: number;
  requests: Array<{ url: string; auth?: string }>;
}> {
  const dir = path.join(work, `tiny-pkg-${randomUUID().slice(0, 6)}`);
  mkdirSync(path.join(dir, 'package'), { recursive: true });
  writeFileSync(
    path.join(dir, 'package', 'package.json'),
    JSON.stringify({ name: 'tiny-pkg', version: '1.0.0', main: 'index.js' }),
  );
  writeFileSync(path.join(dir, 'package', 'index.js'), "module.exports = 'hello from tiny-pkg';\n");
  execFileSync('tar', ['-czf', path.join(dir, 'tiny.tgz'), '-C', dir, 'package']);
  const tarball = readFileSync(path.join(dir, 'tiny.tgz'));
  const requests: Array<{ url: string; auth?: string }> = [];
  const server = http.createServer((req, res) => {
    requests.push({
      url: req.url ?? '',
      ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
    });
    const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    if (req.url === '/tiny-pkg') {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          name: 'tiny-pkg',
          'dist-tags': { latest: '1.0.0' },
          versions: {
            '1.0.0': {
              name: 'tiny-pkg',
              version: '1.0.0',
              dist: {
                tarball: `${base}/tiny-pkg/-/tiny-pkg-1.0.0.tgz`,
                integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
                shasum: createHash('sha1').update(tarball).digest('hex'),
              },
            },
          },
        }),
      );
    } else if (req.url === '/tiny-pkg/-/tiny-pkg-1.0.0.tgz') {
      res.end(tarball);
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  const port = (server.address() as net.AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/`, port, requests };
}

const tinyApp = `
const http = require('node:http');
const fs = require('node:fs');
const said = require('tiny-pkg');
let npmrc = '';
try { npmrc = fs.readFileSync(require('node:path').join(process.env.HOME, '.npmrc'), 'utf8'); } catch {}
console.log('tiny says: ' + said);
console.log('app sees npm auth: ' + (npmrc.includes('secret-npm-token') || JSON.stringify(process.env).includes('secret-npm-token')));
http.createServer((req, res) => {
  res.setHeader('content-type', 'text/html');
  res.end('<!doctype html><html><head><title>tiny</title><link rel="icon" href="data:,"></head><body>' + said + '</body></html>');
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

function tinyRepo(extraFiles: Record<string, string> = {}): Promise<GitRepo> {
  return createGitRepo({
    files: { 'README.md': 'tiny\n' },
    branches: {
      feature: {
        'server.js': tinyApp,
        'package.json': JSON.stringify({
          name: 'tiny-app',
          version: '1.0.0',
          scripts: { start: 'node server.js' },
          dependencies: { 'tiny-pkg': '1.0.0' },
        }),
        ...extraFiles,
      },
    },
  });
}

function writeUserConfig(home: string, config: object): void {
  mkdirSync(path.join(home, 'config'), { recursive: true });
  writeFileSync(path.join(home, 'config', 'config.json'), JSON.stringify(config));
}

/** A fake registry the user config allows, a stand-in for the user's own proxy, and our home for the job. */
async function registryBehindUserProxy() {
  const registry = await fakeRegistry();
  const upstream = await startFakeUpstreamProxy();
  cleanups.push(() => upstream.close());
  const home = tempHome();
  cleanups.push(() => home.cleanup());
  writeUserConfig(home.dir, { sandbox: { allowHosts: [`127.0.0.1:${registry.port}`] } });
  return { registry, upstream, home };
}

describe('installing from a registry', () => {
  it('installs from a loopback registry allowed through sandbox.allowHosts', async () => {
    const registry = await fakeRegistry();
    const home = tempHome();
    cleanups.push(() => home.cleanup());
    writeUserConfig(home.dir, { sandbox: { allowHosts: [`127.0.0.1:${registry.port}`] } });
    const repo = await tinyRepo({ '.npmrc': `registry=${registry.url}\n` });
    cleanups.push(() => repo.cleanup());
    const { code, report } = await simulate(home.dir, repo.path, 'feature');
    expect(report.error).toBeUndefined();
    expect(report).toMatchObject({ status: 'completed', verdict: 'pass', sandbox: { kind: 'bwrap' } });
    expect(code).toBe(0);
    expect(registry.requests.map((r) => r.url)).toContain('/tiny-pkg/-/tiny-pkg-1.0.0.tgz');
    expect(readFileSync(path.join(report.artifacts.dir, 'app.log'), 'utf8')).toContain(
      'tiny says: hello from tiny-pkg',
    );
  });

  it("goes out through the user's own proxy (HTTPS_PROXY), as the user's npm would", async () => {
    const { registry, upstream, home } = await registryBehindUserProxy();
    const repo = await tinyRepo({ '.npmrc': `registry=${registry.url}\n` });
    cleanups.push(() => repo.cleanup());
    const { report } = await simulate(home.dir, repo.path, 'feature', [], { HTTPS_PROXY: upstream.url });
    expect(report).toMatchObject({ status: 'completed', verdict: 'pass' });
    // Every registry request of the install passed the user's proxy (the sandbox's own proxy chains to it),
    // and nothing else did: not the app, not the browser (Chromium's own traffic to accounts.google.com or
    // update.googleapis.com must not leave through the user's proxy), not our own process. Unfiltered, so
    // one stray request fails this.
    const origin = registry.url.replace(/\/$/, '');
    expect(registry.requests.map((r) => r.url)).toContain('/tiny-pkg/-/tiny-pkg-1.0.0.tgz');
    expect(upstream.seen.map((r) => `${r.kind} ${r.target}`).sort()).toEqual(
      registry.requests.map((r) => `http ${origin}${r.url}`).sort(),
    );
  });

  it("refuses a registry nobody allowed, naming the host and the setting (the branch's .npmrc does not decide)", async () => {
    const registry = await fakeRegistry();
    const home = tempHome();
    cleanups.push(() => home.cleanup());
    const repo = await tinyRepo({ '.npmrc': `registry=${registry.url}\n` });
    cleanups.push(() => repo.cleanup());
    const { code, report } = await simulate(home.dir, repo.path, 'feature');
    expect(code).toBe(2);
    expect(report.error).toMatchObject({ code: 'INSTALL_FAILED' });
    expect(report.error?.message).toContain(`refused connections to 127.0.0.1:${registry.port}`);
    expect(report.error?.message).toContain('"sandbox.allowHosts"');
    expect(report.error?.message).toContain(path.join(home.dir, 'config', 'config.json'));
    expect(registry.requests).toEqual([]);
    expect(leftoversIn(home.dir)).toEqual([]);
  });

  it("uses the registry and auth of the user's own ~/.npmrc for the install, and keeps them from the app", async () => {
    const registry = await fakeRegistry();
    const home = tempHome();
    cleanups.push(() => home.cleanup());
    const npmHome = path.join(work, `npm-user-${randomUUID().slice(0, 6)}`);
    mkdirSync(npmHome);
    writeFileSync(
      path.join(npmHome, '.npmrc'),
      `registry=${registry.url}\n//127.0.0.1:${registry.port}/:_authToken=\${MY_NPM_TOKEN}\n`,
    );
    const repo = await tinyRepo();
    cleanups.push(() => repo.cleanup());
    const { code, report } = await simulate(home.dir, repo.path, 'feature', [], {
      HOME: npmHome,
      MY_NPM_TOKEN: 'secret-npm-token',
      // What `npx myfav-coworker` (or `npm test`) passes down for this user's config.
      npm_config_userconfig: path.join(npmHome, '.npmrc'),
      npm_config_registry: registry.url,
    });
    expect(report.error).toBeUndefined();
    expect(code).toBe(0);
    expect(registry.requests.length).toBeGreaterThan(0);
    expect(registry.requests.every((r) => r.auth === 'Bearer secret-npm-token')).toBe(true);
    const appLog = readFileSync(path.join(report.artifacts.dir, 'app.log'), 'utf8');
    expect(appLog).toContain('tiny says: hello from tiny-pkg');
    expect(appLog).toContain('app sees npm auth: false');
  });
});

// Reads everything the branch's code can reach and says which secrets it saw where ("SEEN <phase> <name>
// <where>"). The secrets are in the script hex-encoded, so the script file itself (in the scanned
// worktree) does not count as a sighting.
function secretScanScript(secrets: Record<string, string>): string {
  const encoded = Object.fromEntries(
    Object.entries(secrets).map(([name, value]) => [name, Buffer.from(value).toString('hex')]),
  );
  return `
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const secrets = Object.entries(${JSON.stringify(encoded)}).map(([name, hex]) => [name, Buffer.from(hex, 'hex').toString()]);
module.exports = function scan(phase) {
  const sightings = new Set();
  const look = (where, text) => {
    for (const [name, value] of secrets) if (text.includes(value)) sightings.add(name + ' ' + where);
  };
  look('process.env', JSON.stringify(process.env));
  let procs = 0;
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p))) {
    procs++;
    for (const f of ['environ', 'cmdline']) {
      try { look('/proc/' + (pid === String(process.pid) ? 'self' : pid) + '/' + f, fs.readFileSync('/proc/' + pid + '/' + f, 'latin1')); } catch {}
    }
  }
  for (const args of [['config', 'ls', '-l'], ['config', 'get', 'proxy'], ['config', 'get', 'https-proxy']]) {
    try { look('npm ' + args.join(' '), execFileSync('npm', args, { encoding: 'utf8', timeout: 60000, stdio: ['ignore', 'pipe', 'pipe'] })); }
    catch (e) { look('npm ' + args.join(' '), String(e.stdout) + String(e.stderr)); }
  }
  // Every file reachable under these roots, symlinks followed (each real file once).
  let files = 0;
  const seenReal = new Set();
  const walk = (p, depth) => {
    if (depth > 40 || files > 50000) return;
    let real, st;
    try { real = fs.realpathSync(p); st = fs.statSync(real); } catch { return; }
    if (seenReal.has(real) || /^\\/(proc|sys|dev)(\\/|$)/.test(real)) return;
    seenReal.add(real);
    if (st.isDirectory()) {
      let names = [];
      try { names = fs.readdirSync(real); } catch { return; }
      for (const n of names) walk(path.join(p, n), depth + 1);
    } else if (st.isFile() && st.size <= 4 * 1024 * 1024) {
      files++;
      try { look(p, fs.readFileSync(real, 'latin1')); } catch {}
    }
  };
  const roots = [process.env.HOME, process.env.TMPDIR, '/tmp', '/var/tmp', '/run', process.cwd(), process.env.npm_config_cache, '/etc'];
  for (const root of roots) if (root) walk(root, 0);
  console.log('SCAN ' + phase + ' files=' + files + ' procs=' + procs);
  for (const s of sightings) console.log('SEEN ' + phase + ' ' + s);
};
if (require.main === module) module.exports(process.argv[2]);
`;
}

describe("proxy credentials and tokens in the branch's reach", () => {
  it('are nowhere the install or the app can look (environment, /proc, npm config, files), though the install used them', async () => {
    const { registry, upstream, home } = await registryBehindUserProxy();
    const proxyAt = (user: string, pass: string) => `http://${user}:${pass}@127.0.0.1:${upstream.port}`;
    const basic = (user: string, pass: string) => Buffer.from(`${user}:${pass}`).toString('base64');
    const secrets = {
      'env-proxy-password': 'Sh3llPr0xyPass',
      'env-proxy-basic': basic('envuser', 'Sh3llPr0xyPass'),
      'npm-env-proxy-password': 'NpmEnvPr0xyPass',
      'npmrc-proxy-password': 'NpmrcPr0xyPass',
      'npmrc-proxy-basic': basic('npmrcuser', 'NpmrcPr0xyPass'),
      'pnpmrc-proxy-password': 'PnpmPr0xyPass',
      'yarnrc-proxy-password': 'YarnPr0xyPass',
      'yarnrc-yml-proxy-password': 'BerryPr0xyPass',
      'github-token-env': token,
      'github-token-file': `gho_${'F1leT0ken'.repeat(4)}`,
      'anthropic-key-env': 'sk-ant-FAKE-env-secret-4711',
      'anthropic-key-config': 'sk-ant-FAKE-config-secret-4711',
      // The user's registry token: the install needs it (so it sees it), the app must not.
      'registry-token': 'visible-registry-token-4711',
    };
    writeUserConfig(home.dir, {
      anthropicApiKey: secrets['anthropic-key-config'],
      sandbox: { allowHosts: [`127.0.0.1:${registry.port}`] },
    });
    writeFileSync(
      path.join(home.dir, 'config', 'github-hosts.json'),
      JSON.stringify({ 'github.com': { login: 'me', token: secrets['github-token-file'] } }),
    );
    const npmHome = path.join(work, `proxy-user-${randomUUID().slice(0, 6)}`);
    mkdirSync(path.join(npmHome, '.config', 'pnpm'), { recursive: true });
    writeFileSync(
      path.join(npmHome, '.npmrc'),
      [
        `registry=${registry.url}`,
        `https-proxy=${proxyAt('npmrcuser', secrets['npmrc-proxy-password'])}`,
        `proxy = "${proxyAt('npmrcuser', secrets['npmrc-proxy-password'])}"`,
        `//127.0.0.1:${registry.port}/:_authToken=${secrets['registry-token']}`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      path.join(npmHome, '.config', 'pnpm', 'rc'),
      `https_proxy=${proxyAt('pnpmuser', secrets['pnpmrc-proxy-password'])}\n`,
    );
    writeFileSync(
      path.join(npmHome, '.yarnrc'),
      `https-proxy "${proxyAt('yarnuser', secrets['yarnrc-proxy-password'])}"\n`,
    );
    writeFileSync(
      path.join(npmHome, '.yarnrc.yml'),
      `httpsProxy: "${proxyAt('berryuser', secrets['yarnrc-yml-proxy-password'])}"\n`,
    );
    const server = `
require('./scan.js')('app');
require('node:http').createServer((req, res) => {
  res.setHeader('content-type', 'text/html');
  res.end('<!doctype html><html><head><title>scan</title><link rel="icon" href="data:,"></head><body>' + require('tiny-pkg') + '</body></html>');
}).listen(Number(process.env.PORT), '127.0.0.1');
`;
    const repo = await probingRepo('feature', {
      script: { 'scan.js': secretScanScript(secrets) },
      server,
      dependencies: { 'tiny-pkg': '1.0.0' },
    });
    cleanups.push(() => repo.cleanup());

    const envProxy = proxyAt('envuser', secrets['env-proxy-password']);
    const { code, report } = await simulate(home.dir, repo.path, 'feature', [], {
      HOME: npmHome,
      npm_config_userconfig: path.join(npmHome, '.npmrc'),
      HTTPS_PROXY: envProxy,
      HTTP_PROXY: envProxy,
      'npm_config_https-proxy': proxyAt('npmenvuser', secrets['npm-env-proxy-password']),
      GH_TOKEN: token,
      ANTHROPIC_API_KEY: secrets['anthropic-key-env'],
    });
    expect(report.error).toBeUndefined();
    expect(report).toMatchObject({ status: 'completed', verdict: 'pass', sandbox: { kind: 'bwrap' } });
    expect(code).toBe(0);

    // The credentials were in effect: every request of the install reached the user's proxy with them.
    expect(registry.requests.map((r) => r.url)).toContain('/tiny-pkg/-/tiny-pkg-1.0.0.tgz');
    expect(upstream.seen.length).toBeGreaterThan(0);
    expect(upstream.seen.every((r) => r.auth === `Basic ${secrets['env-proxy-basic']}`)).toBe(true);

    const logs = {
      install: readFileSync(path.join(report.artifacts.dir, 'install.log'), 'utf8'),
      app: readFileSync(path.join(report.artifacts.dir, 'app.log'), 'utf8'),
    };
    for (const [phase, log] of Object.entries(logs)) {
      // The scan ran and read files (the install's HOME alone has the .npmrc, the package cache, …).
      expect(Number(new RegExp(`SCAN ${phase} files=(\\d+)`).exec(log)?.[1])).toBeGreaterThan(10);
      const seen = log.split('\n').filter((l) => l.startsWith(`SEEN ${phase} `));
      // Only the registry token, only during install, only in the .npmrc placed in the job's HOME (and that
      // mount's source in the run's runtime dir).
      if (phase === 'install')
        expect(seen.sort()).toEqual([
          'SEEN install registry-token /run/myfav/home-files/.npmrc',
          expect.stringMatching(/^SEEN install registry-token \/.*\/home\/\.npmrc$/),
        ]);
      else expect(seen).toEqual([]);
    }
    // Nor do they reach what the user reads: report, logs.
    const visible = [
      JSON.stringify(report),
      logs.install,
      logs.app,
      readFileSync(report.artifacts.reportMd, 'utf8'),
    ];
    for (const [name, value] of Object.entries(secrets)) {
      if (name === 'registry-token') continue;
      for (const text of visible) expect(text.includes(value), name).toBe(false);
    }
  });
});

describe("a branch that re-points the bridge's socket at a host service", () => {
  // The runtime dir (/run/myfav inside) is the sandbox's to write. If our process connected to a socket
  // there by path, a symlink planted in its place would make our process — outside, on the host's
  // filesystem — connect the browser's requests to any unix socket of the host (docker.sock, …).
  it('never reaches the host service: the browser only ever gets to the sandbox', async () => {
    const home = tempHome();
    cleanups.push(() => home.cleanup());
    const hostSocket = path.join(work, `host-service-${randomUUID().slice(0, 6)}.sock`);
    let hostConnections = 0;
    const hostService = http.createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>host</title><link rel="icon" href="data:,"><p>host service</p>');
    });
    hostService.on('connection', () => hostConnections++);
    await new Promise<void>((r) => hostService.listen(hostSocket, r));
    cleanups.push(() => new Promise((r) => hostService.close(r)));
    const server = `
const fs = require('node:fs');
for (const name of fs.readdirSync('/run/myfav')) {
  if (!name.endsWith('.sock') || name === 'proxy.sock') continue;
  const file = '/run/myfav/' + name;
  try { fs.unlinkSync(file); fs.symlinkSync(${JSON.stringify(hostSocket)}, file); console.log('REPOINTED ' + name); }
  catch (e) { console.log('could not re-point ' + name + ': ' + e.code); }
}
require('node:http').createServer((req, res) => {
  res.setHeader('content-type', 'text/html');
  res.end('<!doctype html><title>app</title><link rel="icon" href="data:,"><p>the app</p>');
}).listen(Number(process.env.PORT), '127.0.0.1');
`;
    const repo = await createGitRepo({
      files: { 'README.md': 'repoint\n' },
      branches: { feature: { 'server.js': server } },
    });
    cleanups.push(() => repo.cleanup());
    const { report } = await simulate(home.dir, repo.path, 'feature', ['--start', 'node server.js']);
    const appLog = readFileSync(path.join(report.artifacts.dir, 'app.log'), 'utf8');
    expect(appLog).toMatch(/REPOINTED \S+\.sock/);
    expect(hostConnections).toBe(0);
    expect(JSON.stringify(report)).not.toContain('host service');
    expect(leftoversIn(home.dir)).toEqual([]);
  });
});

describe('without bubblewrap', () => {
  const home = tempHome();
  let repo: GitRepo;
  let pathWithoutBwrap: string;
  beforeAll(async () => {
    cleanups.push(() => home.cleanup());
    // Only git (and our node) on PATH: a machine where bubblewrap is not installed.
    const bin = path.join(work, 'bin-without-bwrap');
    mkdirSync(bin);
    symlinkSync(
      execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(),
      path.join(bin, 'git'),
    );
    pathWithoutBwrap = [bin, path.dirname(process.execPath)].join(path.delimiter);
    repo = await createGitRepo({
      files: { 'README.md': 'plain\n' },
      branches: {
        feature: {
          'server.js': `require('node:http').createServer((q, s) => { s.setHeader('content-type', 'text/html'); s.end('<!doctype html><title>p</title><link rel="icon" href="data:,"><p>plain</p>'); }).listen(Number(process.env.PORT), '127.0.0.1');`,
        },
      },
    });
    cleanups.push(() => repo.cleanup());
  });

  it('refuses to simulate, saying what is missing and how to install it', async () => {
    const { code, report } = await simulate(home.dir, repo.path, 'feature', ['--start', 'node server.js'], {
      PATH: pathWithoutBwrap,
    });
    expect(code).toBe(2);
    expect(report.error).toMatchObject({
      code: 'SANDBOX_UNAVAILABLE',
      message: expect.stringContaining('bubblewrap (bwrap) is not installed'),
      hint: expect.stringContaining('apt-get install bubblewrap'),
    });
    expect(report.error?.hint).toContain('--no-sandbox');
    expect(leftoversIn(home.dir)).toEqual([]);
  });

  it('runs with --no-sandbox, and every report says it ran without a sandbox', async () => {
    const { code, report } = await simulate(
      home.dir,
      repo.path,
      'feature',
      ['--start', 'node server.js', '--no-sandbox'],
      { PATH: pathWithoutBwrap },
    );
    expect(report.error).toBeUndefined();
    expect(code).toBe(0);
    expect(report).toMatchObject({ verdict: 'pass', sandbox: { kind: 'none', reason: '--no-sandbox' } });
    expect(report.summary).toContain('ran without a sandbox (--no-sandbox)');
    expect(readFileSync(report.artifacts.reportMd, 'utf8')).toContain('ran without a sandbox');
    expect(readFileSync(report.artifacts.reportHtml, 'utf8')).toContain('ran without a sandbox');
    const shown = await runCli(['show', report.id], { home: home.dir });
    expect(shown.stdout).toContain('ran without a sandbox');
  });
});

describe('package.json that is not a small regular file', () => {
  const home = tempHome();
  let repo: GitRepo;
  beforeAll(async () => {
    cleanups.push(() => home.cleanup());
    repo = await createGitRepo({
      files: { 'README.md': 'odd\n' },
      branches: {
        huge: {
          'package.json': `{"name":"huge","scripts":{"start":"node x.js"},"x":"${'x'.repeat(5 * 1024 * 1024)}"}`,
        },
      },
    });
    cleanups.push(() => repo.cleanup());
    await git(repo.path, ['checkout', '--quiet', '-b', 'zero', 'main']);
    symlinkSync('/dev/zero', path.join(repo.path, 'package.json'));
    await git(repo.path, ['add', '--all']);
    await git(repo.path, ['commit', '--quiet', '--no-verify', '-m', 'package.json → /dev/zero']);
    await git(repo.path, ['checkout', '--quiet', 'main']);
  });

  for (const [branch, expected] of [
    ['zero', /package\.json in the branch is a link to \/dev\/zero, outside the repository/],
    ['huge', /package\.json in the branch is 5\.0 MB, more than the 4 MB/],
  ] as const) {
    it(`${branch}: a clear error, the job recorded, nothing left, in the detect phase`, async () => {
      const { code, report } = await simulate(home.dir, repo.path, branch);
      expect(code).toBe(2);
      expect(report.error).toMatchObject({ code: 'UNSAFE_FILE', message: expect.stringMatching(expected) });
      expect(report.error?.hint).toContain('regular file');
      // Without the bound this would read /dev/zero until memory ran out (the test would time out).
      expect(Object.keys(report.timings)).not.toContain('install');
      const listed = await runCli(['jobs', '--json'], { home: home.dir });
      expect(listed.stdout).toContain(report.id);
      expect(leftoversIn(home.dir)).toEqual([]);
    });
  }
});
