// axe-core on a page the crawl has open (after its screenshot, so the check cannot change what the
// screenshot shows). axe-core is read here only, and lazily: its minified build (axe.min.js) is ~650 kB of
// source, which only compared runs need. The package's `source` export is the unminified build, 1.5 MB:
// twice the text for every page to parse, and a copy of it in trace.zip for each page checked (the
// trace records every evaluate's argument).
//
// We inject axe-core's source ourselves, once per frame, and call `axe.run` in the page: what
// @axe-core/playwright's legacy mode does, without its second evaluation of the whole source in the main
// frame (measured here: parsing the source is most of a check's time, so the adapter's double
// injection nearly doubled it). Not the per-frame `runPartial` + `finishRun` either: that opens an extra
// blank tab for every check, and the frames it would reach beyond the page's own origin are blocked by
// our session anyway.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { withTimeout } from '../bounded.js';
import type { A11yViolation } from '../report/model.js';
import type { BrowserPage } from './session.js';

/** Only what blocks or seriously hinders a user counts; minor/moderate ones are left to linters. */
const COUNTED = ['serious', 'critical'];
/** Elements named per violation (the model's contract). */
const MAX_TARGETS = 5;
/** A frame that does not take the source within this is left out (as @axe-core/playwright does). */
const CHILD_FRAME_INJECT_MS = 1_000;

let axeSource: Promise<string> | undefined;

/** The serious and critical violations on the page, by rule id (sorted, so reports are stable). */
export async function accessibilityViolations(page: BrowserPage): Promise<A11yViolation[]> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Same-origin frames only: results from other origins would not be the app's (and are blocked).
  const inject = `${await axeSource};axe.configure({ allowedOrigins: ['<same_origin>'], branding: { application: 'myfav-coworker' } });`;
  const [main, ...children] = page.frames();
  await main?.evaluate(inject);
  for (const frame of children) {
    await withTimeout(frame.evaluate(inject), CHILD_FRAME_INJECT_MS, undefined).catch(() => {});
  }
  const violations = await page.evaluate(
    async ({ counted, maxTargets }) => {
      interface AxeNode {
        target: (string | string[])[];
      }
      interface AxeResult {
        id: string;
        impact?: string | null;
        help: string;
        helpUrl: string;
        nodes: AxeNode[];
      }
      const axe = (
        globalThis as unknown as {
          axe: {
            run(ctx: unknown, opts: unknown): Promise<{ violations: AxeResult[] }>;
            _audit?: { rules?: { id: string; impact?: string }[] };
          };
        }
      ).axe;
      // A rule with an impact of its own gives every violation that impact (axe-core's finalizeRuleResult):
      // the minor and moderate ones (a third of the rules) cannot find what we count, and are not run. The
      // list is axe's internal one; without it every rule runs (the result is filtered below anyway).
      const uncounted = (axe._audit?.rules ?? []).filter((r) => r.impact && !counted.includes(r.impact));
      // Passing and incomplete checks are not reported: collecting their nodes is most of the result's size.
      const results = await axe.run((globalThis as unknown as { document: unknown }).document, {
        resultTypes: ['violations'],
        rules: Object.fromEntries(uncounted.map((r) => [r.id, { enabled: false }])),
      });
      // Trimmed in the page: only what we keep crosses to Node.
      return results.violations
        .filter((v) => v.impact && counted.includes(v.impact))
        .map((v) => ({
          id: v.id,
          impact: v.impact as string,
          help: v.help,
          helpUrl: v.helpUrl,
          // A target is a selector per frame (and per shadow root inside it), outermost first.
          targets: v.nodes
            .slice(0, maxTargets)
            .map((node) => node.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' >>> ')),
        }));
    },
    { counted: COUNTED, maxTargets: MAX_TARGETS },
  );
  return (violations as A11yViolation[]).sort((a, b) => a.id.localeCompare(b.id));
}
