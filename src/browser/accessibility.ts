// axe-core on a page the crawl has open (after its screenshot, so the check cannot change what the
// screenshot shows), through @axe-core/playwright — imported here only, and lazily: it carries axe's
// ~600 kB source, which only compared runs need.
//
// Legacy mode (one `axe.run` in the page) rather than the default per-frame `runPartial` + `finishRun`:
// the default opens an extra blank tab in the context for every check, and the frames it would reach
// beyond the page's own origin are blocked by our session anyway.

import type { A11yViolation } from '../report/model.js';
import type { BrowserPage } from './session.js';

/** Only what blocks or seriously hinders a user counts; minor/moderate ones are left to linters. */
const COUNTED: ReadonlySet<string> = new Set(['serious', 'critical']);
/** Elements named per violation (the model's contract). */
const MAX_TARGETS = 5;

/** The serious and critical violations on the page, by rule id (sorted, so reports are stable). */
export async function accessibilityViolations(page: BrowserPage): Promise<A11yViolation[]> {
  const { AxeBuilder } = await import('@axe-core/playwright');
  const results = await new AxeBuilder({ page })
    .setLegacyMode(true)
    // Passing and incomplete checks are not reported: collecting their nodes is most of the result's size.
    .options({ resultTypes: ['violations'] })
    .analyze();
  return results.violations
    .filter((v) => v.impact && COUNTED.has(v.impact))
    .map(
      (v): A11yViolation => ({
        id: v.id,
        impact: v.impact as A11yViolation['impact'],
        help: v.help,
        helpUrl: v.helpUrl,
        // A target is a selector per frame (and per shadow root inside it), outermost first.
        targets: v.nodes
          .slice(0, MAX_TARGETS)
          .map((node) => node.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' >>> ')),
      }),
    )
    .sort((a, b) => a.id.localeCompare(b.id));
}
