// Locator code for the generated Playwright test (reproduce.spec.ts), from what the agent acted on.
//
// Playwright turns a ref into the locator codegen would write (`locator.normalize()`: roles and names
// first). Names come from the page under test, which is untrusted, and the code is written into a file
// people run: so the code is accepted only when it is made of locator calls, option keys and properly
// escaped string literals — anything else falls back to a role locator built here with JSON.stringify.

/** Identifiers that may appear outside string literals in accepted locator code. */
const ALLOWED_WORDS = new Set([
  'getByRole',
  'getByText',
  'getByLabel',
  'getByPlaceholder',
  'getByAltText',
  'getByTitle',
  'getByTestId',
  'locator',
  'filter',
  'nth',
  'first',
  'last',
  'and',
  'or',
  'name',
  'exact',
  'has',
  'hasNot',
  'hasText',
  'hasNotText',
  'checked',
  'disabled',
  'expanded',
  'includeHidden',
  'level',
  'pressed',
  'selected',
  'visible',
  'true',
  'false',
]);

/**
 * True when `code` is a chain of locator calls (`getByRole('button', { name: 'Save' }).nth(1)`) whose
 * only free text is inside single- or double-quoted string literals without raw line breaks.
 */
export function isSafeLocatorCode(code: string): boolean {
  if (!/^(getBy[A-Za-z]+|locator)\(/.test(code) || code.length > 2000) return false;
  let i = 0;
  while (i < code.length) {
    const ch = code[i]!;
    if (ch === "'" || ch === '"') {
      // A string literal: backslash escapes, no raw newline, must be closed.
      i++;
      for (;;) {
        const c = code[i];
        if (c === undefined || c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029') return false;
        if (c === '\\') {
          i += 2;
          continue;
        }
        i++;
        if (c === ch) break;
      }
      continue;
    }
    if (ch === '/') {
      // A regular expression literal (`getByText(/Sign in/i)`): no line breaks, no template/escape tricks.
      const end = regexEnd(code, i);
      if (end < 0) return false;
      i = end;
      continue;
    }
    const word = /^[A-Za-z_$][\w$]*/.exec(code.slice(i))?.[0];
    if (word) {
      if (!ALLOWED_WORDS.has(word)) return false;
      i += word.length;
      continue;
    }
    if (!/[\s().,{}:\d-]/.test(ch)) return false;
    i++;
  }
  return true;
}

/** Index after a `/.../flags` literal starting at `start`, or -1. */
function regexEnd(code: string, start: number): number {
  let i = start + 1;
  let inClass = false;
  for (;;) {
    const c = code[i];
    if (c === undefined || c === '\n' || c === '\r') return -1;
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) break;
    i++;
  }
  i++;
  while (/[dgimsuyv]/.test(code[i] ?? '')) i++;
  return i;
}

/** `getByRole("button", { name: "Save", exact: true })` from a snapshot line (`button "Save" [ref=e5]`). */
export function roleLocatorCode(snapshotLine: string): string | null {
  const m = /^([a-z]+)(?: "((?:[^"\\]|\\.)*)")?/.exec(snapshotLine);
  if (!m?.[1] || m[1] === 'text' || m[1] === 'generic') return null;
  const role = m[1];
  let name: string | undefined;
  if (m[2] !== undefined) {
    try {
      name = JSON.parse(`"${m[2]}"`) as string;
    } catch {
      name = m[2];
    }
  }
  return name
    ? `getByRole(${JSON.stringify(role)}, { name: ${JSON.stringify(name)}, exact: true })`
    : `getByRole(${JSON.stringify(role)})`;
}
