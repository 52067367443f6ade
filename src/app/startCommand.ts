// The command that starts a package's dev server: `<pm> run <script>`, plus the port flags for the
// servers that ignore PORT (see devServerPort.ts).

import { portFlagsFor } from './devServerPort.js';
import type { PackageManager } from './types.js';

export function startCommandFor(
  runner: { pm: PackageManager; command: string },
  script: { name: string; body: string },
): string {
  const run = `${runner.command} run ${script.name}`;
  const port = process.platform === 'win32' ? '%PORT%' : '$PORT';
  const { flags } = portFlagsFor(script.body, port);
  if (!flags) return run;
  // npm needs `--` to pass flags to the script; pnpm, yarn and bun pass everything after the script name.
  return runner.pm === 'npm' ? `${run} -- ${flags}` : `${run} ${flags}`;
}
