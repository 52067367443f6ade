// One HTTP probe of the entry URL. "Ready" means the server answers with any status below 500: a 404 or
// a redirect to a login page is still a running app, a 5xx is usually a dev server still compiling.

import http from 'node:http';
import https from 'node:https';

export type ProbeResult = { ok: true; status: number; remoteAddress: string } | { ok: false; reason: string };

/** `signal` ends the probe at once (its connection closed), as a failed attempt: the caller looks at the signal. */
export function probeHttp(url: URL, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(
      url,
      {
        method: 'GET',
        agent: false, // no keep-alive: a pooled socket would outlive the probe
        timeout: timeoutMs,
        // Local dev servers with self-signed certificates (Vite basic-ssl) are still "up".
        rejectUnauthorized: false,
        headers: { accept: 'text/html,*/*' },
        ...(signal ? { signal } : {}),
      },
      (res) => {
        const remoteAddress = res.socket.remoteAddress ?? '';
        const status = res.statusCode ?? 0;
        res.resume();
        req.destroy();
        resolve(status < 500 ? { ok: true, status, remoteAddress } : { ok: false, reason: `HTTP ${status}` });
      },
    );
    req.once('timeout', () => {
      req.destroy();
      resolve({ ok: false, reason: `no answer within ${timeoutMs} ms` });
    });
    req.once('error', (err: NodeJS.ErrnoException) =>
      resolve({ ok: false, reason: err.code ?? err.message }),
    );
    req.end();
  });
}
