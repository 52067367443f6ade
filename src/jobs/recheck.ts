// New problems seen while a page loaded are looked at once more: the page is opened again on head. One
// that does not come back is flaky — a warning with both observations, not the change's failure. Pages
// already opened again ahead (compareAhead.ts, while the head was still crawled) are not opened a third
// time.

import path from 'node:path';
import { smokeCrawl } from '../browser/crawl.js';
import type { BrowserSession } from '../browser/session.js';
import { isNew } from '../report/compare.js';
import { findingsFromCrawl } from '../report/findings.js';
import type { Finding, PageResult } from '../report/model.js';

/** Kinds whose new findings are looked at once more before they count (page-level observations). */
const RECHECKED: ReadonlySet<Finding['kind']> = new Set([
  'page-error',
  'console-error',
  'failed-request',
  'http-error',
  'page-unreachable',
]);

/** A classified finding that must happen a second time to count. */
export function isRecheckSuspect(f: Finding): boolean {
  return isNew(f) && f.severity === 'error' && f.source !== 'agent' && RECHECKED.has(f.kind) && !!f.page;
}

export interface RecheckInput {
  session: BrowserSession;
  headPages: readonly PageResult[];
  artifactDir: string;
  signal: AbortSignal;
  progress(message: string): void;
  /** The page's second load when it was done ahead. */
  openedAhead?(pagePath: string): Promise<PageResult | undefined> | undefined;
  /**
   * false: the head app has stopped (its base needed the port), every page with a problem having been
   * opened again before: a page without a second load is not opened now (its findings stand).
   */
  mayReopen?: boolean;
}

export async function recheckNewFindings(input: RecheckInput, findings: Finding[]): Promise<Finding[]> {
  const suspects = findings.filter(isRecheckSuspect);
  const headByPath = new Map(input.headPages.map((p) => [p.path, p]));
  const pages = [...new Set(suspects.map((f) => f.page as string))].flatMap((p) => {
    const page = headByPath.get(p);
    return page ? [page] : [];
  });
  if (pages.length === 0) return findings;
  const again: PageResult[] = [];
  const toOpen: PageResult[] = [];
  for (const page of pages) {
    const ahead = await input.openedAhead?.(page.path)?.catch(() => undefined);
    if (ahead) again.push(ahead);
    else toOpen.push(page);
  }
  input.progress(
    `${pages.map((p) => p.path).join(', ')} opened again${toOpen.length < pages.length ? ' (while the head was crawled)' : ''}: a new problem must happen twice to count`,
  );
  const [first, ...rest] = toOpen;
  if (first && input.mayReopen !== false) {
    const crawl = await smokeCrawl(input.session, {
      entryUrl: first.url,
      targets: rest.map((p) => ({ url: p.url, via: p.via })),
      maxPages: toOpen.length,
      followLinks: false,
      checkLinks: false,
      stopWhenSeen: everySuspectBack(suspects),
      screenshotsDir: path.join(input.artifactDir, 'recheck'),
      artifactDir: input.artifactDir,
      signal: input.signal,
    });
    again.push(...crawl.pages);
  }
  const loads = secondLoads(again);
  return findings.map((f) => {
    if (!suspects.includes(f) || cameBack(f, loads)) return f;
    return {
      ...f,
      severity: 'warning',
      flaky: true,
      detail: `${f.detail} It did not happen again when ${f.page} was opened a second time: flaky, so it does not fail the change.`,
      evidence: [...f.evidence, `Second load of ${f.page}: not seen`],
    };
  });
}

/**
 * A second look's stop condition (`stopWhenSeen`): every suspect of the page has happened again, so
 * waiting for the rest of the page changes nothing.
 */
export function everySuspectBack(suspects: readonly Finding[]): (soFar: PageResult) => boolean {
  return (soFar) => {
    const loads = secondLoads([soFar]);
    return suspects.filter((f) => f.page === soFar.path).every((f) => cameBack(f, loads));
  };
}

/** What the second loads showed, by finding key and by page status. */
interface SecondLoads {
  keys: ReadonlySet<string>;
  status: ReadonlyMap<string, number | null>;
}

function secondLoads(pages: PageResult[]): SecondLoads {
  return {
    keys: new Set(findingsFromCrawl({ pages, brokenLinks: [] }).flatMap((f) => (f.key ? [f.key] : []))),
    status: new Map(pages.map((p) => [p.path, p.status])),
  };
}

/** Whether a suspect happened again (a page that was not opened again: it stands). */
function cameBack(f: Finding, again: SecondLoads): boolean {
  if (!again.status.has(f.page as string)) return true;
  // A page's own failure: the same status class again (how it was reached does not matter here).
  if (f.kind === 'http-error' || f.kind === 'page-unreachable') {
    const status = again.status.get(f.page as string);
    return status === undefined || (f.kind === 'page-unreachable' ? status === null : (status ?? 0) >= 400);
  }
  return f.key !== undefined && again.keys.has(f.key);
}
