#!/usr/bin/env node
// `npm run build`: type-check with tsc, then bundle with esbuild into dist/ — one entry per face,
// so start-up reads a few files instead of hundreds of modules:
//   dist/cli.js           the commander program (`myfav-coworker <command>`)
//   dist/mcp.js           the MCP server on stdio (`myfav-coworker mcp`, or a bare call with stdin not a TTY)
//   dist/keychainChild.js the short-lived keychain process (src/auth/keychain.ts spawns it by path)
//   dist/help.txt         `--help`'s text, printed by bin/ without loading the program
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
    cli: 'src/cli/main.ts',
    mcp: 'src/mcp/main.ts',
    keychainChild: 'src/auth/keychainChild.ts',
  },
  outdir: out,
  ...bundleOptions,
  sourcemap: true,
});

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
