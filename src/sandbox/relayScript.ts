// The one process of ours inside a sandbox. It runs as the sandbox's main process (bubblewrap's init
// is pid 1), so when it exits the kernel kills everything else in the PID namespace: daemons started
// with setsid, env -i or a double fork included. It
//   - relays inbound: it dials our tunnel socket in the shared runtime dir and keeps a few connections
//     waiting there; each one our bridge hands a browser connection ("A") it pipes to 127.0.0.1:PORT
//     inside (the app), each probe ("P") it answers "1" or "0" (whether something listens on PORT).
//     Our process only listens, never connects, on that dir: the sandbox can write it, and a symlink
//     planted there would point a connect() of ours, resolved on the host, at any socket of the host;
//   - relays outbound: 127.0.0.1:PORT inside → a unix socket our process listens on (the egress proxy,
//     allowed local ports), the only ways out;
//   - runs the command through /bin/sh and exits with its status.
// Plain CommonJS in a string: it is written into the runtime dir and run by our own node binary, so it
// must not depend on how this package was built or on anything the sandbox cannot see.

export interface RelaySpec {
  /** Our tunnel socket (inside path) the relay dials → TCP port inside the sandbox. */
  inbound: Array<{ socket: string; port: number }>;
  /** TCP port inside the sandbox (on 127.0.0.1 and ::1) → unix socket (inside path). */
  outbound: Array<{ port: number; socket: string }>;
  command: string;
}

/** Connections the relay keeps waiting on each tunnel socket (a browser opens about six at once). */
export const tunnelPoolSize = 8;
/** First byte our side sends on a tunnel connection: pipe it to the app, or answer a probe. */
export const tunnelOps = { app: 'A', probe: 'P' } as const;

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
function connectApp(port, onConnect, onFail) {
  const tryHost = (hosts) => {
    // noDelay: without it Nagle's algorithm holds small writes back (tens of ms per request).
    const upstream = net.connect({ host: hosts[0], port, noDelay: true });
    upstream.once('connect', () => {
      upstream.removeAllListeners('error');
      onConnect(upstream);
    });
    upstream.once('error', () => (hosts.length > 1 ? tryHost(hosts.slice(1)) : onFail()));
  };
  tryHost(['127.0.0.1', '::1']);
}

// One waiting connection to our tunnel socket; once used (or lost) another takes its place.
function dialTunnel(socket, port) {
  const tunnel = net.connect(socket);
  let replaced = false;
  const replace = (delay) => {
    if (replaced) return;
    replaced = true;
    setTimeout(() => dialTunnel(socket, port), delay);
  };
  tunnel.once('error', () => {
    tunnel.destroy();
    replace(200);
  });
  tunnel.once('close', () => replace(200));
  tunnel.once('data', (chunk) => {
    replace(0);
    tunnel.pause();
    const op = String.fromCharCode(chunk[0]);
    const rest = chunk.subarray(1);
    if (op === ${JSON.stringify(tunnelOps.probe)}) {
      connectApp(port, (upstream) => { upstream.destroy(); tunnel.end('1'); }, () => tunnel.end('0'));
      return;
    }
    if (op !== ${JSON.stringify(tunnelOps.app)}) return void tunnel.destroy();
    connectApp(port, (upstream) => {
      if (rest.length) upstream.write(rest);
      pipe(tunnel, upstream);
      tunnel.resume();
    }, () => tunnel.destroy());
  });
}

let pending = spec.outbound.length * 2;
function ready() {
  if (--pending <= 0) start();
}
// Our side listens before the sandbox starts: the dials succeed at once.
for (const { socket, port } of spec.inbound) {
  for (let i = 0; i < ${tunnelPoolSize}; i++) dialTunnel(socket, port);
}
for (const { port, socket } of spec.outbound) {
  for (const host of ['127.0.0.1', '::1']) {
    const server = net.createServer({ noDelay: true }, (client) => pipe(client, net.connect(socket)));
    server.once('error', ready); // no IPv6 in the sandbox: the IPv4 listener is enough
    server.listen({ host, port }, ready);
  }
}
let child;
if (pending === 0) start();

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
