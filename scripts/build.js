#!/usr/bin/env node
// `npm run build`: type-check with tsc, then bundle with esbuild into dist/ — one entry per face,
// so start-up reads a few files instead of hundreds of modules:
//   dist/cli.js, dist/mcp.js  what a user launches (`node dist/cli.js …`): the Node.js check, then the face
//   dist/nodeGuard.js     the Node.js check (src/nodeGuard.ts), bundled alone for old Nodes' syntax, with
//                         package.json's engines.node built in: on a Node it does not allow, one line on
//                         stderr and exit code 2 instead of a crash in the program
//   dist/cliMain.js       the commander program (`myfav-coworker <command>`)
//   dist/mcpMain.js       the MCP server on stdio (`myfav-coworker mcp`, or a bare call with stdin not a TTY)
//   dist/keychainChild.js the short-lived keychain process (src/auth/keychain.ts spawns it by path)
//   dist/help.txt         `--help`'s text, printed by bin/ without loading the program
// bin/ imports the check, then dist/cliMain.js or dist/mcpMain.js.
// Lazy `import()`s stay lazy: esbuild splits them into chunks (dist/chunk-*.js) loaded on first use.
// Native modules, Playwright and axe-core stay external (installed dependencies, resolved from
// node_modules): they load .node binaries or files next to their own sources, or inject their source.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleOptions } from './bundleOptions.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.join(root, 'dist');
const engines = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).engines?.node;
if (typeof engines !== 'string') throw new Error('package.json has no engines.node for the Node.js check');

execFileSync(
  process.execPath,
  [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
rmSync(out, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: {
    cliMain: 'src/cli/main.ts',
    mcpMain: 'src/mcp/main.ts',
    keychainChild: 'src/auth/keychainChild.ts',
  },
  outdir: out,
  ...bundleOptions,
  sourcemap: true,
});
// The Node.js check: alone (no shared chunk, no banner importing `node:module`), lowered to syntax
// Node 12 parses, so that an old Node runs it rather than failing on the program's syntax first.
await build({
  absWorkingDir: root,
  entryPoints: { nodeGuard: 'src/nodeGuard.ts' },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node12',
  define: { MYFAV_NODE_ENGINES: JSON.stringify(engines) },
  logLevel: 'warning',
  legalComments: 'none',
});
// What a user launches directly: the check, then the face (dynamically, so nothing of it is loaded first;
// awaited, so a face that never settles still ends as an unsettled top-level await, exit code 13).
for (const [entry, program] of [
  ['cli.js', 'cliMain.js'],
  ['mcp.js', 'mcpMain.js'],
]) {
  writeFileSync(
    path.join(out, entry),
    `// Written by scripts/build.js: the Node.js check (src/nodeGuard.ts), then ${program}.\n` +
      `import { nodeSupported } from './nodeGuard.js';\n` +
      `if (nodeSupported) await import('./${program}');\n`,
  );
}

// The code's identity (src/version.ts codeIdentity): results cached by other code are not reused.
const buildHash = createHash('sha256');
for (const file of readdirSync(out)
  .filter((f) => f.endsWith('.js'))
  .sort()) {
  buildHash.update(file).update(readFileSync(path.join(out, file)));
}
writeFileSync(path.join(out, 'build-id.txt'), `${buildHash.digest('hex').slice(0, 16)}\n`);

// Top-level help, saved for bin/ to print without loading the program (it lists every command, so
// printing it live loads them all).
const help = execFileSync(process.execPath, [path.join(out, 'cli.js'), '--help'], {
  cwd: root,
  env: { ...process.env, COLUMNS: '80', NO_COLOR: '1' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
writeFileSync(path.join(out, 'help.txt'), help);
