import type { PageResult } from '../report/model.js';

export interface BrowserExecutable {
  path: string;
  /** Where it was found, for `doctor` and error messages. */
  source: 'MYFAV_BROWSER_PATH' | 'playwright-cache' | 'system';
}

export interface CrawlTarget {
  url: string;
  via: PageResult['via'];
  /** Links: the page the link was seen on. */
  from?: string;
}

export interface CrawlOptions {
  /** Entry URL of the app. */
  entryUrl: string;
  /** Extra paths (configured routes first, then routes guessed from the diff). */
  targets: CrawlTarget[];
  /** Bound on pages visited, including the entry page. */
  maxPages: number;
  /** Absolute dir where per-page screenshots go (`<artifactDir>/screenshots`). */
  screenshotsDir: string;
  /** Artifact dir; screenshot paths in results are relative to it. */
  artifactDir: string;
  signal?: AbortSignal;
  /** Called after each page (index is zero-based), for progress output. */
  onPage?: (page: PageResult, index: number) => void;
  /**
   * Called once a page has loaded and settled, before its screenshot and accessibility check (a page
   * that did not load: once it is over): what it showed so far (a copy; the complete page comes with
   * `onPage`). A second load of a new problem starts here, beside the screenshot.
   */
  onPageLoaded?: (page: PageResult, index: number) => void;
  /**
   * Following links: called as soon as a page is queued that the crawl will visit (within `maxPages`),
   * long before it is opened — the entry, the routes, then links as pages are read. The base commit visits
   * them meanwhile.
   */
  onQueued?: (target: CrawlTarget, index: number) => void;
  /**
   * false: visit exactly the entry page and the targets (no link is followed), e.g. the base commit at the
   * pages the head visited. Default true.
   */
  followLinks?: boolean;
  /**
   * With `followLinks: false`: more pages that arrive while the crawl runs (the base commit visits the
   * head's pages as the head queues them). The crawl ends once `next()` resolves null.
   */
  feed?: PageFeed;
  /** false: do not check the links of the visited pages (a page looked at again). Default true. */
  checkLinks?: boolean;
  /**
   * A second look for known problems: a page is done as soon as this holds for what it showed so far (a
   * copy of its result with the problems seen until now) — no wait for its network to go quiet, no links
   * read — and no page of the crawl gets a screenshot. When it never holds, the page is looked at as usual.
   */
  stopWhenSeen?: (soFar: PageResult) => boolean;
  /** Longest wait for a page's `load` event; default 15 s. */
  navigationTimeoutMs?: number;
  /** CSS selectors of dynamic regions painted over in every screenshot (compared runs). */
  mask?: readonly string[];
  /** Run axe-core on each rendered page after its screenshot (`PageResult.a11y`). Default false. */
  accessibility?: boolean;
}

// What a crawl found is part of the report model (report/findings.ts reads it): defined there.
export type { CrawlResult } from '../report/model.js';

/** Pages handed to a running crawl, in order; `next()` waits for the next one, null once there are no more. */
export interface PageFeed {
  next(): Promise<CrawlTarget | null>;
}

/** A JavaScript dialog (alert/confirm/prompt/beforeunload) the page opened; the session answers it itself. */
export interface DialogRecord {
  type: 'alert' | 'confirm' | 'prompt' | 'beforeunload';
  message: string;
  /** URL of the page that opened it. */
  url: string;
}
