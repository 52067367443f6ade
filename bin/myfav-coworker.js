#!/usr/bin/env node
// Thin shim: all logic lives in dist/ (bundled by `npm run build`, one entry per face).
// The Node.js check comes first, and this file stays plain (no other static import, nothing newer than
// top-level await), so that an old Node gets as far as the check and says which Node is needed, instead
// of crashing in the program (src/nodeGuard.ts: one line on stderr, exit code 2).
import { nodeSupported } from '../dist/nodeGuard.js';

// Awaited, so a program that never settles still ends as an unsettled top-level await (exit code 13).
if (nodeSupported) await start();

function start() {
  // The check passed: this Node has process.getBuiltinModule (22.3+) and module.enableCompileCache (22.1+).
  const module = process.getBuiltinModule('node:module');
  // Node's on-disk cache of compiled code: later starts skip parsing and compiling the bundle.
  // Best effort: a read-only cache dir just means no cache.
  try {
    module.enableCompileCache();
  } catch {}

  const args = process.argv.slice(2);
  // Top-level help without loading the program: the build saved it (`node dist/cli.js --help`, 80 columns).
  if (
    (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) ||
    (args.length === 0 && process.stdin.isTTY)
  ) {
    let help;
    try {
      help = process
        .getBuiltinModule('node:fs')
        .readFileSync(new URL('../dist/help.txt', import.meta.url), 'utf8');
    } catch {}
    if (help) {
      process.stdout.write(help);
      process.exit(0);
    }
  }
  // `mcp` alone, or no arguments with stdin not a terminal (how MCP clients start it): the server's own
  // entry, without the CLI program. Anything else (`mcp --help` included) is the CLI's. Straight to the
  // programs (dist/cli.js and dist/mcp.js would run the check again).
  const mcp = (args.length === 1 && args[0] === 'mcp') || (args.length === 0 && !process.stdin.isTTY);
  return import(mcp ? '../dist/mcpMain.js' : '../dist/cliMain.js');
}
