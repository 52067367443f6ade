// Locator code from the page goes into a test file people run: only real locator code gets through.
import { describe, expect, it } from 'vitest';
import { isSafeLocatorCode, roleLocatorCode } from '../../src/browser/locatorCode.js';

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
