// Route paths kept in a constant object instead of written in the table: `path: paths.auth.login.path`
// with `export const paths = { auth: { login: { path: '/auth/login', getHref: … } } }` in another file
// (bulletproof-react), or `path: ROUTES.SETTINGS`. The object must be a literal whose leaves are string
// literals, declared in the router's file or imported by name from a file of the app; anything else
// (a function's result, a spread, a template with `${…}`) resolves to nothing and the route stays unknown.

import { blankStringsAndComments, leadingString, matchingBrace, pastNextComma } from './jsScan.js';
import { resolveImport, type SourceIndex } from './sourceIndex.js';

type Constant = string | Map<string, Constant>;

/** `a.b.c` → its string value, for member chains read in `file` (whose text is `text`). */
export type PathConstants = (chain: string) => string | undefined;

export function pathConstants(
  file: string,
  text: string,
  index: SourceIndex,
  aliasRoot: string,
): PathConstants {
  const bindings = new Map<string, Constant | undefined>();
  const binding = (name: string): Constant | undefined => {
    if (bindings.has(name)) return bindings.get(name);
    let value = declared(text, name);
    const imported = value === undefined ? importedAs(text, name) : undefined;
    if (imported) {
      const target = resolveImport(file, imported.spec, index.files, aliasRoot);
      const source = target ? index.text(target) : undefined;
      if (source) value = declared(source, imported.exported);
    }
    bindings.set(name, value);
    return value;
  };
  return (chain) => {
    const [name, ...keys] = chain.split('.');
    let value = name ? binding(name) : undefined;
    for (const key of keys) value = value instanceof Map ? value.get(key) : undefined;
    return typeof value === 'string' ? value : undefined;
  };
}

/** A member chain (`paths.auth.login.path`) at the start of `text`, ending where the value ends. */
export function leadingChain(text: string): string | undefined {
  return /^\s*([A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)+)\s*(?=[,}\n]|$)/
    .exec(text)?.[1]
    ?.replace(/\s+/g, '');
}

/** `const NAME = {…}` or `const NAME = '…'` (exported or not, typed or not) in `text`. */
function declared(text: string, name: string): Constant | undefined {
  const escaped = name.replace(/\$/g, '\\$');
  const m = new RegExp(`\\b(?:const|let|var)\\s+${escaped}\\b\\s*(?::[^=]*)?=\\s*`).exec(text);
  if (!m) return undefined;
  const at = m.index + m[0].length;
  if (text[at] !== '{') return leadingString(text.slice(at));
  return objectLiteral(text, blankStringsAndComments(text), at);
}

/** `import { paths } from '…'` / `import { paths as p } from '…'`: where `name` comes from. */
function importedAs(text: string, name: string): { spec: string; exported: string } | undefined {
  for (const m of text.matchAll(/\bimport\s*\{([^}]*)\}\s*from\s*(['"])([^'"]+)\2/g)) {
    for (const part of (m[1] ?? '').split(',')) {
      const [exported, local = exported] = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/);
      if (local === name && exported) return { spec: m[3] ?? '', exported };
    }
  }
  return undefined;
}

/** The string leaves and nested objects of the literal opening at `open`; other values are left out. */
function objectLiteral(text: string, code: string, open: number, depth = 0): Map<string, Constant> {
  const out = new Map<string, Constant>();
  const close = matchingBrace(code, open);
  for (let i = open + 1; i < close; ) {
    const key = /^[\s,]*(?:([A-Za-z_$][\w$]*)|(['"])([^'"\n]*)\2)\s*:\s*/.exec(text.slice(i, close));
    if (!key) {
      i = Math.max(i + 1, pastNextComma(code, i, close));
      continue;
    }
    const name = key[1] ?? key[3] ?? '';
    const at = i + key[0].length;
    if (text[at] === '{' && depth < 8) {
      out.set(name, objectLiteral(text, code, at, depth + 1));
      i = matchingBrace(code, at) + 1;
      continue;
    }
    // A string alone (`'/x'`, `'/x' as const`), not the start of an expression (`'/x' + id`).
    const value = /^(\s*(['"`])[^'"`\n]*\2)\s*(?:as\s+const\s*)?(?:,|$)/.exec(text.slice(at, close));
    const literal = value ? leadingString(value[1] ?? '') : undefined;
    if (literal !== undefined) out.set(name, literal);
    i = Math.max(at, pastNextComma(code, at, close));
  }
  return out;
}
