// One sandboxed run (an install or an app): its runtime dir, egress proxy, loopback bridge and
// local-port forwards, and the command line that starts it. Everything here belongs to this run only,
// so the head and base runs of one job (or two jobs) never meet.

import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { bwrapArgs, insideRuntimeDir, toolMounts, worktreeGitDir } from './bwrap.js';
import { type EgressProxy, startEgressProxy } from './egressProxy.js';
import { formatHostRule, type HostRule } from './hosts.js';
import { type RelaySpec, relaySource } from './relayScript.js';
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
}

export interface SandboxRun {
  /** App: the host port of the loopback bridge (= PORT inside). */
  port?: number;
  /** App: a unix socket that answers "1" once something listens on that port inside, "0" before. */
  probeSocket?: string;
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
    if (opts.phase === 'app') {
      const bridge = await openBridge(
        opts.appHost ?? '127.0.0.1',
        opts.appPort ?? 0,
        path.join(runtimeDir, 'app.sock'),
      );
      closers.push(bridge.close);
      port = bridge.port;
      spec.inbound.push({ socket: `${insideRuntimeDir}/app.sock`, port });
      spec.probes = [{ socket: `${insideRuntimeDir}/probe.sock`, port }];
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
      ...(port !== undefined ? { port, probeSocket: path.join(runtimeDir, 'probe.sock') } : {}),
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

/** The browser's way in: a TCP listener on the host that forwards each connection to the run's app socket. */
async function openBridge(
  host: string,
  port: number,
  socket: string,
): Promise<{ port: number; close: () => Promise<void> }> {
  const conns = new Set<net.Socket>();
  // noDelay: without it Nagle's algorithm holds small writes back (tens of ms per request).
  const server = net.createServer({ noDelay: true }, (client) => {
    conns.add(client);
    client.once('close', () => conns.delete(client));
    const upstream = net.connect(socket);
    pipeBoth(client, upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: host.replace(/^\[(.*)\]$/, '$1'), port, exclusive: true }, () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of conns) c.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An allowed local port: a unix socket in the runtime dir that forwards to 127.0.0.1:port on the host. */
async function openForward(socket: string, port: number): Promise<() => Promise<void>> {
  const conns = new Set<net.Socket>();
  const server = net.createServer((client) => {
    conns.add(client);
    client.once('close', () => conns.delete(client));
    pipeBoth(client, net.connect({ host: '127.0.0.1', port, noDelay: true }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
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
