#!/usr/bin/env node
// `npm run bench`: every section in scripts/bench/*.js, in name order, printed as tables.
// A section is a module whose default export is `async (ctx) => ({ title, columns, rows, notes? })`.
// Usage: npm run bench [-- section-name ...]
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { bundleOptions } from './bundleOptions.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dir = path.join(root, 'scripts', 'bench');
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.js'))
  .sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));

// dist/ holds bundles of the faces only: sections that time one module (the crawl, the pixel diff) get
// every module of src/ bundled the same way, by its path ('browser/crawl.js'), shared code in chunks.
// Inside the checkout (node_modules/.cache), not /tmp: the bundle's external packages (Playwright, the
// native keychain and SQLite modules) resolve from where the importing file lies, so they must be below
// the project's node_modules.
const cacheDir = path.join(root, 'node_modules', '.cache');
mkdirSync(cacheDir, { recursive: true });
const modulesDir = mkdtempSync(path.join(cacheDir, 'myfav-bench-modules-'));
await build({
  absWorkingDir: root,
  // The keychain's child process is found next to the code that spawns it, wherever a chunk put that.
  entryPoints: ['src/**/*.ts', { in: 'src/auth/keychainChild.ts', out: 'keychainChild' }],
  outbase: 'src',
  outdir: modulesDir,
  ...bundleOptions,
});
const ctx = {
  root,
  bin: path.join(root, 'bin', 'myfav-coworker.js'),
  log: (m) => process.stderr.write(`[bench] ${m}\n`),
  /** A module of src/ by its path with .js ('app/launch.js'), and its file URL (for child processes). */
  module: (p) => import(pathToFileURL(path.join(modulesDir, p)).href),
  moduleUrl: (p) => pathToFileURL(path.join(modulesDir, p)).href,
};
let failed = false;
for (const file of files) {
  ctx.log(`running ${file}`);
  try {
    const { default: section } = await import(pathToFileURL(path.join(dir, file)).href);
    const result = await section(ctx);
    printTable(result);
  } catch (err) {
    failed = true;
    process.stderr.write(`[bench] ${file} failed: ${err?.stack ?? err}\n`);
  }
}
rmSync(modulesDir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);

function printTable({ title, columns, rows, notes = [] }) {
  const cells = [columns, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r) => `| ${r.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ')} |`;
  const out = [
    `\n## ${title}\n`,
    line(columns),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map((r) => line(r.map(String))),
  ];
  for (const n of notes) out.push(`\n${n}`);
  process.stdout.write(`${out.join('\n')}\n`);
}
