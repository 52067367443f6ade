// File-system routing rules, one per framework: a path relative to the app folder → the URL it serves.
// Each rule answers only for files in its own routing folders; everything else is left to the import
// graph (a component used by a page) or reported as "no route found".

import type { Framework } from './framework.js';

export type RuleResult =
  /** A page at this URL path. */
  | { kind: 'route'; path: string }
  /** A page whose URL has a parameter ([id], $id, :id): we cannot invent a valid value. */
  | { kind: 'dynamic'; pattern: string }
  /** In a routing folder but serves no page (an API endpoint, a server route). */
  | { kind: 'endpoint' };

type Rule = (segments: string[], name: string) => RuleResult | undefined;

const scriptPage = /\.(jsx?|tsx?|mdx?)$/;

/** The rule of a framework, plus the static-HTML rule every app has. */
export function fileRoute(framework: Framework, rel: string): RuleResult | undefined {
  const segments = rel.split('/');
  const name = segments.at(-1) ?? '';
  if (name.endsWith('.html') || name.endsWith('.htm')) return htmlRoute(segments);
  return rules[framework]?.(segments, name);
}

const rules: Partial<Record<Framework, Rule>> = {
  next: (segments, name) => {
    const base = segments[0] === 'src' ? segments.slice(1) : segments;
    const dirs = base.slice(0, -1);
    if (dirs[0] === 'app') {
      const parts = dirs.slice(1);
      if (parts.some((p) => p.startsWith('_'))) return undefined; // private folders
      if (/^route\.[jt]sx?$/.test(name)) return { kind: 'endpoint' };
      if (!/^(page|layout|loading|error|template|not-found|default)\.(jsx?|tsx?|mdx)$/.test(name))
        return undefined;
      return fromParts(
        parts.filter((p) => !p.startsWith('@')),
        isBracketParam,
      );
    }
    if (dirs[0] === 'pages' && scriptPage.test(name)) {
      if (dirs[1] === 'api') return { kind: 'endpoint' };
      const stem = name.replace(scriptPage, '');
      // _app and _document wrap every page: the home page shows what they change.
      if (dirs.length === 1 && (stem === '_app' || stem === '_document')) return { kind: 'route', path: '/' };
      if (stem.startsWith('_')) return undefined;
      return fromParts([...dirs.slice(1), ...(stem === 'index' ? [] : [stem])], isBracketParam);
    }
    return undefined;
  },

  // Remix v2 / React Router v7 flat routes: app/routes/a.b.tsx → /a/b; a folder app/routes/a.b/route.tsx
  // is the same route. `_index` is the index, a leading `_` is a pathless layout, a trailing `_` opts out
  // of layout nesting, `$x` is a parameter, `(x)` is optional, `[.]` escapes a dot.
  remix: (segments, name) => {
    if (segments[0] !== 'app') return undefined;
    if (segments.length === 2 && /^root\.[jt]sx?$/.test(name)) return { kind: 'route', path: '/' };
    if (segments[1] !== 'routes' || segments.length < 3) return undefined;
    let routeName: string;
    if (segments.length === 3) {
      if (!scriptPage.test(name)) return undefined;
      routeName = name.replace(scriptPage, '');
    } else if (segments.length === 4 && /^(route|index|layout)\.[jt]sx?$/.test(name)) {
      routeName = segments[2] ?? '';
    } else {
      return undefined; // a helper module colocated in a route folder
    }
    const parts: string[] = [];
    for (const raw of splitFlatRouteName(routeName)) {
      if (raw === '_index' || raw === 'index' || raw.startsWith('_')) continue;
      const part = raw.endsWith('_') ? raw.slice(0, -1) : raw;
      if (part.startsWith('(') && part.endsWith(')')) continue; // optional segment: visit without it
      parts.push(part.replaceAll(/\[(.*?)\]/g, '$1'));
    }
    if (parts.some((p) => p.startsWith('$'))) return { kind: 'dynamic', pattern: `/${parts.join('/')}` };
    if (/\.server\.[jt]sx?$/.test(name) && parts.length === 0) return { kind: 'route', path: '/' };
    return { kind: 'route', path: toPath(parts) };
  },

  sveltekit: (segments, name) => {
    if (segments[0] !== 'src' || segments[1] !== 'routes') return undefined;
    const dirs = segments.slice(2, -1);
    if (/^\+server\.[jt]s$/.test(name)) return { kind: 'endpoint' };
    if (!/^\+(page|layout|error)(\.server)?\.(svelte|[jt]s)$/.test(name)) return undefined;
    // [[optional]] parameters can be left out; [param] cannot.
    return fromParts(
      dirs.filter((d) => !/^\[\[.*\]\]$/.test(d)),
      isBracketParam,
    );
  },

  nuxt: (segments, name) => {
    // Nuxt 3: pages/ at the root; Nuxt 4: app/pages/.
    const base = segments;
    const start = base[0] === 'pages' ? 1 : base[0] === 'app' && base[1] === 'pages' ? 2 : -1;
    if (start < 0) {
      // The app shell and the default layout wrap every page.
      const shell = base[0] === 'app' ? base.slice(1) : base;
      if (shell.join('/') === 'app.vue' || shell.join('/') === 'layouts/default.vue')
        return { kind: 'route', path: '/' };
      return undefined;
    }
    if (!/\.(vue|[jt]sx?)$/.test(name)) return undefined;
    const stem = name.replace(/\.(vue|[jt]sx?)$/, '');
    const parts = [...base.slice(start, -1), ...(stem === 'index' ? [] : [stem])];
    return fromParts(
      parts.filter((p) => !/^\[\[.*\]\]$/.test(p)),
      isBracketParam,
    );
  },

  astro: (segments, name) => {
    if (segments[0] !== 'src' || segments[1] !== 'pages') return undefined;
    const dirs = segments.slice(2, -1);
    if (/\.[jt]s$/.test(name)) return { kind: 'endpoint' }; // API endpoints (src/pages/api/x.ts)
    if (!/\.(astro|mdx?|html)$/.test(name)) return undefined;
    const stem = name.replace(/\.(astro|mdx?|html)$/, '');
    if (stem.startsWith('_') || dirs.some((d) => d.startsWith('_'))) return undefined; // excluded by Astro
    return fromParts([...dirs, ...(stem === 'index' ? [] : [stem])], isBracketParam);
  },
};

/** public/x.html → /x.html, index.html → /, docs/index.html → /docs/; sources and build output are not pages. */
function htmlRoute(segments: string[]): RuleResult | undefined {
  const nonPageDirs = new Set(['src', 'dist', 'build', 'out', '.next', 'coverage', 'node_modules']);
  const inPublic = segments[0] === 'public';
  if (!inPublic && segments.length > 1 && nonPageDirs.has(segments[0] ?? '')) return undefined;
  const parts = inPublic ? segments.slice(1) : segments;
  const name = parts.at(-1);
  if (name === 'index.html') {
    const dir = parts.slice(0, -1).map(encodeURIComponent).join('/');
    return { kind: 'route', path: `/${dir}${parts.length > 1 ? '/' : ''}` };
  }
  return { kind: 'route', path: `/${parts.map(encodeURIComponent).join('/')}` };
}

function fromParts(parts: string[], isParam: (part: string) => boolean): RuleResult {
  const visible = parts.filter((p) => !(p.startsWith('(') && p.endsWith(')')));
  if (visible.some(isParam)) return { kind: 'dynamic', pattern: `/${visible.join('/')}` };
  return { kind: 'route', path: toPath(visible) };
}

const isBracketParam = (part: string) => part.includes('[');

function toPath(parts: string[]): string {
  return `/${parts.map(encodeURIComponent).join('/')}`;
}

/** "blog.$slug[.]json" → ["blog", "$slug[.]json"]: dots split, except inside [brackets]. */
function splitFlatRouteName(routeName: string): string[] {
  const parts: string[] = [];
  let current = '';
  let depth = 0;
  for (const ch of routeName) {
    if (ch === '[') depth++;
    if (ch === ']') depth = Math.max(0, depth - 1);
    if (ch === '.' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.filter((p) => p !== '');
}
