// Locator code from the page goes into a test file people run: only real locator code gets through.
import { describe, expect, it } from 'vitest';
import { isSafeLocatorCode, locatorFromCode, roleLocatorCode } from '../../src/browser/locatorCode.js';

describe('isSafeLocatorCode', () => {
  it('accepts what Playwright generates', () => {
    for (const code of [
      "getByRole('button', { name: 'Clear search' })",
      "getByRole('searchbox', { name: 'Search notes' })",
      "getByText('Note', { exact: true })",
      "getByRole('link', { name: 'It\\'s here' }).nth(2)",
      "getByRole('listitem').filter({ hasText: 'Milk' }).first()",
      "getByTestId('save')",
      'getByText(/Sign in/i)',
      'locator(\'#main\').getByRole(\'button\', { name: "Say \\"hi\\"" })',
    ]) {
      expect(isSafeLocatorCode(code), code).toBe(true);
    }
  });

  it('refuses anything that could run other code', () => {
    for (const code of [
      "getByRole('button'); require('child_process').execSync('id'); ('",
      "getByText('a' + process.env.HOME)",
      `getByText(\`\${process.exit(1)}\`)`,
      "getByText('unterminated",
      "getByText('line\nbreak')",
      "page.evaluate(() => fetch('http://evil'))",
      "getByRole('button', { name: x })",
      "getByText('a')).then(() => globalThis.x = 1",
    ]) {
      expect(isSafeLocatorCode(code), code).toBe(false);
    }
  });
});

describe('roleLocatorCode', () => {
  it('builds a role locator from a snapshot line with JSON-escaped names', () => {
    expect(roleLocatorCode('button "Clear search" [ref=e30] [cursor=pointer]')).toBe(
      'getByRole("button", { name: "Clear search", exact: true })',
    );
    expect(roleLocatorCode('link "Say \\"hi\\"\'); evil(); (\'" [ref=e2]')).toBe(
      'getByRole("link", { name: "Say \\"hi\\"\'); evil(); (\'", exact: true })',
    );
    expect(roleLocatorCode('generic [ref=e3]')).toBeNull();
  });
});

describe('locatorFromCode', () => {
  /** Stands in for a Playwright Page: every locator call returns a new link in the chain, as Playwright's do. */
  const chain = (calls: unknown[] = []): Record<string, unknown> => {
    const link: Record<string, unknown> = { calls };
    for (const m of ['getByRole', 'getByText', 'getByTestId', 'locator', 'filter', 'nth', 'first']) {
      link[m] = (...args: unknown[]) => chain([...calls, [m, ...args]]);
    }
    return link;
  };
  const calls = (code: string) => (locatorFromCode(chain(), code) as { calls: unknown[] }).calls;

  it('applies the calls of the code to the page, with the literal arguments decoded', () => {
    expect(calls("getByRole('link', { name: 'It\\'s here', exact: true }).nth(2)")).toEqual([
      ['getByRole', 'link', { name: "It's here", exact: true }],
      ['nth', 2],
    ]);
    expect(calls('getByText(/Sign in/i)')).toEqual([['getByText', /Sign in/i]]);
    expect(calls('locator(\'#main\').getByRole(\'button\', { name: "Say \\"hi\\" \\u00e9" })')).toEqual([
      ['locator', '#main'],
      ['getByRole', 'button', { name: 'Say "hi" é' }],
    ]);
    // A locator inside the options is resolved from the page too.
    expect(calls("getByRole('listitem').filter({ has: getByText('Milk') }).first()")).toEqual([
      ['getByRole', 'listitem'],
      ['filter', { has: expect.objectContaining({ calls: [['getByText', 'Milk']] }) }],
      ['first'],
    ]);
  });

  it('refuses what is not locator code, and calls the page has not', () => {
    expect(() => locatorFromCode(chain(), "getByRole('x'); process.exit(1)")).toThrow(/Not locator code/);
    expect(() => locatorFromCode(chain(), "getByLabel('Name')")).toThrow(/Unknown locator call getByLabel/);
  });
});
