// The command that starts a package's dev server: `<pm> run <script>`, plus the port flags for Vite.
//
// Why Vite gets flags: we hand every app a free port through PORT/HOST, and most servers (Next, Nuxt,
// CRA, Express apps) honour PORT. Vite ignores PORT, listens on 5173 or silently moves to the next free
// port, and binds "localhost" (possibly ::1 only). Without flags the most common dev server would never
// answer on our port. We add them only when the script is plain `vite [dev|serve|preview]` without its own
// --port, so a project that chose its flags keeps them.

import type { PackageManager } from './types.js';

const plainVite = /^vite(\s+(dev|serve|preview))?(\s+[^&|;<>`$()]*)?$/;

export function startCommandFor(pm: PackageManager, script: { name: string; body: string }): string {
  const run = `${pm} run ${script.name}`;
  const body = script.body.trim();
  if (!plainVite.test(body) || /--port\b|\s-p\b/.test(body)) return run;
  const port = process.platform === 'win32' ? '%PORT%' : '$PORT';
  // Each flag only once: Vite's CLI turns a repeated option into an array and then fails.
  const flags = [
    `--port ${port}`,
    /--strictPort\b/.test(body) ? '' : '--strictPort',
    /--host\b/.test(body) ? '' : '--host 127.0.0.1',
  ]
    .filter(Boolean)
    .join(' ');
  // npm needs `--` to pass flags to the script; pnpm, yarn and bun pass everything after the script name.
  return pm === 'npm' ? `${run} -- ${flags}` : `${run} ${flags}`;
}
