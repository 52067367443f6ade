// Which pages a change touches, by the routing convention of the framework actually in use: file
// routes (Next, Remix / React Router v7, SvelteKit, Nuxt, Astro), plain router tables (vue-router,
// React Router), static HTML, and — for a changed component — the pages that import it. A file that
// leads to no page is reported as such ("no route found; try --route"), never guessed.

import path from 'node:path';
import { readRepoFile } from '../../repoFile.js';
import { readPackageJson } from '../packageJson.js';
import { fileRoute } from './fileRoutes.js';
import { detectFramework, type Framework, frameworkLabel } from './framework.js';
import { readRouterTables } from './routerTable.js';
import { indexSources } from './sourceIndex.js';

export interface DiffRoute {
  /** URL path (with `#/…` for hash-routed apps), relative to the app's origin. */
  path: string;
  /** Repo-relative changed files that lead to it. */
  files: string[];
  /** How it was derived, e.g. "app/settings/page.tsx (Next.js)" or "used by src/pages/Home.vue". */
  why: string;
}

export interface UnroutedFile {
  /** Repo-relative path. */
  file: string;
  why: string;
}

export interface DiffRoutes {
  framework: Framework;
  frameworkLabel: string;
  routes: DiffRoute[];
  /** Changed source files of the app that lead to no page we can open. */
  unrouted: UnroutedFile[];
}

/** Importers followed from a changed component to the pages that use it. */
const maxImportDepth = 4;
/** Pages one changed component may add: a button used everywhere should not take the whole crawl. */
const maxRoutesPerFile = 3;

const sourceFile = /\.(jsx?|tsx?|mjs|cjs|vue|svelte|astro|mdx?|html?)$/;
const notSource = /\.(test|spec|stories|story|d)\.[^.]+$|\.config\.[^.]+$|(^|\/)(vite-env|env)\.d\.ts$/;
const ignoredSegments = new Set([
  'node_modules',
  '__tests__',
  '__mocks__',
  '__snapshots__',
  'test',
  'tests',
  'e2e',
  'cypress',
  'playwright',
  'dist',
  'build',
  'out',
  'coverage',
  'scripts',
  'generators',
]);

export function routesFromDiff(appDir: string, appRelDir: string, changedFiles: string[]): DiffRoutes {
  const read = readPackageJson(appDir);
  const framework = detectFramework(read.kind === 'ok' ? read.pkg : undefined);
  const prefix = appRelDir.replaceAll('\\', '/').replace(/^\.?\/+|\/+$/g, '');
  const inApp = changedFiles
    .map((raw) => path.posix.normalize(raw.replaceAll('\\', '/')))
    .filter((file) => !prefix || file.startsWith(`${prefix}/`))
    .map((file) => ({ file, rel: prefix ? file.slice(prefix.length + 1) : file }))
    .filter(({ rel }) => isAppSource(rel));
  const result: DiffRoutes = {
    framework,
    frameworkLabel: frameworkLabel[framework],
    routes: [],
    unrouted: [],
  };
  if (inApp.length === 0) return result;

  const index = indexSources(appDir);
  const entries = entryScripts(appDir, index.files);
  const tables =
    framework === 'vue-router' || framework === 'react-router' ? readRouterTables(index) : undefined;
  const label = frameworkLabel[framework];

  /** The pages a file itself is (file route or router table), without following imports. */
  const direct = (rel: string): { paths: string[]; dynamic: string[]; endpoint: boolean } => {
    if (entries.has(rel)) return { paths: ['/'], dynamic: [], endpoint: false };
    const rule = fileRoute(framework, rel);
    if (rule?.kind === 'route') return { paths: [rule.path], dynamic: [], endpoint: false };
    if (rule?.kind === 'dynamic') return { paths: [], dynamic: [rule.pattern], endpoint: false };
    if (rule?.kind === 'endpoint') return { paths: [], dynamic: [], endpoint: true };
    const listed = (tables?.byFile.get(rel) ?? []).map((p) => splatPage(p, tables?.paths) ?? p);
    const isParam = (p: string) => /[:*]/.test(p);
    const hash = tables?.hash ? '/#' : '';
    return {
      paths: listed.filter((p) => !isParam(p)).map((p) => (p === '/' ? '/' : `${hash}${p}`)),
      dynamic: listed.filter(isParam),
      endpoint: false,
    };
  };

  const add = (routePath: string, file: string, why: string) => {
    const existing = result.routes.find((r) => r.path === routePath);
    if (existing) {
      if (!existing.files.includes(file)) existing.files.push(file);
    } else result.routes.push({ path: routePath, files: [file], why });
  };

  for (const { file, rel } of inApp) {
    const own = direct(rel);
    if (own.paths.length) {
      for (const p of own.paths) add(p, file, `${rel} (${label})`);
      continue;
    }
    if (own.endpoint) continue; // an API endpoint: the pages that call it are not knowable from here
    // A component: the nearest pages that import it.
    const found = pagesImporting(rel, index.importers, direct, tables?.routerFiles ?? new Set());
    if (found.pages.length) {
      for (const { path: p, via } of found.pages.slice(0, maxRoutesPerFile))
        add(p, file, `${rel}, used by ${via}`);
      continue;
    }
    const dynamic = own.dynamic[0] ?? found.dynamic;
    const why = dynamic
      ? `its route ${dynamic} has a parameter: no concrete URL to open`
      : tables && tables.routerFiles.size > 0 && tables.tableFiles.length === 0
        ? 'no route found (the router table has no plain paths)'
        : 'no route found';
    result.unrouted.push({ file, why });
  }
  return result;
}

/**
 * A splat route (`*`, `/docs/*`) renders at its prefix when no other route has that path: TodoMVC's
 * `<HashRouter><Route path="*" element={<App />} />` is the whole app at `/`. Beside a route of its own
 * prefix (`/` and `*`) it is the not-found page, which no URL names.
 */
function splatPage(routePath: string, all: ReadonlySet<string> | undefined): string | undefined {
  const prefix = /^(.*?)\/?\*$/.exec(routePath)?.[1];
  if (prefix === undefined || /[:*]/.test(prefix)) return undefined;
  const page = prefix === '' ? '/' : prefix;
  const same = (p: string) => p.replace(/\/+$/, '') === page.replace(/\/+$/, '');
  return [...(all ?? [])].some((p) => p !== routePath && same(p)) ? undefined : page;
}

function pagesImporting(
  start: string,
  importers: Map<string, Set<string>>,
  direct: (rel: string) => { paths: string[]; dynamic: string[] },
  routerFiles: Set<string>,
): { pages: Array<{ path: string; via: string }>; dynamic?: string } {
  const found: Array<{ path: string; via: string }> = [];
  let dynamic: string | undefined;
  const seen = new Set([start]);
  let frontier = [start];
  for (let depth = 0; depth < maxImportDepth && frontier.length && found.length === 0; depth++) {
    const next: string[] = [];
    for (const file of [...frontier].sort()) {
      for (const importer of [...(importers.get(file) ?? [])].sort()) {
        if (seen.has(importer) || routerFiles.has(importer)) continue;
        seen.add(importer);
        const own = direct(importer);
        if (own.paths.length) for (const p of own.paths) found.push({ path: p, via: importer });
        else {
          dynamic ??= own.dynamic[0];
          next.push(importer);
        }
      }
    }
    frontier = next;
  }
  return dynamic === undefined ? { pages: found } : { pages: found, dynamic };
}

/** The scripts index.html loads (`<script type="module" src="/src/main.ts">`): they render the root page. */
function entryScripts(appDir: string, files: Set<string>): Set<string> {
  let html: string;
  try {
    // The branch's file: bounded, and never a link out of the app folder (repoFile.ts).
    html = readRepoFile(appDir, path.join(appDir, 'index.html')) ?? '';
  } catch {
    return new Set();
  }
  const entries = new Set<string>();
  for (const m of html.matchAll(/<script\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/g)) {
    const rel = (m[1] ?? '').replace(/^\.?\//, '');
    if (files.has(rel)) entries.add(rel);
  }
  return entries;
}

function isAppSource(rel: string): boolean {
  const segments = rel.split('/');
  const name = segments.at(-1) ?? '';
  if (!sourceFile.test(name) || notSource.test(name)) return false;
  return !segments.some((s) => ignoredSegments.has(s) || (s.startsWith('.') && s.length > 1));
}
