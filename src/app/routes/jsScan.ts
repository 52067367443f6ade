// Just enough scanning of JavaScript/TypeScript source to read route tables and constant objects: strings
// and comments blanked out (so braces and keys inside them do not count), braces matched, nesting skipped.
// Not a parser: it reads the plain shapes routes are written in and gives up on the rest.

/** Same length, strings and comments replaced by spaces: braces inside them do not count. */
export function blankStringsAndComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|(['"`])(?:\\.|(?!\1)[^\\\n])*\1/g, (m) =>
    m.replace(/[^\n]/g, ' '),
  );
}

/** The text of an object without the objects nested in it (a route's own keys, not its children's). */
export function withoutNested(text: string, code: string): string {
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

export function enclosingBrace(code: string, from: number): number {
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

export function matchingBrace(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '{') depth++;
    else if (code[i] === '}' && --depth === 0) return i;
  }
  return code.length;
}

/** The `>` that ends a JSX tag, skipping `{…}` attribute values. */
export function tagEnd(code: string, from: number): number {
  let depth = 0;
  for (let i = from; i < code.length; i++) {
    const ch = code[i];
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    else if (ch === '>' && depth === 0) return i;
  }
  return code.length - 1;
}

/** Just past the next comma at this nesting level before `end` (or `end`). */
export function pastNextComma(code: string, from: number, end: number): number {
  let depth = 0;
  for (let i = from; i < end; i++) {
    const ch = code[i];
    if (ch === '{' || ch === '[' || ch === '(') depth++;
    else if (ch === '}' || ch === ']' || ch === ')') depth--;
    else if (ch === ',' && depth === 0) return i + 1;
  }
  return end;
}

/** A string literal at the start of `text` (after spaces): `'/x'`, `"/x"`, or a template without `${`. */
export function leadingString(text: string): string | undefined {
  const literal = /^\s*(['"`])([^'"`\n]*)\1/.exec(text);
  if (!literal || (literal[1] === '`' && literal[2]?.includes('${'))) return undefined;
  return literal[2] ?? '';
}
