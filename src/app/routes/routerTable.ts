// Plain router tables of SPAs: vue-router's `routes: [{ path: '/settings', component: Settings }]`,
// React Router's `createBrowserRouter([{ path: 'settings', element: <Settings /> }])` and
// `<Route path="/settings" element={<Settings />} />`. "Plain" means the path is a string literal and
// the component an imported name or an `import('./file')`: then a changed page file names its URL.
// A path read from a constant object (`path: paths.app.root.path`) counts when that object is a literal
// (pathConstants.ts); anything computed is left alone — the report says no route was found.

import path from 'node:path';
import {
  blankStringsAndComments,
  enclosingBrace,
  leadingString,
  matchingBrace,
  tagEnd,
  withoutNested,
} from './jsScan.js';
import { leadingChain, type PathConstants, pathConstants } from './pathConstants.js';
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
  /** Every path the tables give a route, whether or not its component's file is known. */
  paths: Set<string>;
}

const routerMarker =
  /\bcreate(?:Web(?:Hash)?History|Router|BrowserRouter|HashRouter|MemoryRouter)\s*\(|<(?:Route|HashRouter)\b|\buseRoutes\s*\(|\bRouteRecordRaw\b|\bRouteObject\b/;

export function readRouterTables(index: SourceIndex): RouterTables {
  const byFile = new Map<string, string[]>();
  let hash = false;
  const tableFiles: string[] = [];
  const routerFiles = new Set<string>();
  const paths = new Set<string>();
  for (const file of index.files) {
    const text = index.text(file);
    if (!text || !routerMarker.test(text)) continue;
    routerFiles.add(file);
    if (!/\bpath\s*[:=]/.test(text)) continue;
    if (/\bcreateWebHashHistory\s*\(|<HashRouter\b|\bcreateHashRouter\s*\(/.test(text)) hash = true;
    const names = importedNames(file, text, index);
    const constants = pathConstants(file, text, index, aliasRootOf(index));
    const entries = [...objectRoutes(text, constants), ...jsxRoutes(text, constants)];
    if (entries.length === 0) continue;
    tableFiles.push(file);
    for (const entry of entries) {
      paths.add(entry.path);
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
  return { byFile, hash, tableFiles, routerFiles, paths };
}

interface Entry {
  path: string;
  component?: string;
  importPath?: string;
}

/** `{ path: '…', component: X | () => import('…'), element: <X />, lazy: () => import('…'), children: [...] }`. */
function objectRoutes(text: string, constants: PathConstants): Entry[] {
  const code = blankStringsAndComments(text);
  const entries: Entry[] = [];
  // Matched in the blanked code (a "path:" inside a string does not count), read in the text.
  for (const m of code.matchAll(/\bpath\s*:/g)) {
    const valueAt = (m.index ?? 0) + m[0].length;
    const own = pathValue(text.slice(valueAt), constants);
    if (own === undefined) continue;
    const open = enclosingBrace(code, m.index ?? 0);
    if (open < 0) continue;
    const close = matchingBrace(code, open);
    const body = withoutNested(text.slice(open + 1, close), code.slice(open + 1, close));
    const full = joinParents(own, code, text, open, constants);
    const ref = componentRef(body);
    if (ref) entries.push({ path: full, ...ref });
  }
  return entries;
}

/** A route's path where its value starts: a string literal, or a constant's (`paths.auth.login.path`). */
function pathValue(text: string, constants: PathConstants): string | undefined {
  const literal = leadingString(text);
  if (literal !== undefined) return literal;
  const chain = leadingChain(text);
  return chain ? constants(chain) : undefined;
}

/** `<Route path="x" element={<X />} />`, nested <Route>s joined with their parent's path. */
function jsxRoutes(text: string, constants: PathConstants): Entry[] {
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
    const value = /\bpath\s*=\s*(\{\s*)?/.exec(tag);
    const rest = value ? tag.slice(value.index + value[0].length) : '';
    const own = !value
      ? undefined
      : value[1]
        ? pathValue(rest.replace(/^([^}]*)\}[\s\S]*$/, '$1'), constants)
        : leadingString(rest);
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
function joinParents(
  own: string,
  code: string,
  text: string,
  open: number,
  constants: PathConstants,
): string {
  let result = own;
  for (let at = enclosingBrace(code, open - 1); at >= 0 && !result.startsWith('/'); ) {
    const close = matchingBrace(code, at);
    const body = withoutNested(text.slice(at + 1, close), code.slice(at + 1, close));
    const key = /\bpath\s*:\s*/.exec(body);
    const parent = key ? pathValue(body.slice(key.index + key[0].length), constants) : undefined;
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
