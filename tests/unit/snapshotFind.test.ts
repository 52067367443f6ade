// browser_find: what it searches (names, texts, placeholders, link targets), what it answers (refs and
// the headings over each match), and its cap.
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '../../src/browser/snapshotDiff.js';
import { findInTree } from '../../src/browser/snapshotFind.js';

const page = parseSnapshot(`- main [ref=e1]:
  - heading "Shop" [level=1] [ref=e2]
  - region "Orders" [ref=e3]:
    - heading "Orders" [level=2] [ref=e4]
    - textbox "Order number" [ref=e5]:
      - /placeholder: e.g. A-1001
    - paragraph [ref=e6]:
      - text: Refunds take five days.
    - 'heading "GET /orders/{id}" [level=3] [ref=e7]'
    - button "Refund order" [ref=e8] [cursor=pointer]
  - region "Help" [ref=e9]:
    - heading "Help" [level=2] [ref=e10]
    - link "Contact" [ref=e11] [cursor=pointer]:
      - /url: /support/refund-policy`);

describe('findInTree', () => {
  it('finds names, texts, placeholders and link targets, each with its ref and the headings over it', () => {
    const found = findInTree(page, 'REFUND', undefined);
    expect(found.matches).toBe(3);
    expect(found.text).toBe(
      [
        '3 element(s) on the page match "REFUND":',
        '- paragraph [ref=e6] (contains: text: Refunds take five days.) — under heading "Shop" › heading "Orders"',
        '- button "Refund order" [ref=e8] — under heading "Orders" › heading "GET /orders/{id}"',
        '- link "Contact" [ref=e11] — under heading "Shop" › heading "Help"',
      ].join('\n'),
    );
    expect(findInTree(page, 'a-1001', undefined).text).toContain('- textbox "Order number" [ref=e5]');
  });

  it('narrows by role, ignores refs and attributes, and says when nothing matches', () => {
    expect(findInTree(page, 'refund', 'link').text).toBe(
      '1 element(s) on the page match "refund" with role link:\n- link "Contact" [ref=e11] — under heading "Shop" › heading "Help"',
    );
    expect(findInTree(page, 'ref=e8', undefined).matches).toBe(0);
    expect(findInTree(page, 'cursor', undefined).text).toMatch(
      /^Nothing on the page matches "cursor"\. Try another word/,
    );
  });

  it('caps the matches and says how to narrow them', () => {
    const rows = Array.from({ length: 50 }, (_, i) => `  - button "Edit row ${i}" [ref=e${i + 2}]`);
    const found = findInTree(parseSnapshot(`- list [ref=e1]:\n${rows.join('\n')}`), 'edit', undefined);
    expect(found.matches).toBe(50);
    expect(found.text.split('\n')).toHaveLength(21);
    expect(found.text).toMatch(
      /^50 element\(s\) on the page match "edit" \(the first 20 shown: narrow the text or give a role\):/,
    );
  });
});
