// "Does the service accept connections on its port?" Unsandboxed, a TCP connection says so. Sandboxed,
// our loopback bridge accepts every connection itself, so the sandbox's relay is asked instead, through
// its probe socket: it tries the port inside and answers "1" or "0".

import net from 'node:net';

export type TcpProbeResult = { ok: true } | { ok: false; reason: string };

export function probeTcp(
  target: { port: number } | { probeSocket: string },
  timeoutMs: number,
): Promise<TcpProbeResult> {
  return new Promise((resolve) => {
    const viaRelay = 'probeSocket' in target;
    const socket = viaRelay
      ? net.connect(target.probeSocket)
      : net.connect({ host: '127.0.0.1', port: target.port });
    let answer = '';
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
    if (!viaRelay) {
      socket.once('connect', () => done({ ok: true }));
      return;
    }
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.once('end', () =>
      done(answer === '1' ? { ok: true } : { ok: false, reason: 'nothing listens on the port yet' }),
    );
  });
}
