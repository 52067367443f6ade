#!/usr/bin/env node
// Thin shim: all logic lives in dist/ (bundled by `npm run build`, one entry per face).
import module from 'node:module';

const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(
    `myfav-coworker needs Node.js 22 or newer; this is ${process.version}.\n` +
      'Install a current Node.js (24 LTS recommended) from https://nodejs.org and try again.\n',
  );
  process.exit(2);
}
// Node's on-disk cache of compiled code (Node ≥ 22.1): later starts skip parsing and compiling the bundle.
// Best effort: a read-only cache dir just means no cache.
try {
  module.enableCompileCache?.();
} catch {}

const args = process.argv.slice(2);
// Top-level help without loading the program: the build saved it (`node dist/cli.js --help`, 80 columns).
if (
  (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) ||
  (args.length === 0 && process.stdin.isTTY)
) {
  const { readFileSync } = await import('node:fs');
  let help;
  try {
    help = readFileSync(new URL('../dist/help.txt', import.meta.url), 'utf8');
  } catch {}
  if (help) {
    process.stdout.write(help);
    process.exit(0);
  }
}
// `mcp` alone, or no arguments with stdin not a terminal (how MCP clients start it): the server's own
// entry, without the CLI program. Anything else (`mcp --help` included) is the CLI's.
const mcp = (args.length === 1 && args[0] === 'mcp') || (args.length === 0 && !process.stdin.isTTY);
await import(mcp ? '../dist/mcp.js' : '../dist/cli.js');
