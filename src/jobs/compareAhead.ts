// The compare phase's work, done while the head is still being looked at: the base commit visits each of
// the head's pages as soon as the head has queued it (a sibling browser context), and once a page is
// known on both sides its pixels are compared and — when it shows a new problem — it is opened once more
// on head. The compare phase after the head's crawl and agent then mostly collects results (see
// comparePhase.ts). With a cached base run nothing of the base runs, unless the head reaches a page the
// cache does not have: then the base app starts, and visits every page.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import PQueue from 'p-queue';
import { smokeCrawl } from '../browser/crawl.js';
import { pageKey, pageUrl } from '../browser/crawlUrls.js';
import type { BrowserSession } from '../browser/session.js';
import type { CrawlResult, CrawlTarget, PageFeed } from '../browser/types.js';
import { type CoworkerError, toCoworkerError } from '../errors.js';
import type { Logger } from '../log.js';
import { compareFindings } from '../report/compare.js';
import { findingsFromCrawl } from '../report/findings.js';
import type { Comparison, Finding, PageResult } from '../report/model.js';
import type { PreparedSide } from './appSide.js';
import { type CachedBaseRun, restoreScreenshots } from './baseCache.js';
import type { BaseSide } from './baseSide.js';
import { comparedPage, comparePixels, type PixelResult, type VisualSettings } from './compareVisuals.js';
import { everySuspectBack, isRecheckSuspect } from './recheck.js';

const RECHECK_CONCURRENCY = 2;

export interface CompareAheadInput {
  /** The head's session: the base gets a sibling context in it, and rechecks open head pages in it. */
  session: BrowserSession;
  /** Where the head's crawl starts (its app's URL): the base starts at the same path. */
  headEntryUrl: string;
  base: { kind: 'cached'; run: CachedBaseRun } | { kind: 'live'; side: BaseSide };
  /** Starts the base app (a cached run lacks a page, or an agent finding needs the live base). */
  startLiveBase(): BaseSide;
  cacheDir: string;
  /** The head's bound on pages: the base never visits more. */
  maxPages: number;
  pageChecks: VisualSettings & { mask: readonly string[] };
  diffRoutes: readonly string[];
  artifactDir: string;
  signal: AbortSignal;
  logger: Logger;
  progress(message: string): void;
}

export type AheadBase =
  | { kind: 'cached'; run: CachedBaseRun }
  | { kind: 'live'; side: PreparedSide; crawl: CrawlResult; timings: Comparison['timings'] }
  | { kind: 'failed'; error: CoworkerError };

export interface LiveBase {
  side: PreparedSide;
  session: BrowserSession;
  timings: Comparison['timings'];
}

export class CompareAhead {
  private readonly headPages: PageResult[] = [];
  private readonly feed = new HeadPageFeed();
  private result: Promise<AheadBase>;
  private live: Promise<LiveBase> | null = null;
  /** The live base's app (stopped early by `releaseBaseWhenCrawled`). */
  private liveSide: BaseSide | null = null;
  private released: Promise<void> = Promise.resolve();
  private cached: CachedBaseRun | null = null;
  private readonly basePages = new Map<string, PageResult>();
  private readonly rechecks = new Map<string, Promise<PageResult | undefined>>();
  private readonly pixels = new Map<string, Promise<PixelResult>>();
  /**
   * Second loads, two at a time: a load is mostly waiting for the page's network to go quiet, but head
   * tabs compete with the crawl's.
   */
  private readonly recheckQueue = new PQueue({ concurrency: RECHECK_CONCURRENCY });
  /** One pixel comparison at a time: decoded screenshots are large. */
  private pixelChain: Promise<unknown>;
  private stopped = false;
  /** The head app has stopped (a base on the same fixed port needed it): no more second loads. */
  headGone = false;

  constructor(private readonly input: CompareAheadInput) {
    input.signal.addEventListener('abort', () => this.feed.close(), { once: true });
    if (input.base.kind === 'cached') {
      this.cached = input.base.run;
      const run = input.base.run;
      // Screenshots first: the pixel comparisons read them from this job's base folder.
      this.pixelChain = restoreScreenshots(
        input.cacheDir,
        run.key,
        path.join(input.artifactDir, 'base', 'screenshots'),
      );
      for (const page of run.pages) this.basePages.set(page.path, page);
      this.result = Promise.resolve({ kind: 'cached', run });
    } else {
      this.pixelChain = Promise.resolve();
      this.result = this.crawlLive(input.base.side);
    }
    // Awaited by the compare phase; a failure nobody waits for (the head failed first) is not unhandled.
    this.result.catch(() => {});
  }

  /**
   * The head crawl's `onQueued`: a page the head will visit. The base goes there now, beside the head,
   * rather than once the head has been (the entry and the routes are known before the first page opens).
   */
  headQueued(target: CrawlTarget): void {
    if (this.stopped) return;
    const pagePath = pageKey(target.url);
    this.needBasePage(pagePath);
    this.feed.push({
      path: pagePath,
      via: target.via,
      ...(target.from !== undefined ? { from: target.from } : {}),
    });
  }

  /** The head crawl's `onPage`: a page the head has been to. */
  headPage(page: PageResult): void {
    if (this.stopped) return;
    this.headPages.push(page);
    this.needBasePage(page.path);
    this.feed.push(page);
    this.pair(page.path);
  }

  /** A cached base run that lacks a page the head visits is not enough: the live base visits every page. */
  private needBasePage(pagePath: string): void {
    if (!this.cached || this.basePages.has(pagePath)) return;
    this.input.progress(
      `the cached base run did not visit ${pagePath}: running the base (it visits every page the head does)`,
    );
    this.cached = null;
    this.basePages.clear();
    this.rechecks.clear();
    this.pixels.clear();
    this.result = this.crawlLive(this.input.startLiveBase());
    this.result.catch(() => {});
  }

  /**
   * The head crawl's `onPageLoaded`: the page has loaded and settled, its screenshot and accessibility
   * check still run. When its base page is known and it already shows a new problem, its second load
   * starts now, beside them (for the last page it would otherwise wait for them, at the end of the crawl).
   */
  headPageLoaded(page: PageResult): void {
    if (this.stopped || this.headGone || this.rechecks.has(page.path)) return;
    const base = this.basePages.get(page.path);
    if (base && showsNewProblem(page, base)) this.queueRecheck(page);
  }

  /** The head's crawl is over: the base has every page it will get. */
  headDone(): void {
    this.feed.close();
    // The base is still on its way to the last pages: their second loads start now rather than after
    // it (each is skipped if the base page turns out to have the same problem before its turn).
    for (const head of this.headPages) {
      if (this.stopped || this.headGone) break;
      if (!this.rechecks.has(head.path) && !this.basePages.has(head.path) && showsNewProblem(head, null))
        this.queueRecheck(head, true);
    }
  }

  /**
   * No agent finding will be replayed on the base: its app and browser context stop as soon as its
   * crawl is over, beside the rest of the compare phase.
   */
  releaseBaseWhenCrawled(): void {
    const result = this.result;
    this.released = result
      .then(async (base) => {
        if (base.kind !== 'live' || this.result !== result) return;
        const live = this.live;
        const side = this.liveSide;
        this.live = null;
        this.liveSide = null;
        await (await live?.catch(() => null))?.session.close();
        await side?.stop();
      })
      .catch(() => {});
  }

  /** The base's side of the comparison: the cached run, or the live base's crawl of the head's pages. */
  base(): Promise<AheadBase> {
    this.feed.close();
    return this.result;
  }

  /** The head page as it loaded a second time, when it was opened again ahead (a new problem showed). */
  recheckOf(pagePath: string): Promise<PageResult | undefined> | undefined {
    return this.rechecks.get(pagePath);
  }

  /** The page's screenshots compared in pixels, when both sides had one ahead. */
  pixelsOf(pagePath: string): Promise<PixelResult> | undefined {
    return this.pixels.get(pagePath);
  }

  /** The running base app and its browser context (started now when the base was cached). */
  liveBase(): Promise<LiveBase> {
    this.live ??= this.openLive(this.input.startLiveBase());
    return this.live;
  }

  /** Settles once the base's side is known (cached, crawled, or failed). */
  settled(): Promise<void> {
    return this.result.then(
      () => {},
      () => {},
    );
  }

  /**
   * Opens again every head page with a problem that a second load would decide (before the head app
   * stops for a base that needs its port: the base's findings are not known yet, so each counts).
   */
  async recheckEveryErrorPage(): Promise<void> {
    for (const head of this.headPages) {
      if (!this.rechecks.has(head.path) && showsNewProblem(head, null)) this.queueRecheck(head);
    }
    await this.recheckQueue.onIdle();
  }

  /** The head app has stopped: nothing more is opened on head. */
  headAppGone(): void {
    this.headGone = true;
  }

  /** Closes the base's browser context; what runs ahead stops. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.feed.close();
    const live = await this.live?.catch(() => null);
    await live?.session.close();
    await Promise.allSettled([this.recheckQueue.onIdle(), this.pixelChain, this.released]);
  }

  private openLive(side: BaseSide): Promise<LiveBase> {
    return (async () => {
      const prepared = await side.ready;
      const session = await this.input.session.openSibling({
        origin: prepared.app.origin,
        allowedOrigins: prepared.settings.allowedOrigins,
        tracePath: path.join(this.input.artifactDir, 'base', 'trace.zip'),
        signal: this.input.signal,
      });
      if (this.stopped) await session.close();
      return { side: prepared, session, timings: side.timings };
    })();
  }

  private async crawlLive(side: BaseSide): Promise<AheadBase> {
    const { input } = this;
    this.liveSide = side;
    this.live = this.openLive(side);
    let live: LiveBase;
    try {
      live = await this.live;
    } catch (err) {
      return { kind: 'failed', error: toCoworkerError(err) };
    }
    const origin = live.side.app.origin;
    const on = (pagePath: string) => new URL(pagePath, origin).href;
    const started = Date.now();
    input.progress("base: visiting the head's pages beside the head");
    const crawl = await smokeCrawl(live.session, {
      // The head's crawl always opens its entry first: the base need not wait for it to be there (the
      // head's first page, the same path, is then known to the crawl and not opened twice).
      entryUrl: on(pageKey(pageUrl(input.headEntryUrl))),
      targets: [],
      feed: this.feed.asFeed((p) => ({
        url: on(p.path),
        via: p.via,
        ...(p.from !== undefined ? { from: p.from } : {}),
      })),
      maxPages: input.maxPages,
      followLinks: false,
      mask: input.pageChecks.mask,
      accessibility: input.pageChecks.accessibility !== 'off',
      screenshotsDir: path.join(input.artifactDir, 'base', 'screenshots'),
      artifactDir: input.artifactDir,
      signal: input.signal,
      onPage: (page, index) => {
        input.progress(
          `base page ${index + 1}: ${page.path} → ${page.status ?? page.error ?? 'no response'}`,
        );
        this.basePages.set(page.path, page);
        this.pair(page.path);
      },
    });
    live.timings.crawl = Date.now() - started;
    return { kind: 'live', side: live.side, crawl, timings: live.timings };
  }

  /** Both sides have the page: what can be done with the pair is started. */
  private pair(pagePath: string): void {
    const head = this.headPages.find((p) => p.path === pagePath);
    const base = this.basePages.get(pagePath);
    if (!head || !base || this.stopped) return;
    const compared = comparedPage(head, base, this.input.diffRoutes);
    if (compared.headScreenshot && compared.baseScreenshot && !this.pixels.has(pagePath)) {
      const diff = this.pixelChain.then(() =>
        comparePixels(compared, {
          artifactDir: this.input.artifactDir,
          settings: this.input.pageChecks,
          logger: this.input.logger,
        }),
      );
      this.pixels.set(pagePath, diff);
      this.pixelChain = diff.catch(() => {});
    }
    if (!this.rechecks.has(pagePath) && !this.headGone && showsNewProblem(head, base))
      this.queueRecheck(head);
  }

  /** `unlessBaseHasIt`: queued before the base page was known; skipped if, by its turn, it shows no new problem. */
  private queueRecheck(head: PageResult, unlessBaseHasIt = false): void {
    const again = this.recheckQueue.add(() => {
      const base = unlessBaseHasIt ? this.basePages.get(head.path) : undefined;
      return base && !showsNewProblem(head, base) ? undefined : this.openAgain(head);
    });
    this.rechecks.set(head.path, again);
    again.catch(() => {});
  }

  private async openAgain(page: PageResult): Promise<PageResult | undefined> {
    if (this.stopped || this.input.signal.aborted) return undefined;
    const suspects = newProblems(page, this.basePages.get(page.path) ?? null);
    const dir = path.join(this.input.artifactDir, 'recheck');
    await mkdir(dir, { recursive: true });
    const again = await smokeCrawl(this.input.session, {
      entryUrl: page.url,
      targets: [],
      maxPages: 1,
      followLinks: false,
      checkLinks: false,
      stopWhenSeen: everySuspectBack(suspects),
      screenshotsDir: dir,
      artifactDir: this.input.artifactDir,
      signal: this.input.signal,
    });
    return again.pages[0];
  }
}

/**
 * Whether the head page has a problem its base page lacks (null: not known yet) that the compare phase
 * would open again.
 */
function showsNewProblem(head: PageResult, base: PageResult | null): boolean {
  return newProblems(head, base).length > 0;
}

/** The head page's problems its base page lacks (null: not known yet) that a second load decides. */
function newProblems(head: PageResult, base: PageResult | null): Finding[] {
  const compared = compareFindings({
    head: findingsFromCrawl({ pages: [head], brokenLinks: [] }),
    base: base ? findingsFromCrawl({ pages: [base], brokenLinks: [] }) : [],
    headPages: [head],
    basePages: base ? [base] : [],
  });
  return compared.findings.filter(isRecheckSuspect);
}

/** A page of the head for the base to visit: its path, and how the head came to it. */
type FeedPage = Pick<PageResult, 'path' | 'via' | 'from'>;

/** The head's pages for the base crawl, as the head queues them (or visits them), each once. */
class HeadPageFeed {
  private readonly pages: FeedPage[] = [];
  private readonly paths = new Set<string>();
  private waiters: (() => void)[] = [];
  private closed = false;

  push(page: FeedPage): void {
    if (this.closed || this.paths.has(page.path)) return;
    this.paths.add(page.path);
    this.pages.push({
      path: page.path,
      via: page.via,
      ...(page.from !== undefined ? { from: page.from } : {}),
    });
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  asFeed(toTarget: (page: FeedPage) => CrawlTarget): PageFeed {
    let next = 0;
    return {
      next: async () => {
        const index = next++;
        await this.until(index);
        const page = this.pages[index];
        return page ? toTarget(page) : null;
      },
    };
  }

  private async until(index: number): Promise<void> {
    while (index >= this.pages.length && !this.closed) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const resolve of waiting) resolve();
  }
}
