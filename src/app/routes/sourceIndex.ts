// A bounded look at the app's own sources: which files exist and who imports whom. It lets a changed
// component lead to the pages that use it (a PR that edits `components/Header.tsx` is tested on the
// pages that render the header), and lets plain router tables name the file of each route.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const sourceExtensions = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.vue', '.svelte', '.astro', '.mdx'];
const skippedDirs = new Set([
  'node_modules',
  'dist',
  'build',
  'out',
  'coverage',
  'public',
  'static',
  '.next',
  '.nuxt',
  '.output',
  '.svelte-kit',
  '.astro',
  '.vercel',
]);
/** Bounds: a huge repository costs at most this much reading before the crawl. */
const maxFiles = 4000;
const maxFileBytes = 256 * 1024;

export interface SourceIndex {
  /** App-relative POSIX paths of the source files read. */
  files: Set<string>;
  /** file → the files that import it. */
  importers: Map<string, Set<string>>;
  text(file: string): string | undefined;
}

export function indexSources(appDir: string): SourceIndex {
  const texts = new Map<string, string>();
  walk(appDir, '', texts);
  const files = new Set(texts.keys());
  const aliasRoot = [...files].some((f) => f.startsWith('src/')) ? 'src' : '';
  const importers = new Map<string, Set<string>>();
  for (const [file, text] of texts) {
    for (const spec of importSpecifiers(text)) {
      const target = resolveImport(file, spec, files, aliasRoot);
      if (!target || target === file) continue;
      const set = importers.get(target) ?? new Set<string>();
      set.add(file);
      importers.set(target, set);
    }
  }
  return { files, importers, text: (file) => texts.get(file) };
}

function walk(root: string, rel: string, out: Map<string, string>): void {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(path.join(root, rel), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (out.size >= maxFiles) return;
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!skippedDirs.has(entry.name) && !entry.name.startsWith('.')) walk(root, child, out);
    } else if (entry.isFile() && sourceExtensions.includes(path.extname(entry.name))) {
      const file = path.join(root, child);
      try {
        if (statSync(file).size <= maxFileBytes) out.set(child, readFileSync(file, 'utf8'));
      } catch {
        // unreadable: not part of the picture
      }
    }
  }
}

/** `import x from 'a'`, `export * from 'a'`, `import('a')`, `require('a')`. */
export function importSpecifiers(text: string): string[] {
  const specs: string[] = [];
  const pattern =
    /(?:\bimport\s*(?:[\w*{}\s,$]+?\s*from\s*)?|\bexport\s*[\w*{}\s,$]*?\s*from\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)(['"])([^'"\n]+)\1/g;
  for (const m of text.matchAll(pattern)) specs.push(m[2] ?? '');
  return specs;
}

/** Relative imports and the usual source aliases (`@/`, `~/`, `~~/`, `$lib/`); packages resolve to nothing. */
export function resolveImport(
  fromFile: string,
  spec: string,
  files: Set<string>,
  aliasRoot: string,
): string | undefined {
  let base: string;
  if (spec.startsWith('./') || spec.startsWith('../')) {
    base = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), spec));
  } else if (/^(@|~~?|#)\//.test(spec)) {
    base = path.posix.join(aliasRoot, spec.replace(/^(@|~~?|#)\//, ''));
  } else if (spec.startsWith('$lib/')) {
    base = path.posix.join('src/lib', spec.slice(5));
  } else if (/^(src|app)\//.test(spec)) {
    base = spec; // a baseUrl of "." in tsconfig: `import X from 'src/components/X.vue'`
  } else {
    return undefined;
  }
  if (base.startsWith('../')) return undefined;
  if (files.has(base)) return base;
  const stripped = base.replace(/\.(js|mjs|cjs|jsx)$/, ''); // TS sources imported as .js
  for (const ext of sourceExtensions) {
    if (files.has(`${stripped}${ext}`)) return `${stripped}${ext}`;
  }
  for (const ext of sourceExtensions) {
    if (files.has(`${base}/index${ext}`)) return `${base}/index${ext}`;
  }
  return undefined;
}
