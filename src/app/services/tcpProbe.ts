// "Does the service accept connections on its port?" Unsandboxed, a TCP connection says so. Sandboxed,
// our loopback bridge accepts every connection itself, so the sandbox's relay is asked instead (the
// run's probe): it tries the port inside and answers.

import net from 'node:net';

export type TcpProbeResult = { ok: true } | { ok: false; reason: string };

export function probeTcp(
  target: { port: number } | { probe: (timeoutMs: number) => Promise<TcpProbeResult> },
  timeoutMs: number,
): Promise<TcpProbeResult> {
  if ('probe' in target) return target.probe(timeoutMs);
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: target.port });
    const done = (result: TcpProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => done({ ok: false, reason: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.once('error', (err: NodeJS.ErrnoException) =>
      done({ ok: false, reason: err.code ?? err.message }),
    );
    socket.once('connect', () => done({ ok: true }));
  });
}
