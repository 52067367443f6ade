// The demo app's own server (`node server.js` of a checkout) on a free port, as a user would run it.
import { type ChildProcess, spawn } from 'node:child_process';

/** Starts it in `dir`; the child is added to `children` (the caller kills them); resolves to its origin. */
export function serveDemoCheckout(dir: string, children: ChildProcess[]): Promise<string> {
  const child = spawn(process.execPath, ['server.js'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(child);
  return new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (c) => reject(new Error(`demo server exited with ${c}`)));
  });
}
