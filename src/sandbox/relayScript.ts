// The one process of ours inside a sandbox. It runs as the sandbox's main process (bubblewrap's init
// is pid 1), so when it exits the kernel kills everything else in the PID namespace: daemons started
// with setsid, env -i or a double fork included. It
//   - relays inbound: a unix socket in the shared runtime dir → 127.0.0.1:PORT inside (the app), which
//     is how the browser outside reaches an app that has no network of its own;
//   - relays outbound: 127.0.0.1:PORT inside → a unix socket our process listens on (the egress proxy,
//     allowed local ports), the only ways out;
//   - runs the command through /bin/sh and exits with its status.
// Plain CommonJS in a string: it is written into the runtime dir and run by our own node binary, so it
// must not depend on how this package was built or on anything the sandbox cannot see.

export interface RelaySpec {
  /** Unix socket (inside path) → TCP port inside the sandbox. */
  inbound: Array<{ socket: string; port: number }>;
  /** TCP port inside the sandbox (on 127.0.0.1 and ::1) → unix socket (inside path). */
  outbound: Array<{ port: number; socket: string }>;
  /**
   * Unix socket (inside path) that answers "1" when something listens on the TCP port inside, else
   * "0": how a TCP readiness check sees through the bridge (which accepts every connection itself).
   */
  probes?: Array<{ socket: string; port: number }>;
  command: string;
}

export const relaySource = String.raw`'use strict';
const net = require('node:net');
const { spawn } = require('node:child_process');
const spec = JSON.parse(process.argv[2]);

function pipe(a, b) {
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
  a.on('close', () => b.destroy());
  b.on('close', () => a.destroy());
  a.pipe(b);
  b.pipe(a);
}

// The app may listen on 127.0.0.1 or on ::1 ("localhost" resolves either way).
function connectApp(port, client) {
  const tryHost = (hosts) => {
    // noDelay: without it Nagle's algorithm holds small writes back (tens of ms per request).
    const upstream = net.connect({ host: hosts[0], port, noDelay: true });
    upstream.once('connect', () => {
      upstream.removeAllListeners('error');
      pipe(client, upstream);
    });
    upstream.once('error', () => (hosts.length > 1 ? tryHost(hosts.slice(1)) : client.destroy()));
  };
  tryHost(['127.0.0.1', '::1']);
}

const probes = spec.probes || [];
let pending = spec.inbound.length + spec.outbound.length * 2 + probes.length;
function ready() {
  if (--pending <= 0) start();
}
for (const { socket, port } of spec.inbound) {
  net.createServer((client) => connectApp(port, client)).listen(socket, ready);
}
for (const { socket, port } of probes) {
  net.createServer((client) => {
    const tryHost = (hosts) => {
      const upstream = net.connect({ host: hosts[0], port });
      upstream.once('connect', () => {
        upstream.destroy();
        client.end('1');
      });
      upstream.once('error', () => (hosts.length > 1 ? tryHost(hosts.slice(1)) : client.end('0')));
    };
    client.on('error', () => {});
    tryHost(['127.0.0.1', '::1']);
  }).listen(socket, ready);
}
for (const { port, socket } of spec.outbound) {
  for (const host of ['127.0.0.1', '::1']) {
    const server = net.createServer({ noDelay: true }, (client) => pipe(client, net.connect(socket)));
    server.once('error', ready); // no IPv6 in the sandbox: the IPv4 listener is enough
    server.listen({ host, port }, ready);
  }
}
if (pending === 0) start();

let child;
function start() {
  if (child) return;
  child = spawn('/bin/sh', ['-c', spec.command], { stdio: 'inherit', detached: true });
  child.on('error', (err) => {
    process.stderr.write('failed to start: ' + err.message + '\n');
    process.exit(127);
  });
  child.on('exit', (code, signal) => process.exit(code === null ? 128 + (require('node:os').constants.signals[signal] || 9) : code));
}
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(sig, () => {
    try { process.kill(-child.pid, sig); } catch {}
    setTimeout(() => process.exit(143), 3000).unref();
  });
}
`;
