// What the agent is shown of a page: whole snapshots bounded, and after an action only what changed.
import { describe, expect, it } from 'vitest';
import { parseSnapshot, renderDiff, renderFull, renderPart } from '../../src/browser/snapshotDiff.js';

const before = `- generic [ref=e1]:
  - banner [ref=e2]:
    - link "Home" [ref=e3] [cursor=pointer]:
      - /url: /
  - main [ref=e4]:
    - searchbox "Search notes" [ref=e5]
    - button "Clear search" [ref=e6] [cursor=pointer]
    - status [ref=e7]: 3 notes
    - list "Notes" [ref=e8]:
      - listitem [ref=e9]: Milk
      - listitem [ref=e10]: Eggs
      - listitem [ref=e11]: Bread
  - contentinfo [ref=e12]: footer text`;

const after = `- generic [ref=e1]:
  - banner [ref=e2]:
    - link "Home" [ref=e3] [cursor=pointer]:
      - /url: /
  - main [ref=e4]:
    - searchbox "Search notes" [active] [ref=e5]: milk
    - button "Clear search" [ref=e6] [cursor=pointer]
    - status [ref=e7]: 1 note of 3 match
    - list "Notes" [ref=e8]:
      - listitem [ref=e9]: Milk
  - contentinfo [ref=e12]: footer text`;

describe('snapshot diff', () => {
  it('shows what changed with its ancestors, collapses the unchanged, names the removed', () => {
    const diff = renderDiff(parseSnapshot(before), parseSnapshot(after));
    expect(diff.changed).toBe(true);
    expect(diff.text).toBe(
      [
        '- generic [ref=e1]:',
        '  - (unchanged) banner [ref=e2]',
        '  - main [ref=e4]:',
        '    - searchbox "Search notes" [active] [ref=e5]: milk',
        '    - (unchanged) button "Clear search" [ref=e6] [cursor=pointer]',
        '    - status [ref=e7]: 1 note of 3 match',
        '    - list "Notes" [ref=e8]:',
        '      - (unchanged) listitem [ref=e9]: Milk',
        '      - (removed) listitem [ref=e10]: Eggs, listitem [ref=e11]: Bread',
        '  - (unchanged) contentinfo [ref=e12]: footer text',
      ].join('\n'),
    );
  });

  it('says when nothing changed', () => {
    expect(renderDiff(parseSnapshot(before), parseSnapshot(before))).toEqual({
      text: '',
      trimmed: false,
      changed: false,
    });
  });

  it('shows a new element whole', () => {
    const withDialog = `${before}\n- dialog "Confirm" [ref=e20]:\n  - button "OK" [ref=e21]`;
    const diff = renderDiff(parseSnapshot(before), parseSnapshot(withDialog));
    expect(diff.text).toContain('- dialog "Confirm" [ref=e20]:\n  - button "OK" [ref=e21]');
    expect(diff.text).toContain('(unchanged) generic [ref=e1]');
  });
});

describe('whole snapshots', () => {
  const rows = Array.from({ length: 80 }, (_, i) => `    - row "Operation ${i}" [ref=e${i + 10}]`);
  const big = `- main [ref=e1]:\n  - table [ref=e2]:\n${rows.join('\n')}\n  - button "Load more" [ref=e200]`;

  it('keeps the first rows of a long run, names the rest as far as the line budget goes, and gives one ref for all', () => {
    const full = renderFull(parseSnapshot(big));
    expect(full.text).toContain('- row "Operation 11" [ref=e21]');
    expect(full.text).toMatch(
      /\n {4}- … 68 more \(68 row\) \(all of them: browser_snapshot ref=e2\): row "Operation 12" \[ref=e22\], row "Operation 13" \[ref=e23\], .*, \+\d+ more\n/,
    );
    const rest = full.text.split('\n').find((l) => l.includes('68 more'))!;
    expect(rest.length).toBeLessThan(400);
    // The one ref expands the whole run.
    expect(renderPart(parseSnapshot(big), 'e2')?.text).toContain('row "Operation 79" [ref=e89]');
    expect(full.text).toContain('button "Load more" [ref=e200]');
    expect(full.trimmed).toBe(true);
  });

  it('shows a part by ref in full, and null for a ref that is not there', () => {
    const part = renderPart(parseSnapshot(big), 'e2');
    expect(part?.text).toContain('Operation 79');
    expect(renderPart(parseSnapshot(big), 'e999')).toBeNull();
  });

  it('fits a heavy page breadth first: every section shown, detail where it fits, outlines naming what is inside', () => {
    const sections = Array.from({ length: 8 }, (_, g) => {
      const articles = Array.from({ length: 10 }, (_, a) => {
        const n = 1000 + g * 100 + a * 10;
        return [
          `      - article [ref=e${n}]:`,
          `        - 'heading "GET /v3/g${g}/{id}/op${a}" [level=3] [ref=e${n + 1}]'`,
          `        - paragraph [ref=e${n + 2}]: ${'Describes the operation in some detail. '.repeat(3)}`,
          `        - button "Try op ${g}.${a}" [ref=e${n + 3}]`,
          `        - button "Show schema ${g}.${a}" [ref=e${n + 4}]`,
        ].join('\n');
      });
      return [
        `    - region "Group ${g}" [ref=e${g + 10}]:`,
        `      - heading "Group ${g}" [level=2] [ref=e${g + 20}]`,
        ...articles,
      ].join('\n');
    });
    const tree = parseSnapshot(`- main [ref=e1]:\n  - generic [ref=e2]:\n${sections.join('\n')}`);
    const full = renderFull(tree, { maxChars: 6_000, maxSiblings: 12, maxLineChars: 200 });
    expect(full.text.length).toBeLessThanOrEqual(6_300);
    for (let g = 0; g < 8; g++) expect(full.text).toContain(`region "Group ${g}" [ref=e${g + 10}]`);
    // The first articles are open; the others are one line that names what is inside, with refs.
    expect(full.text).toContain('button "Try op 0.0" [ref=e1003]');
    // Headings first (the section's own, then its operations'), as many as fit, then a count.
    expect(full.text).toContain(
      '    - region "Group 7" [ref=e17] … 51 lines inside: heading "Group 7" [ref=e27], heading "GET /v3/g7/{id}/op0" [ref=e1701], heading "GET /v3/g7/{id}/op1" [ref=e1711], heading "GET /v3/g7/{id}/op2" [ref=e1721], heading "GET /v3/g7/{id}/op3" [ref=e1731], heading "GET /v3/g7/{id}/op4" [ref=e1741], heading "GET /v3/g7/{id}/op5" [ref=e1751], +24 more\n',
    );
    expect(full.text).toMatch(
      /\[\d+ part\(s\) shown as one line \("… N lines inside: …"\): use browser_snapshot with a ref to see one whole, or browser_find to search the whole page\]$/,
    );
    expect(full.trimmed).toBe(true);
  });

  it('names controls with a name of their own before the ones every row repeats', () => {
    const rows = Array.from(
      { length: 6 },
      (_, i) =>
        `    - row [ref=e${i * 3 + 10}]:\n      - button "Edit" [ref=e${i * 3 + 11}]\n      - cell "Row ${i}" [ref=e${i * 3 + 12}]`,
    );
    const tree = parseSnapshot(
      `- main [ref=e1]:\n  - table [ref=e2]:\n${rows.join('\n')}\n    - row [ref=e50]:\n      - button "Delete all" [ref=e51]`,
    );
    const full = renderFull(tree, { maxChars: 120, maxSiblings: 12, maxLineChars: 200 });
    expect(full.text).toContain(
      'table [ref=e2] … 20 lines inside: button "Delete all" [ref=e51], button "Edit" [ref=e11] ×6',
    );
  });

  it('caps the size when even the outline does not fit, and says what was cut', () => {
    const long = Array.from({ length: 400 }, (_, i) => `- paragraph [ref=e${i + 2}]: ${'text '.repeat(20)}`);
    const full = renderFull(parseSnapshot(long.join('\n')), {
      maxChars: 2_000,
      maxSiblings: 1000,
      maxLineChars: 200,
    });
    expect(full.text.length).toBeLessThan(2_300);
    expect(full.text).toMatch(
      /\[snapshot cut at 2000 characters: the rest of the page is not shown\. Use browser_snapshot with the ref of a container/,
    );
  });

  it('cuts very long texts', () => {
    const full = renderFull(parseSnapshot(`- paragraph [ref=e1]: ${'x'.repeat(500)}`));
    expect(full.text.split('\n')[0]?.length).toBeLessThanOrEqual(203);
    expect(full.text).toContain('[1 long text(s) cut at 200 characters]');
  });
});
