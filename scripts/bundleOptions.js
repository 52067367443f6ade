// The esbuild options our bundles share: `npm run build` (dist/, one entry per face) and the bench's
// bundle of single modules (scripts/bench.js), so both load the code the same way.
export const bundleOptions = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // Bundled CommonJS dependencies (simple-git, commander) call require(): give the ESM chunks one.
  banner: {
    js: "import { createRequire as __myfavCreateRequire } from 'node:module'; const require = __myfavCreateRequire(import.meta.url);",
  },
  // Native modules and Playwright stay installed dependencies; axe-core's source text is injected into
  // pages as published (src/browser/accessibility.ts).
  external: ['better-sqlite3', '@napi-rs/keyring', 'sharp', 'playwright-core', 'axe-core'],
  logLevel: 'warning',
  legalComments: 'none',
};
