// One sandboxed run (an install or an app): its runtime dir, egress proxy, loopback bridge and
// local-port forwards, and the command line that starts it. Everything here belongs to this run only,
// so the head and base runs of one job (or two jobs) never meet.

import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { bwrapArgs, insideRuntimeDir, nobodyUid, toolMounts, worktreeGitDir } from './bwrap.js';
import { type EgressProxy, startEgressProxy } from './egressProxy.js';
import { formatHostRule, type HostRule } from './hosts.js';
import { type RelaySpec, relaySource, tunnelOps } from './relayScript.js';
import type { BwrapSandbox } from './types.js';

export interface SandboxRunOptions {
  phase: 'install' | 'app';
  /** The job's worktree (read-write). */
  checkoutDir: string;
  /** The per-job HOME (read-write; TMPDIR lives in it). */
  home: string;
  cwd: string;
  /** App: the port the browser reaches it at (0 = any free one); the app gets the same one inside. */
  appPort?: number;
  appHost?: string;
  /** Run as "nobody" inside when we are root (a server that refuses root). */
  nonRoot?: boolean;
}

export interface SandboxRun {
  /** App: the host port of the loopback bridge (= PORT inside). */
  port?: number;
  /**
   * App: whether something listens on that port inside (the bridge accepts every connection itself,
   * so a TCP check through it would say nothing).
   */
  probe?: (timeoutMs: number) => Promise<{ ok: true } | { ok: false; reason: string }>;
  /** Environment entries the command needs inside (proxy settings). */
  env: Record<string, string>;
  /** [file, args] that run `command` with `env` in the sandbox. */
  wrap(command: string, env: Record<string, string>): { file: string; args: string[] };
  /** Hosts the egress proxy refused so far. */
  refused(): string[];
  /** A sentence for error messages when something was refused; '' otherwise. */
  refusedHint(): string;
  close(): Promise<void>;
}

/** Port of the egress proxy inside the sandbox (moved when the app asked for it). */
const proxyPortInside = (appPort: number | undefined) => (appPort === 3128 ? 3129 : 3128);

/** The longest socket name a run makes in its runtime dir (`port-65535.sock`), for the path limit below. */
const longestSocketName = 'port-65535.sock';
/** sun_path holds 108 bytes on Linux (104 on macOS) including the terminating NUL. */
const maxSocketPath = 103;

/**
 * The parent of a run's runtime dir: the job's temp dir when its sockets' paths fit the kernel's limit
 * there, so that a job killed with -9 leaves nothing outside the dir recovery removes; the system temp
 * dir otherwise (a very deep cache dir), where only a kill -9 can leave it behind.
 */
function runtimeParentOf(sandbox: BwrapSandbox): string {
  const parent = sandbox.runtimeParent;
  const longest = parent ? path.join(parent, 'myfav-sbx-XXXXXX', longestSocketName) : '';
  return parent && Buffer.byteLength(longest) <= maxSocketPath ? parent : os.tmpdir();
}

export async function openSandboxRun(sandbox: BwrapSandbox, opts: SandboxRunOptions): Promise<SandboxRun> {
  const runtimeDir = await mkdtemp(path.join(runtimeParentOf(sandbox), 'myfav-sbx-'));
  await chmod(runtimeDir, 0o700);
  const closers: Array<() => Promise<void>> = [() => rm(runtimeDir, { recursive: true, force: true })];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => {});
  };
  try {
    await writeFile(path.join(runtimeDir, 'relay.cjs'), relaySource);
    const spec: Omit<RelaySpec, 'command'> = { inbound: [], outbound: [] };
    const env: Record<string, string> = {};

    let port: number | undefined;
    let bridge: Bridge | undefined;
    if (opts.phase === 'app') {
      bridge = await openBridge(
        opts.appHost ?? '127.0.0.1',
        opts.appPort ?? 0,
        path.join(runtimeDir, 'tunnel.sock'),
      );
      closers.push(bridge.close);
      port = bridge.port;
      spec.inbound.push({ socket: `${insideRuntimeDir}/tunnel.sock`, port });
    }

    const rules: HostRule[] =
      opts.phase === 'install' ? [...sandbox.install.hosts, ...sandbox.allowHosts] : [...sandbox.allowHosts];
    let proxy: EgressProxy | undefined;
    if (rules.length > 0) {
      proxy = await startEgressProxy(path.join(runtimeDir, 'proxy.sock'), rules, sandbox.upstreamProxy);
      closers.push(proxy.close);
      const insidePort = proxyPortInside(port);
      spec.outbound.push({ port: insidePort, socket: `${insideRuntimeDir}/proxy.sock` });
      Object.assign(env, proxyEnv(`http://127.0.0.1:${insidePort}`, opts.phase));
    }
    if (opts.phase === 'app') {
      // No registry while the app runs: `npx pkg@1.2.3 dev` takes what the install cached, at once,
      // instead of retrying the network for a minute.
      env.npm_config_offline = 'true';
      for (const local of sandbox.allowLocalPorts) {
        const socket = path.join(runtimeDir, `port-${local}.sock`);
        const fwd = await openForward(socket, local);
        closers.push(fwd);
        spec.outbound.push({ port: local, socket: `${insideRuntimeDir}/port-${local}.sock` });
      }
    }

    const files: Array<[string, string]> = [];
    const hidden: string[] = [];
    if (opts.phase === 'install') {
      const dir = path.join(runtimeDir, 'home-files');
      for (const { rel, content } of sandbox.install.homeFiles) {
        const file = path.join(dir, rel.replaceAll('/', '__'));
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await writeFile(file, content, { mode: 0o600 });
        const target = path.join(opts.home, rel);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, '', { flag: 'a' }); // the mount point, in the job's HOME
        files.push([file, target]);
      }
      Object.assign(env, sandbox.install.env);
    }
    const nodePrefixNpmrc = path.join(path.dirname(path.dirname(process.execPath)), 'etc', 'npmrc');
    if (opts.phase === 'app') hidden.push(nodePrefixNpmrc); // npm's global config may hold registry auth

    const gitDir = worktreeGitDir(opts.checkoutDir);
    const writable = [opts.checkoutDir, opts.home, sandbox.packageCacheDir];
    await mkdir(sandbox.packageCacheDir, { recursive: true, mode: 0o700 });

    return {
      ...(port !== undefined && bridge ? { port, probe: bridge.probe } : {}),
      env,
      wrap(command, childEnv) {
        const mounts = bwrapArgs({
          writable,
          readOnly: [
            ...toolMounts(childEnv.PATH ?? '', sandbox.userHome, sandbox.forbidden),
            ...(gitDir ? [gitDir] : []),
          ],
          files,
          hidden,
          runtimeDir,
          cwd: opts.cwd,
          ...(opts.nonRoot && process.getuid?.() === 0 ? { uid: nobodyUid } : {}),
        });
        const relay: RelaySpec = { ...spec, command };
        return {
          file: sandbox.bwrapPath,
          args: [...mounts, '--', process.execPath, `${insideRuntimeDir}/relay.cjs`, JSON.stringify(relay)],
        };
      },
      refused: () => proxy?.refused() ?? [],
      refusedHint() {
        const refused = proxy?.refused() ?? [];
        if (refused.length === 0) return '';
        const what = `The sandbox refused connections to ${refused.slice(0, 5).join(', ')}`;
        const allowed = rules.length
          ? ` (allowed: ${[...new Set(rules.map(formatHostRule))].join(', ')})`
          : '';
        return `${what}${allowed}. If ${refused.length > 1 ? 'they are' : 'it is'} needed, add ${refused.length > 1 ? 'them' : 'it'} to "sandbox.allowHosts" in ${sandbox.configFile}.`;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

function proxyEnv(url: string, phase: 'install' | 'app'): Record<string, string> {
  // During install every request goes through the proxy, loopback registries included; the app's own
  // calls to itself stay inside the sandbox.
  const noProxy = phase === 'app' ? 'localhost,127.0.0.1,::1' : '';
  return {
    HTTP_PROXY: url,
    HTTPS_PROXY: url,
    http_proxy: url,
    https_proxy: url,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
    npm_config_proxy: url,
    npm_config_https_proxy: url,
    npm_config_noproxy: noProxy,
    YARN_HTTP_PROXY: url,
    YARN_HTTPS_PROXY: url,
    // Node's own fetch/http honour the variables above only when asked to (Node ≥ 22.21 / 24.5).
    NODE_USE_ENV_PROXY: '1',
  };
}

interface Bridge {
  port: number;
  probe: NonNullable<SandboxRun['probe']>;
  close: () => Promise<void>;
}

/** How long a browser connection waits for the relay's next tunnel connection when all are in use. */
const tunnelWaitMs = 5000;

/**
 * The browser's way in: a TCP listener on the host, and a unix socket in the runtime dir that the
 * sandbox's relay dials (see relayScript.ts). Each browser connection is handed to one of the relay's
 * waiting connections. We only listen on that socket, never connect to a path in the runtime dir: the
 * sandbox can replace anything there, and our connect() would follow its symlink on the host.
 */
async function openBridge(host: string, port: number, tunnelSocket: string): Promise<Bridge> {
  const conns = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    conns.add(s);
    s.once('close', () => conns.delete(s));
  };
  /** The relay's connections, open (waiting or in use). */
  const tunnels = new Set<net.Socket>();
  const waitingTunnels: net.Socket[] = [];
  const waitingClients: Array<(tunnel: net.Socket | undefined) => void> = [];
  const tunnelServer = net.createServer((tunnel) => {
    track(tunnel);
    tunnels.add(tunnel);
    tunnel.on('error', () => tunnel.destroy());
    tunnel.once('close', () => {
      tunnels.delete(tunnel);
      const i = waitingTunnels.indexOf(tunnel);
      if (i >= 0) waitingTunnels.splice(i, 1);
    });
    const client = waitingClients.shift();
    if (client) client(tunnel);
    else waitingTunnels.push(tunnel);
  });
  /** A tunnel for one connection; none when the relay is not (or no longer) there. */
  const takeTunnel = (): Promise<net.Socket | undefined> => {
    const ready = waitingTunnels.shift();
    if (ready) return Promise.resolve(ready);
    // A relay that runs keeps connections open (in use, or being replaced); none means it is gone.
    if (tunnels.size === 0) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const give = (tunnel: net.Socket | undefined) => {
        clearTimeout(timer);
        resolve(tunnel);
      };
      const timer = setTimeout(() => {
        const i = waitingClients.indexOf(give);
        if (i >= 0) waitingClients.splice(i, 1);
        resolve(undefined);
      }, tunnelWaitMs);
      waitingClients.push(give);
    });
  };

  // noDelay: without it Nagle's algorithm holds small writes back (tens of ms per request).
  const server = net.createServer({ noDelay: true }, (client) => {
    track(client);
    client.pause();
    void takeTunnel().then((tunnel) => {
      if (!tunnel || client.destroyed) {
        tunnel?.destroy();
        client.destroy();
        return;
      }
      tunnel.setNoDelay(true);
      tunnel.write(tunnelOps.app);
      pipeBoth(client, tunnel);
    });
  });
  await listen(tunnelServer, tunnelSocket);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: host.replace(/^\[(.*)\]$/, '$1'), port, exclusive: true }, () => resolve());
    });
  } catch (err) {
    tunnelServer.close();
    throw err;
  }

  const probe: Bridge['probe'] = async (timeoutMs) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<{ ok: false; reason: string }>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
    });
    const asked = takeTunnel().then(
      (tunnel) =>
        new Promise<{ ok: true } | { ok: false; reason: string }>((resolve) => {
          if (!tunnel) return resolve({ ok: false, reason: 'the sandbox is not running' });
          let answer = '';
          tunnel.setEncoding('utf8');
          tunnel.on('data', (chunk: string) => {
            answer += chunk;
          });
          tunnel.once('close', () =>
            resolve(answer === '1' ? { ok: true } : { ok: false, reason: 'nothing listens on the port yet' }),
          );
          tunnel.write(tunnelOps.probe);
          void timeout.then(() => tunnel.destroy());
        }),
    );
    try {
      return await Promise.race([asked, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    port: (server.address() as net.AddressInfo).port,
    probe,
    close: () =>
      new Promise<void>((resolve) => {
        for (const give of waitingClients.splice(0)) give(undefined);
        for (const c of conns) c.destroy();
        tunnelServer.close();
        server.close(() => resolve());
      }),
  };
}

function listen(server: net.Server, socket: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
}

/** An allowed local port: a unix socket in the runtime dir that forwards to 127.0.0.1:port on the host. */
async function openForward(socket: string, port: number): Promise<() => Promise<void>> {
  const conns = new Set<net.Socket>();
  const server = net.createServer((client) => {
    conns.add(client);
    client.once('close', () => conns.delete(client));
    pipeBoth(client, net.connect({ host: '127.0.0.1', port, noDelay: true }));
  });
  await listen(server, socket);
  return () =>
    new Promise<void>((resolve) => {
      for (const c of conns) c.destroy();
      server.close(() => resolve());
    });
}

function pipeBoth(a: net.Socket, b: net.Socket): void {
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.on('close', () => b.destroy());
  b.on('close', () => a.destroy());
  a.pipe(b);
  b.pipe(a);
}
