// Free-port picking and "is anyone there already?" checks on the loopback interface.

import net from 'node:net';

/** Ask the OS for a free port on 127.0.0.1 (listen on 0, read it, close). Racy by nature: we verify later. */
export function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Whether something already accepts connections at host:port, or holds the port on 127.0.0.1.
 * Both checks, because a server bound to another address (e.g. ::1 only) may refuse a plain bind test
 * or miss the connect test.
 */
export async function isPortInUse(host: string, port: number): Promise<boolean> {
  return (await canConnect(host, port)) || (isLoopback(host) && !(await canBind('127.0.0.1', port)));
}

export function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: stripBrackets(host), port, timeout: timeoutMs });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    // Only EADDRINUSE means "taken"; EACCES (a low port without privileges) says nothing about others.
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code !== 'EADDRINUSE'));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export function isLoopback(host: string): boolean {
  const h = stripBrackets(host);
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

const stripBrackets = (host: string) => host.replace(/^\[(.*)\]$/, '$1');
