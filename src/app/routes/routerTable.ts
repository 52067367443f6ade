// Plain router tables of SPAs: vue-router's `routes: [{ path: '/settings', component: Settings }]`,
// React Router's `createBrowserRouter([{ path: 'settings', element: <Settings /> }])` and
// `<Route path="/settings" element={<Settings />} />`. "Plain" means the path is a string literal and
// the component an imported name or an `import('./file')`: then a changed page file names its URL.
// Anything computed (`path: paths.app.root`) is left alone — the report says no route was found.

import path from 'node:path';
import { resolveImport, type SourceIndex } from './sourceIndex.js';

export interface RouterTables {
  /** Component file → the route paths (as written, joined with their parents) that render it. */
  byFile: Map<string, string[]>;
  /** The router uses hash history (`createWebHashHistory`, `HashRouter`, `createHashRouter`). */
  hash: boolean;
  /** Files that define routes with plain paths. */
  tableFiles: string[];
  /**
   * Files that set up a router at all (plain or not). A page reached only through one of them has no
   * known URL: following imports past the router would wrongly lead every page to the app's root.
   */
  routerFiles: Set<string>;
}

const routerMarker =
  /\bcreate(?:Web(?:Hash)?History|Router|BrowserRouter|HashRouter|MemoryRouter)\s*\(|<(?:Route|HashRouter)\b|\buseRoutes\s*\(|\bRouteRecordRaw\b|\bRouteObject\b/;

export function readRouterTables(index: SourceIndex): RouterTables {
  const byFile = new Map<string, string[]>();
  let hash = false;
  const tableFiles: string[] = [];
  const routerFiles = new Set<string>();
  for (const file of index.files) {
    const text = index.text(file);
    if (!text || !routerMarker.test(text)) continue;
    routerFiles.add(file);
    if (!/\bpath\s*[:=]/.test(text)) continue;
    if (/\bcreateWebHashHistory\s*\(|<HashRouter\b|\bcreateHashRouter\s*\(/.test(text)) hash = true;
    const names = importedNames(file, text, index);
    const entries = [...objectRoutes(text), ...jsxRoutes(text)];
    if (entries.length === 0) continue;
    tableFiles.push(file);
    for (const entry of entries) {
      const target = entry.importPath
        ? resolveImport(file, entry.importPath, index.files, aliasRootOf(index))
        : entry.component
          ? names.get(entry.component)
          : undefined;
      if (!target) continue;
      const list = byFile.get(target) ?? [];
      if (!list.includes(entry.path)) list.push(entry.path);
      byFile.set(target, list);
    }
  }
  return { byFile, hash, tableFiles, routerFiles };
}

interface Entry {
  path: string;
  component?: string;
  importPath?: string;
}

/** `{ path: '…', component: X | () => import('…'), element: <X />, lazy: () => import('…'), children: [...] }`. */
function objectRoutes(text: string): Entry[] {
  const code = blankStringsAndComments(text);
  const entries: Entry[] = [];
  // Matched in the blanked code (a "path:" inside a string does not count), read in the text.
  for (const m of code.matchAll(/\bpath\s*:/g)) {
    const valueAt = (m.index ?? 0) + m[0].length;
    const literal = /^\s*(['"`])([^'"`\n]*)\1/.exec(text.slice(valueAt));
    if (!literal || (literal[1] === '`' && literal[2]?.includes('${'))) continue;
    const open = enclosingBrace(code, m.index ?? 0);
    if (open < 0) continue;
    const close = matchingBrace(code, open);
    const own = withoutNested(text.slice(open + 1, close), code.slice(open + 1, close));
    const pathValue = joinParents(literal[2] ?? '', code, text, open);
    const ref = componentRef(own);
    if (ref) entries.push({ path: pathValue, ...ref });
  }
  return entries;
}

/** `<Route path="x" element={<X />} />`, nested <Route>s joined with their parent's path. */
function jsxRoutes(text: string): Entry[] {
  const code = blankStringsAndComments(text);
  const entries: Entry[] = [];
  const stack: string[] = [];
  for (const m of code.matchAll(/<Route\b|<\/Route\s*>/g)) {
    const at = m.index ?? 0;
    if (m[0].startsWith('</')) {
      stack.pop();
      continue;
    }
    const end = tagEnd(code, at);
    const tag = text.slice(at, end + 1);
    const selfClosing = code[end - 1] === '/';
    const own = /\bpath\s*=\s*(?:\{\s*)?(['"])([^'"]*)\1/.exec(tag)?.[2];
    const parent = stack.at(-1) ?? '';
    const full = own === undefined ? parent : join(parent, own);
    const ref = componentRef(tag);
    if (own !== undefined && ref) entries.push({ path: full, ...ref });
    if (!selfClosing) stack.push(full);
  }
  return entries;
}

function componentRef(own: string): { component?: string; importPath?: string } | undefined {
  const imported =
    /\b(?:component|Component|lazy|element)\s*[:=]\s*\{?\s*(?:\([^)]*\)\s*=>\s*)?import\s*\(\s*(['"])([^'"]+)\1/.exec(
      own,
    );
  if (imported) return { importPath: imported[2] ?? '' };
  const named =
    /\b(?:component|Component)\s*[:=]\s*\{?\s*([A-Z$_][\w$]*)/.exec(own) ??
    /\belement\s*[:=]\s*\{?\s*\(?\s*<([A-Z][\w$.]*)/.exec(own);
  return named ? { component: named[1] ?? '' } : undefined;
}

/** `import X from './pages/X.vue'`, `const X = lazy(() => import('./X'))`, `defineAsyncComponent(() => import(…))`. */
function importedNames(file: string, text: string, index: SourceIndex): Map<string, string> {
  const names = new Map<string, string>();
  const add = (name: string | undefined, spec: string | undefined) => {
    const target = spec ? resolveImport(file, spec, index.files, aliasRootOf(index)) : undefined;
    if (name && target) names.set(name, target);
  };
  for (const m of text.matchAll(/\bimport\s+([A-Z$_][\w$]*)\s+from\s*(['"])([^'"]+)\2/g)) add(m[1], m[3]);
  for (const m of text.matchAll(/\bimport\s*\{([^}]*)\}\s*from\s*(['"])([^'"]+)\2/g)) {
    for (const part of (m[1] ?? '').split(','))
      add(
        part
          .trim()
          .split(/\s+as\s+/)
          .at(-1),
        m[3],
      );
  }
  for (const m of text.matchAll(
    /\b(?:const|let|var)\s+([A-Z$_][\w$]*)\s*=\s*[\w$.]*\(\s*\(\s*\)\s*=>\s*import\s*\(\s*(['"])([^'"]+)\2/g,
  ))
    add(m[1], m[3]);
  return names;
}

function aliasRootOf(index: SourceIndex): string {
  return [...index.files].some((f) => f.startsWith('src/')) ? 'src' : '';
}

/** A child's relative path is joined with the paths of the route objects around it. */
function joinParents(own: string, code: string, text: string, open: number): string {
  let result = own;
  for (let at = enclosingBrace(code, open - 1); at >= 0 && !result.startsWith('/'); ) {
    const close = matchingBrace(code, at);
    const body = withoutNested(text.slice(at + 1, close), code.slice(at + 1, close));
    const parent = /\bpath\s*:\s*(['"])([^'"]*)\1/.exec(body)?.[2];
    if (parent !== undefined) result = join(parent, result);
    at = enclosingBrace(code, at - 1);
  }
  return result.startsWith('/') ? result : `/${result}`;
}

function join(parent: string, child: string): string {
  if (child.startsWith('/')) return child;
  if (child === '') return parent || '/';
  return path.posix.join(parent || '/', child);
}

/** The text of an object without the objects nested in it (a route's own keys, not its children's). */
function withoutNested(text: string, code: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (ch === '{' || ch === '[') depth++;
    if (depth === 0) out += text[i];
    if (ch === '}' || ch === ']') depth = Math.max(0, depth - 1);
  }
  return out;
}

function enclosingBrace(code: string, from: number): number {
  let depth = 0;
  for (let i = from; i >= 0; i--) {
    const ch = code[i];
    if (ch === '}') depth++;
    else if (ch === '{') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

function matchingBrace(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '{') depth++;
    else if (code[i] === '}' && --depth === 0) return i;
  }
  return code.length;
}

/** The `>` that ends a JSX tag, skipping `{…}` attribute values. */
function tagEnd(code: string, from: number): number {
  let depth = 0;
  for (let i = from; i < code.length; i++) {
    const ch = code[i];
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    else if (ch === '>' && depth === 0) return i;
  }
  return code.length - 1;
}

/** Same length, strings and comments replaced by spaces: braces inside them do not count. */
function blankStringsAndComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|(['"`])(?:\\.|(?!\1)[^\\\n])*\1/g, (m) =>
    m.replace(/[^\n]/g, ' '),
  );
}
