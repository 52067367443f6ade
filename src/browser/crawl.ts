// The smoke crawl: no LLM, same result every time. Visit the entry page, the configured and diff routes,
// then same-origin links breadth-first up to a bound, and record what a careful person would notice:
// uncaught errors, console errors, failed requests, broken links, and a screenshot per page.
//
// Each URL gets a fresh tab: timers and listeners of the previous page cannot leak errors into the next
// one, and a page that hangs or crashes takes nothing else down. A tab costs a few milliseconds.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { APIRequestContext } from 'playwright-core';
import { untilAborted, withTimeout } from '../bounded.js';
import { CoworkerError, throwIfCancelled } from '../errors.js';
import type { BrokenLink, PageResult } from '../report/model.js';
import { AccessibilityCheck } from './accessibility.js';
import { looksLikeFile, pageKey, pageUrl, screenshotName } from './crawlUrls.js';
import { checkLink, type LinkStatus, mapLimited } from './linkCheck.js';
import { watchPage } from './pageWatch.js';
import { playwrightFirstLine, playwrightTimeoutSeconds } from './playwrightErrors.js';
import type { BrowserPage, BrowserSession } from './session.js';
import type { CrawlOptions, CrawlResult } from './types.js';

/** Longest wait for a page's `load` event, unless the options say otherwise. */
export const NAVIGATION_TIMEOUT_MS = 15_000;
/**
 * A page that did not load in time is opened once more with this many times as long: a dev server
 * compiles each page on its first request (Next, Astro, Vite SSR), which on a busy machine takes longer
 * than a page load should, and the second request finds it compiled. Once a second try has timed out
 * too, the app is taken to hang and later pages get one try (the cost of a hung app stays bounded).
 */
const SLOW_PAGE_FACTOR = 3;
/** After `load`, wait for the network to go quiet (500 ms without requests), but no longer than this. */
export const SETTLE_TIMEOUT_MS = 1_500;
/**
 * A page that still shows nothing once settled (see `showsContent`) is given this long to show something:
 * an SPA renders after `load` — lazy routes a dev server compiles on demand, a mock service worker started
 * first (bulletproof-react showed a blank page and a spinner, on head and base alike, and "passed"). One
 * that still shows nothing then is recorded as blank (`PageResult.blank`, a `blank-page` finding).
 */
const CONTENT_TIMEOUT_MS = 15_000;
/** How often a second look (`stopWhenSeen`) asks whether what it looks for has come back. */
const SEEN_POLL_MS = 50;
/** Links not visited (beyond the bound, or files) are checked with a request instead, at most this many. */
export const MAX_LINK_CHECKS = 20;
const LINK_CHECK_CONCURRENCY = 4;
const FIXED_LIST_CONCURRENCY = 3;
const STEP_TIMEOUT_MS = 5_000;
const SCREENSHOT_TIMEOUT_MS = 10_000;
/**
 * axe-core takes well under a second on most pages and a few seconds on a large one; on a machine
 * under heavy load it can take ten times as long. A check that takes longer is left out (and said so).
 */
const A11Y_TIMEOUT_MS = 30_000;

interface QueueItem {
  url: string;
  via: PageResult['via'];
  /** Path of the page the link was first seen on (links only). */
  from?: string;
}

/**
 * Crawl the app. `onPage` gets each page and its zero-based index as soon as it is done.
 * Throws CancelledError when `opts.signal` fires, BROWSER_FAILED when the browser goes away.
 */
export async function smokeCrawl(session: BrowserSession, opts: CrawlOptions): Promise<CrawlResult> {
  const log = session.logger;
  const entryUrl = pageUrl(opts.entryUrl);
  if (!session.isAppUrl(entryUrl)) {
    throw new CoworkerError(
      'INVALID_INPUT',
      `The entry URL ${opts.entryUrl} is not on the app origin ${session.origin}.`,
      'Crawl a URL of the app itself.',
    );
  }
  const maxPages = Math.max(1, Math.floor(opts.maxPages));
  const follow = opts.followLinks !== false;
  await mkdir(opts.screenshotsDir, { recursive: true });

  const queue: QueueItem[] = [];
  const known = new Set<string>();
  // Same-origin links that lead to files: checked, never opened.
  const fileLinks: QueueItem[] = [];
  const enqueue = (item: QueueItem) => {
    const key = pageKey(item.url);
    if (known.has(key)) return;
    known.add(key);
    if (item.via === 'link' && looksLikeFile(item.url)) fileLinks.push(item);
    else {
      queue.push(item);
      // Every page queued within the bound is visited, in queue order.
      if (follow && queue.length <= maxPages) opts.onQueued?.(item, queue.length - 1);
    }
  };

  enqueue({ url: entryUrl, via: 'entry' });
  const skipped: string[] = [];
  const skip = (message: string) => {
    log.warn(message);
    skipped.push(message);
  };
  for (const target of opts.targets) {
    let url: string;
    try {
      url = pageUrl(new URL(target.url, entryUrl).href);
    } catch {
      skip(`Skipped the route ${target.url}: it is not a valid URL or path.`);
      continue;
    }
    if (!session.isAppUrl(url)) {
      skip(`Skipped the route ${target.url}: it is not on the app origin ${session.origin}.`);
      continue;
    }
    enqueue({ url, via: target.via, ...(target.from !== undefined ? { from: target.from } : {}) });
  }

  const pages: PageResult[] = [];
  const brokenLinks: BrokenLink[] = [];
  const digits = Math.max(2, String(maxPages).length);
  let request: APIRequestContext | null = null;
  let next = 0;
  const patience: Patience = { secondTries: true };

  if (!follow) {
    // A fixed list does not grow as pages are visited: its pages load side by side (most of a page's
    // time is waiting for the network to go quiet), in the list's order in the results. A feed adds to
    // the list while the crawl runs (the head's pages as the head visits them).
    const items = queue.slice(0, maxPages);
    next = items.length;
    const visits: OpenedPage[] = [];
    let taken = 0;
    const take = async (): Promise<number | null> => {
      for (;;) {
        if (taken >= maxPages) return null;
        if (taken < items.length) return taken++;
        const target = await opts.feed?.next();
        if (!target) return null;
        let url: string;
        try {
          url = pageUrl(new URL(target.url, entryUrl).href);
        } catch {
          continue;
        }
        if (!session.isAppUrl(url) || known.has(pageKey(url))) continue;
        known.add(pageKey(url));
        items.push({ url, via: target.via, ...(target.from !== undefined ? { from: target.from } : {}) });
      }
    };
    const worker = async () => {
      for (let index = await take(); index !== null; index = await take()) {
        throwIfCancelled(opts.signal);
        const visit = await openPatiently(session, items[index] as QueueItem, index, digits, opts, patience);
        await visit.finish();
        log.debug(
          `crawled ${visit.result.path}: ${visit.result.status ?? visit.result.error} (${visit.timings()})`,
        );
        visits[index] = visit;
        opts.onPage?.(visit.result, index);
      }
    };
    await Promise.all(Array.from({ length: FIXED_LIST_CONCURRENCY }, worker));
    throwIfCancelled(opts.signal);
    if (session.closed) throw browserGone(session);
    for (const { result, page } of visits) {
      request ??= page.context().request;
      pages.push(result);
    }
  }

  // Following links: each page's last step (axe-core, in compared runs) runs once the next page has
  // loaded, while that one waits for its network to go quiet. Pages finish one at a time, in order, and at
  // most one finishes beside the next one (two tabs).
  let finishing: Promise<void> = Promise.resolve();
  // Starts the previous page's last step: once the next page has loaded (its load is busy, its wait for
  // the network to go quiet is idle), or at once when there is no next page or it did not load.
  let finishPrevious = () => {};
  let opened = 0;
  try {
    while (follow && next < queue.length && opened < maxPages) {
      throwIfCancelled(opts.signal);
      const item = queue[next++] as QueueItem;
      const visit = await openPatiently(session, item, opened++, digits, opts, patience, () =>
        finishPrevious(),
      );
      finishPrevious();
      request ??= visit.page.context().request;
      // A same-origin redirect (/ → /login) already showed us the target: do not open it again.
      if (session.isAppUrl(visit.finalUrl)) known.add(pageKey(visit.finalUrl));
      throwIfCancelled(opts.signal);
      if (session.closed) throw browserGone(session);

      const { result } = visit;
      for (const link of result.links) enqueue({ url: link, via: 'link', from: result.path });
      if (item.via === 'link' && (result.status === null || result.status >= 400)) {
        brokenLinks.push({
          from: item.from ?? '/',
          url: item.url,
          status: result.status,
          ...(result.error ? { failure: result.error } : {}),
        });
      }
      const previous = finishing;
      const nextLoaded = new Promise<void>((resolve) => {
        finishPrevious = resolve;
      });
      finishing = previous.then(async () => {
        await nextLoaded;
        pages.push(await visit.finish());
        log.debug(`crawled ${result.path}: ${result.status ?? result.error} (${visit.timings()})`);
        opts.onPage?.(result, pages.length - 1);
      });
      finishing.catch(() => {});
      await previous;
    }
  } finally {
    finishPrevious();
    // No tab of the crawl outlives it.
    await finishing.catch(() => {});
  }
  await finishing;
  throwIfCancelled(opts.signal);
  if (session.closed) throw browserGone(session);

  if (follow) {
    // A failing page first queued as a route (of the diff, of the config) is a broken link too when a
    // page links to it, as on a fixed list: head and base judge it alike, so one problem has one identity.
    brokenLinks.push(
      ...linksToFailedPages(
        pages.filter((p) => p.via !== 'link'),
        pages,
      ),
    );
  } else {
    // A fixed list of pages (the base commit, visited where the head went): a page that fails is a broken
    // link only where a page of this side links to it, and the links not visited are checked below.
    brokenLinks.push(...linksToFailedPages(pages));
    const visited = new Set(pages.map((p) => p.path));
    for (const page of pages) {
      for (const link of page.links) {
        if (!visited.has(pageKey(link))) enqueue({ url: link, via: 'link', from: page.path });
      }
    }
  }

  // Links seen but not opened (the bound, or files) still must not be broken.
  const unvisited = [...queue.slice(next).filter((item) => item.via === 'link'), ...fileLinks];
  const toCheck = unvisited.slice(0, MAX_LINK_CHECKS);
  if (unvisited.length > toCheck.length) {
    log.debug(`checking ${toCheck.length} of ${unvisited.length} unvisited links (limit ${MAX_LINK_CHECKS})`);
  }
  if (request && toCheck.length > 0 && opts.checkLinks !== false) {
    const requestContext = request;
    const check = (item: QueueItem, timeoutMs?: number) =>
      checkLink(requestContext, item.url, (url) => session.isAllowedUrl(url), timeoutMs);
    const statuses = await mapLimited(toCheck, LINK_CHECK_CONCURRENCY, (item) => check(item), opts.signal);
    // A dev server compiles a page on its first request (Astro, Next, Vite SSR), one at a time: links that
    // did not answer in the short first try get one more, alone and with a page's time limit.
    const slow = statuses.flatMap((status, i) => (status?.timeoutSeconds !== undefined ? [i] : []));
    if (slow.length > 0) log.debug(`checking ${slow.length} slow link(s) again, one at a time`);
    const again = await mapLimited(
      slow,
      1,
      (i) => check(toCheck[i] as QueueItem, NAVIGATION_TIMEOUT_MS),
      opts.signal,
    );
    slow.forEach((i, n) => {
      statuses[i] = again[n] as LinkStatus;
    });
    throwIfCancelled(opts.signal);
    toCheck.forEach((item, i) => {
      const checked = statuses[i];
      if (!checked || (checked.status !== null && checked.status < 400)) return;
      brokenLinks.push({ from: item.from ?? '/', url: item.url, ...checked });
    });
  }

  const notVisited = queue.slice(next).filter((item) => item.via === 'route');
  for (const item of notVisited) {
    skip(
      `Did not visit the route ${pageKey(item.url)}: the crawl stopped at ${maxPages} pages (raise --max-pages).`,
    );
  }
  return { pages, brokenLinks, ...(skipped.length ? { skipped } : {}) };
}

/** Whether a page that timed out still gets a second, longer try in this crawl. */
interface Patience {
  secondTries: boolean;
}

interface OpenedPage {
  /** Complete once `finish()` resolved (its problems and accessibility are added then). */
  result: PageResult;
  page: BrowserPage;
  finalUrl: string;
  timedOut: boolean;
  /** The page as it is now, before `finish()`: the problems seen so far (a copy). */
  soFar(): PageResult;
  /** The page's last steps: axe-core (when asked), then its problems collected and the tab closed. */
  finish(): Promise<PageResult>;
  /** Where the page's time went, for the debug log. */
  timings(): string;
}

/**
 * A page opened (see `openPage`), and when it did not load in time, a second time in a fresh tab with
 * more time (the first finished and closed). `onPageLoaded` hears of the try that counts: one that
 * loaded as soon as it has settled, before its screenshot; one that timed out when it is over.
 */
async function openPatiently(
  session: BrowserSession,
  item: QueueItem,
  index: number,
  digits: number,
  opts: CrawlOptions,
  patience: Patience,
  onLoaded?: () => void,
): Promise<OpenedPage> {
  const timeoutMs = opts.navigationTimeoutMs ?? NAVIGATION_TIMEOUT_MS;
  // A try that loaded is the one that counts: it is heard of once settled, before its screenshot.
  let heard = false;
  const settled = (soFar: PageResult) => {
    heard = true;
    opts.onPageLoaded?.(soFar, index);
  };
  let opened = await openPage(session, item, index, digits, opts, timeoutMs, settled, onLoaded);
  if (opened.timedOut && patience.secondTries && !opts.signal?.aborted && !session.closed) {
    await opened.finish();
    session.logger.debug(`${opened.result.path} did not load in ${timeoutMs} ms: opening it once more`);
    opened = await openPage(
      session,
      item,
      index,
      digits,
      opts,
      timeoutMs * SLOW_PAGE_FACTOR,
      settled,
      onLoaded,
    );
    if (opened.timedOut) patience.secondTries = false;
  }
  if (!heard) opts.onPageLoaded?.(opened.soFar(), index);
  return opened;
}

/** A page loaded, settled, its links read and its screenshot taken. */
async function openPage(
  session: BrowserSession,
  item: QueueItem,
  index: number,
  digits: number,
  opts: CrawlOptions,
  timeoutMs: number,
  onSettled?: (soFar: PageResult) => void,
  onLoaded?: () => void,
): Promise<OpenedPage> {
  const result: PageResult = {
    url: item.url,
    path: pageKey(item.url),
    status: null,
    title: '',
    via: item.via,
    loadMs: 0,
    pageErrors: [],
    consoleErrors: [],
    failedRequests: [],
    links: [],
    ...(item.from !== undefined ? { from: item.from } : {}),
  };
  const page = await newPageUnlessCancelled(session, opts.signal);
  const watch = watchPage(page, session);
  // The status of the main document as it arrives, so a page that never fires `load` still has one.
  let documentStatus: number | null = null;
  page.on('response', (response) => {
    if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) {
      documentStatus = response.status();
    }
  });
  let crashed = false;
  page.on('crash', () => {
    crashed = true;
  });
  // Windows the page opens on its own (window.open on load) are not part of the crawl.
  page.on('popup', (popup) => void popup.close().catch(() => {}));
  const onAbort = () => void page.close().catch(() => {});
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  // A cancel that came while the tab was opening fires no event any more: the page must not load.
  if (opts.signal?.aborted) onAbort();

  const started = performance.now();
  let a11y: AccessibilityCheck | undefined;
  let loaded = false;
  let download = false;
  let timedOut = false;
  const soFar = (): PageResult => {
    const { pageErrors, consoleErrors, failedRequests } = watch.peek();
    return { ...result, pageErrors, consoleErrors, failedRequests };
  };
  const { stopWhenSeen } = opts;
  const seen = stopWhenSeen ? () => stopWhenSeen(soFar()) : undefined;
  let blankAfterMs: number | undefined;
  try {
    const response = await page.goto(item.url, { waitUntil: 'load', timeout: timeoutMs });
    result.loadMs = Math.round(performance.now() - started);
    result.status = response?.status() ?? documentStatus;
    loaded = true;
    onLoaded?.();
    // axe-core's source is parsed while the page settles (see accessibility.ts).
    if (opts.accessibility) {
      a11y = new AccessibilityCheck(page);
      a11y.start();
    }
    // SPAs keep fetching after `load`, and errors often come right after a fetch resolves. A second look
    // is over as soon as what it looks for is back.
    await unlessSeen(
      page.waitForLoadState('networkidle', { timeout: SETTLE_TIMEOUT_MS }).catch(() => {}),
      seen,
    );
    if (result.status !== null && result.status < 400 && !seen?.()) {
      // Blank only when the wait ran to its end (a second look that ended early says nothing of it).
      let shown = true;
      await unlessSeen(
        untilSomeContent(page).then((content) => {
          shown = content;
        }),
        seen,
      );
      if (!shown) blankAfterMs = Math.round(performance.now() - started);
    }
  } catch (err) {
    result.loadMs = Math.round(performance.now() - started);
    result.status = documentStatus;
    const text = navigationError(err);
    const timeoutSeconds = crashed ? undefined : playwrightTimeoutSeconds(playwrightFirstLine(err));
    timedOut = timeoutSeconds !== undefined;
    if (/Download is starting/i.test(text)) download = true;
    else result.error = crashed ? 'The page crashed while loading.' : text;
    // The document came but the page never finished loading: what it shows by now is what a user gets.
    if (timeoutSeconds !== undefined && documentStatus !== null && documentStatus < 400) {
      result.loadTimeoutSeconds = timeoutSeconds;
      if ((await step(page.evaluate(showsContent))) === false) {
        blankAfterMs = Math.round(performance.now() - started);
      }
    }
  }

  const finalUrl = page.isClosed() ? item.url : page.url();
  const onApp = session.isAppUrl(finalUrl);
  if (blankAfterMs !== undefined && onApp) result.blank = { afterMs: blankAfterMs };
  if ((loaded || documentStatus !== null) && !onApp && !download) {
    result.error = `The page redirected outside the app, to ${finalUrl}.`;
  }
  if (loaded && onApp && !page.isClosed()) {
    result.title = (await step(page.title())) ?? '';
    // A second look follows no link.
    if (!stopWhenSeen) result.links = (await step(sameOriginLinks(page, session))) ?? [];
  }
  // A timed-out page may still show something useful; a network error page or a download shows nothing.
  const rendered = !page.isClosed() && onApp && !download && (loaded || documentStatus !== null);
  const settled = performance.now();
  if (loaded && !timedOut) onSettled?.(soFar());
  // A second look has its first look's screenshot.
  if (rendered && !stopWhenSeen)
    result.screenshot = await screenshot(page, item.url, index, digits, opts, session);
  const shot = performance.now();
  let checked = shot;

  const finish = async (): Promise<PageResult> => {
    if (rendered && opts.accessibility && !page.isClosed() && !crashed) {
      a11y ??= new AccessibilityCheck(page);
      const violations = await step(
        a11y.violations().catch((err: unknown) => {
          log(session, `no accessibility check of ${page.url()}`, err);
          return undefined;
        }),
        A11Y_TIMEOUT_MS,
      );
      if (violations) result.a11y = violations;
      checked = performance.now();
    }
    if (crashed && !result.error) result.error = 'The page crashed.';

    const problems = watch.drain();
    watch.stop();
    result.pageErrors = problems.pageErrors;
    result.consoleErrors = problems.consoleErrors;
    result.failedRequests = problems.failedRequests;
    opts.signal?.removeEventListener('abort', onAbort);
    if (a11y) await step(a11y.close());
    await step(page.close({ runBeforeUnload: false }));
    return result;
  };
  let finished: Promise<PageResult> | undefined;
  const ms = (from: number, to: number) => `${Math.round(to - from)} ms`;
  return {
    result,
    page,
    finalUrl,
    timedOut,
    soFar,
    finish: () => {
      finished ??= finish();
      return finished;
    },
    timings: () =>
      `load ${result.loadMs} ms, settled ${ms(started, settled)}, screenshot ${ms(settled, shot)}` +
      (opts.accessibility ? `, axe-core ${ms(shot, checked)}` : ''),
  };
}

/**
 * Settles with `work`, or as soon as `seen()` holds (looked at every SEEN_POLL_MS); `work` runs on
 * unwatched (the tab closes soon after). No `seen`: `work` itself.
 */
async function unlessSeen(work: Promise<unknown>, seen: (() => boolean) | undefined): Promise<void> {
  if (!seen) {
    await work;
    return;
  }
  if (seen()) return;
  let poll: NodeJS.Timeout | undefined;
  const back = new Promise<void>((resolve) => {
    poll = setInterval(() => {
      if (seen()) resolve();
    }, SEEN_POLL_MS);
  });
  try {
    await Promise.race([work, back]);
  } finally {
    clearInterval(poll);
  }
}

/**
 * Wait (bounded) for a page that shows nothing yet to show something, then for its network to settle
 * again. false: it still shows nothing (a blank page, or a spinner); true also when that cannot be told.
 */
async function untilSomeContent(page: BrowserPage): Promise<boolean> {
  if ((await step(page.evaluate(showsContent))) !== false) return true;
  const shown = await page
    .waitForFunction(showsContent, undefined, { timeout: CONTENT_TIMEOUT_MS, polling: 250 })
    .then(
      () => true,
      // A page that navigated or closed meanwhile is not known to be blank.
      (err: unknown) => playwrightTimeoutSeconds(playwrightFirstLine(err)) === undefined,
    );
  if (shown) await page.waitForLoadState('networkidle', { timeout: SETTLE_TIMEOUT_MS }).catch(() => {});
  return shown;
}

/**
 * Runs in the page: whether it shows a person something. That is visible text (not text no one can see,
 * such as a visually hidden 1 px label: React Query's devtools button on an SPA still loading its route),
 * a visible form field, or an image (loaded), canvas, svg, video or frame of at least 100×100 px: a canvas
 * app, a photo page or a page shown in a frame has content without text of its own, while a spinner or an
 * icon (40–64 px) alone is no page.
 */
function showsContent(): boolean {
  // No DOM types here: the few members used, typed by hand.
  type El = {
    tagName: string;
    checkVisibility?: (o: object) => boolean;
    getBoundingClientRect(): { width: number; height: number };
    complete?: boolean;
    naturalWidth?: number;
  };
  type TextNode = { textContent: string | null; parentElement: El | null };
  const doc = (
    globalThis as unknown as {
      document: {
        body: { querySelectorAll(selector: string): ArrayLike<El> } | null;
        createTreeWalker(root: unknown, what: number): { nextNode(): TextNode | null };
      };
    }
  ).document;
  if (!doc.body) return false;
  const visible = (el: El) =>
    !el.checkVisibility || el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  const walker = doc.createTreeWalker(doc.body, 4 /* NodeFilter.SHOW_TEXT */);
  for (let node = walker.nextNode(), seen = 0; node && seen < 5_000; node = walker.nextNode(), seen++) {
    const el = node.parentElement;
    if (!el || !node.textContent?.trim() || !visible(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.width > 1 && box.height > 1) return true;
  }
  const shown = doc.body.querySelectorAll(
    'img, canvas, svg, video, iframe, input:not([type=hidden]), textarea, select',
  );
  for (let i = 0; i < Math.min(shown.length, 500); i++) {
    const el = shown[i] as El;
    if (!visible(el)) continue;
    const box = el.getBoundingClientRect();
    const tag = el.tagName.toLowerCase();
    if (tag === 'input' || tag === 'textarea' || tag === 'select') {
      if (box.width > 1 && box.height > 1) return true;
      continue;
    }
    // A broken image is an icon and its alt text, not content.
    if (tag === 'img' && !(el.complete && (el.naturalWidth ?? 0) > 0)) continue;
    if (box.width >= 100 && box.height >= 100) return true;
  }
  return false;
}

/**
 * A new tab, or CancelledError as soon as the signal fires: a context that is being closed by the cancel
 * may never answer a tab request (seen with several tabs opening at once), and the crawl must not wait.
 */
async function newPageUnlessCancelled(session: BrowserSession, signal?: AbortSignal): Promise<BrowserPage> {
  throwIfCancelled(signal);
  const opening = session.newPage();
  try {
    return await untilAborted(opening, signal);
  } catch (err) {
    // A tab that arrives after the cancel is closed, not leaked.
    opening.then((tab) => tab.close().catch(() => {})).catch(() => {});
    throw err;
  }
}

/** Pages that failed, with each page (of `from`: the crawl's) that links to them, in crawl order. */
function linksToFailedPages(pages: readonly PageResult[], from: readonly PageResult[] = pages): BrokenLink[] {
  const broken: BrokenLink[] = [];
  for (const target of pages) {
    if (target.status !== null && target.status < 400) continue;
    for (const page of from) {
      if (page === target || !page.links.some((l) => pageKey(l) === target.path)) continue;
      broken.push({
        from: page.path,
        url: target.url,
        status: target.status,
        ...(target.error ? { failure: target.error } : {}),
      });
    }
  }
  return broken;
}

/** Same-origin `<a href>` targets of the page, absolute, without anchors, deduplicated. */
async function sameOriginLinks(page: BrowserPage, session: BrowserSession): Promise<string[]> {
  const hrefs = await page.$$eval('a[href]', (anchors) =>
    anchors
      // `download` links save a file instead of opening a page.
      .filter((a) => !a.hasAttribute('download'))
      .map((a) => {
        try {
          return new URL(a.getAttribute('href') ?? '', a.baseURI).href;
        } catch {
          return null;
        }
      }),
  );
  const links = new Map<string, string>();
  for (const href of hrefs) {
    // mailto:, tel:, javascript: and other origins are not pages of the app.
    if (!href || !session.isAppUrl(href)) continue;
    const url = pageUrl(href);
    const key = pageKey(url);
    if (!links.has(key)) links.set(key, url);
  }
  return [...links.values()];
}

async function screenshot(
  page: BrowserPage,
  url: string,
  index: number,
  digits: number,
  opts: CrawlOptions,
  session: BrowserSession,
): Promise<string | undefined> {
  const file = path.join(opts.screenshotsDir, screenshotName(index, url, digits));
  const take = (mask: readonly string[]) =>
    // Frozen animations (and masked dynamic regions) keep screenshots of the same page comparable
    // between runs and between the head and the base.
    page.screenshot({
      path: file,
      fullPage: true,
      animations: 'disabled',
      timeout: SCREENSHOT_TIMEOUT_MS,
      ...(mask.length ? { mask: mask.map((selector) => page.locator(selector)) } : {}),
    });
  try {
    try {
      await take(opts.mask ?? []);
    } catch (err) {
      // A mask selector Playwright cannot parse must not cost the page its screenshot.
      if (!opts.mask?.length || page.isClosed()) throw err;
      session.logger.warn(
        `the mask selectors (${opts.mask.join(', ')}) could not be used on ${page.url()}: ${firstErrorLine(err)}`,
      );
      await take([]);
    }
    return path.relative(opts.artifactDir, file).split(path.sep).join('/');
  } catch (err) {
    log(session, `no screenshot of ${page.url()}`, err);
    return undefined;
  }
}

function firstErrorLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? text;
}

function log(session: BrowserSession, what: string, err: unknown): void {
  session.logger.debug(`${what}: ${firstErrorLine(err)}`);
}

/** A page step that must not hang the crawl (a page stuck in a busy loop never answers). */
function step<T>(promise: Promise<T>, timeoutMs = STEP_TIMEOUT_MS): Promise<T | undefined> {
  return withTimeout(
    promise.catch(() => undefined),
    timeoutMs,
    undefined,
  );
}

function navigationError(err: unknown): string {
  const first = playwrightFirstLine(err);
  const seconds = playwrightTimeoutSeconds(first);
  return seconds === undefined ? first : `The page did not finish loading within ${seconds} s.`;
}

function browserGone(session: BrowserSession): CoworkerError {
  return new CoworkerError(
    'BROWSER_FAILED',
    `The browser (${session.executable.path}) closed during the crawl.`,
    'Run the simulation again; if it keeps happening, check the browser with `myfav-coworker doctor`.',
  );
}
