// Locator code for the generated Playwright test (reproduce.spec.ts), from what the agent acted on.
//
// Playwright turns a ref into the locator codegen would write (`locator.normalize()`: roles and names
// first). Names come from the page under test, which is untrusted, and the code is written into a file
// people run: so the code is accepted only when it is made of locator calls, option keys and properly
// escaped string literals — anything else falls back to a role locator built here with JSON.stringify.

/** The calls a locator chain may make (on a page or a locator). */
const LOCATOR_METHODS = [
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
];

/** Identifiers that may appear outside string literals in accepted locator code. */
const ALLOWED_WORDS = new Set([
  ...LOCATOR_METHODS,
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

// Locator code, resolved on a page without evaluating it: the same grammar isSafeLocatorCode accepts
// (a chain of locator calls with string, regex, number, boolean and option-object arguments), read by a
// small parser and applied call by call. A replay on another server uses exactly the code the test has.

interface LocatorRoot {
  // Structural: a Page or a Locator (both have the getBy* methods and locator()).
  [method: string]: unknown;
}

const CHAIN_METHODS = new Set(LOCATOR_METHODS);

type Value = string | number | boolean | RegExp | { [key: string]: Value } | Chain;
interface Chain {
  chain: { method: string; args: Value[] }[];
}

/**
 * The locator `code` describes, on `page` (a Playwright Page or Locator: typed loosely, this module does
 * not import Playwright); throws on anything else.
 */
export function locatorFromCode(page: object, code: string): unknown {
  if (!isSafeLocatorCode(code)) throw new Error(`Not locator code: ${code.slice(0, 200)}`);
  const parser = new LocatorParser(code);
  const chain = parser.chain();
  parser.end();
  return apply(page, chain);
}

function apply(root: unknown, chain: Chain): unknown {
  let current = root as LocatorRoot;
  for (const { method, args } of chain.chain) {
    const fn = current[method];
    if (!CHAIN_METHODS.has(method) || typeof fn !== 'function')
      throw new Error(`Unknown locator call ${method}`);
    current = fn.apply(
      current,
      args.map((a) => resolveValue(root, a)),
    ) as LocatorRoot;
  }
  return current;
}

function resolveValue(root: unknown, value: Value): unknown {
  if (value && typeof value === 'object' && 'chain' in value && Array.isArray(value.chain)) {
    return apply(root, value as Chain);
  }
  if (value && typeof value === 'object' && !(value instanceof RegExp)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, Value>).map(([k, v]) => [k, resolveValue(root, v)]),
    );
  }
  return value;
}

class LocatorParser {
  private i = 0;
  constructor(private readonly code: string) {}

  chain(): Chain {
    const calls: Chain['chain'] = [];
    for (;;) {
      const method = this.word();
      this.expect('(');
      const args: Value[] = [];
      this.space();
      if (this.peek() !== ')') {
        for (;;) {
          args.push(this.value());
          this.space();
          if (this.peek() === ',') {
            this.i++;
            continue;
          }
          break;
        }
      }
      this.expect(')');
      calls.push({ method, args });
      this.space();
      if (this.peek() !== '.') return { chain: calls };
      this.i++;
    }
  }

  end(): void {
    this.space();
    if (this.i < this.code.length) this.fail();
  }

  private value(): Value {
    this.space();
    const c = this.peek();
    if (c === "'" || c === '"') return this.string();
    if (c === '/') return this.regex();
    if (c === '{') return this.object();
    if (c === '-' || /\d/.test(c ?? '')) {
      const m = /^-?\d+(\.\d+)?/.exec(this.code.slice(this.i));
      if (!m) this.fail();
      this.i += m[0].length;
      return Number(m[0]);
    }
    const word = /^[A-Za-z_$][\w$]*/.exec(this.code.slice(this.i))?.[0];
    if (word === 'true' || word === 'false') {
      this.i += word.length;
      return word === 'true';
    }
    return this.chain();
  }

  private object(): { [key: string]: Value } {
    this.expect('{');
    const out: { [key: string]: Value } = {};
    for (;;) {
      this.space();
      if (this.peek() === '}') break;
      const key = this.word();
      this.expect(':');
      out[key] = this.value();
      this.space();
      if (this.peek() === ',') this.i++;
    }
    this.expect('}');
    return out;
  }

  private string(): string {
    const quote = this.code[this.i++];
    let out = '';
    for (;;) {
      const c = this.code[this.i++];
      if (c === undefined) this.fail();
      if (c === quote) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.code[this.i++];
      if (e === 'u') {
        const braced = /^\{([0-9a-fA-F]+)\}/.exec(this.code.slice(this.i));
        const hex = braced?.[1] ?? this.code.slice(this.i, this.i + 4);
        this.i += braced ? braced[0].length : 4;
        out += String.fromCodePoint(Number.parseInt(hex, 16));
      } else if (e === 'x') {
        out += String.fromCharCode(Number.parseInt(this.code.slice(this.i, this.i + 2), 16));
        this.i += 2;
      } else {
        out +=
          ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', '0': '\0' } as Record<string, string>)[
            e ?? ''
          ] ?? e;
      }
    }
  }

  private regex(): RegExp {
    const start = this.i;
    const end = regexEnd(this.code, start);
    if (end < 0) this.fail();
    const literal = this.code.slice(start, end);
    const close = literal.lastIndexOf('/');
    this.i = end;
    return new RegExp(literal.slice(1, close), literal.slice(close + 1));
  }

  private word(): string {
    this.space();
    const word = /^[A-Za-z_$][\w$]*/.exec(this.code.slice(this.i))?.[0];
    if (!word) this.fail();
    this.i += word.length;
    return word;
  }

  private expect(ch: string): void {
    this.space();
    if (this.code[this.i] !== ch) this.fail();
    this.i++;
  }

  private peek(): string | undefined {
    return this.code[this.i];
  }

  private space(): void {
    while (/\s/.test(this.code[this.i] ?? '')) this.i++;
  }

  private fail(): never {
    throw new Error(`Cannot read locator code at ${this.i}: ${this.code.slice(0, 200)}`);
  }
}
