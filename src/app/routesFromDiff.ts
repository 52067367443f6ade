// Guess which URL paths a PR's changed files affect, so the crawl visits them first. File-system routing
// conventions make this cheap: static HTML files, Next.js/Nuxt/Astro `pages/`, the Next.js `app/` router
// and SvelteKit `src/routes/`. Dynamic segments ([id], [...slug]) are skipped: we cannot invent a valid id.
// A guess is only a hint for the crawl; a wrong one costs one page visit.

import path from 'node:path';

const pageExtensions = /\.(jsx?|tsx?|mdx?|astro|vue|svelte)$/;
const ignoredSegments = new Set([
  'node_modules',
  '__tests__',
  '__mocks__',
  'test',
  'tests',
  'e2e',
  'cypress',
  'dist',
  'build',
  'out',
  'coverage',
]);
// Folders whose .html files are sources or outputs rather than pages served at that path.
const nonPageHtmlDirs = new Set(['src', 'dist', 'build', 'out', '.next', 'coverage', 'node_modules']);

export function routesFromChangedFiles(changedFiles: string[], appRelDir: string): string[] {
  const prefix = appRelDir.replaceAll('\\', '/').replace(/^\.?\/+|\/+$/g, '');
  const routes = new Set<string>();
  for (const raw of changedFiles) {
    const file = path.posix.normalize(raw.replaceAll('\\', '/'));
    if (prefix && !file.startsWith(`${prefix}/`)) continue;
    const rel = prefix ? file.slice(prefix.length + 1) : file;
    const route = routeOf(rel);
    if (route !== undefined) routes.add(route);
  }
  return [...routes];
}

function routeOf(rel: string): string | undefined {
  const segments = rel.split('/');
  const name = segments.at(-1) ?? '';
  if (segments.some((s) => ignoredSegments.has(s) || (s.startsWith('.') && s.length > 1))) return undefined;
  if (
    /\.(test|spec|stories|story)\.[^.]+$/.test(name) ||
    /\.config\.[^.]+$/.test(name) ||
    /\.d\.ts$/.test(name)
  ) {
    return undefined;
  }
  if (segments.some(isDynamic)) return undefined;

  if (name.endsWith('.html') || name.endsWith('.htm')) return htmlRoute(segments);
  const dirs = segments.slice(0, -1);
  const base = dirs[0] === 'src' ? dirs.slice(1) : dirs;

  // SvelteKit: src/routes/<path>/+page.svelte (+page.ts, +layout.svelte…); +server is an API endpoint.
  if (
    dirs[0] === 'src' &&
    dirs[1] === 'routes' &&
    /^\+(page|layout)(\.server)?\.(svelte|[jt]s)$/.test(name)
  ) {
    return toPath(dirs.slice(2));
  }
  // Next.js app router: app/<path>/page.tsx and the files that shape that page.
  if (base[0] === 'app' && /^(page|layout|loading|error|template|not-found)\.(jsx?|tsx?|mdx)$/.test(name)) {
    const parts = base.slice(1);
    if (parts.some((p) => p.startsWith('_'))) return undefined; // private folders are not routes
    return toPath(parts);
  }
  // pages/ routing (Next.js pages router, Nuxt, Astro): pages/foo.tsx → /foo, pages/blog/index.tsx → /blog.
  if (base[0] === 'pages' && pageExtensions.test(name) && base[1] !== 'api') {
    const stem = name.replace(pageExtensions, '');
    if (stem.startsWith('_')) return undefined; // _app, _document, _error
    return toPath([...base.slice(1), ...(stem === 'index' ? [] : [stem])]);
  }
  return undefined;
}

/** public/x.html → /x.html, index.html → /, docs/index.html → /docs/. */
function htmlRoute(segments: string[]): string | undefined {
  const inPublic = segments[0] === 'public';
  if (!inPublic && segments.length > 1 && nonPageHtmlDirs.has(segments[0] ?? '')) return undefined;
  const parts = inPublic ? segments.slice(1) : segments;
  const name = parts.at(-1);
  if (name === 'index.html')
    return `/${parts.slice(0, -1).map(encodeURIComponent).join('/')}${parts.length > 1 ? '/' : ''}`;
  return `/${parts.map(encodeURIComponent).join('/')}`;
}

/** Route groups "(marketing)" and parallel slots "@modal" do not appear in the URL. */
function toPath(parts: string[]): string {
  const visible = parts.filter((p) => !(p.startsWith('(') && p.endsWith(')')) && !p.startsWith('@'));
  return `/${visible.map(encodeURIComponent).join('/')}`;
}

function isDynamic(segment: string): boolean {
  return segment.includes('[') || segment.startsWith('$') || segment.startsWith(':');
}
