// Turns the raw per-page results of the smoke crawl into findings a user understands:
// one finding per distinct problem (the same failing request on ten pages is one finding that
// lists the pages), a concrete sentence saying what happened where, evidence, and steps.
//
// Paths, not URLs, in titles, details and steps: the app gets a new port on every run, so
// "Open /stats.html" stays true while "Open http://127.0.0.1:41234/stats.html" does not. The
// renderers show the app's URL of this run next to the findings. Evidence keeps the absolute
// URL that was actually requested, since it is a record of what was seen.
//
// Severities: what breaks the app for a user is an error (uncaught page errors, pages that do
// not load or answer ≥ 400, failed same-origin requests, broken same-origin links). Console
// errors are warnings: real apps log plenty of harmless ones, so they are evidence, not a
// verdict. Requests and links to other origins (analytics, CDNs) are warnings too.

import { clip } from '../clip.js';
import { tidyPunctuation } from '../punctuation.js';
import { displayUrl, firstLine, joinList, originOf, plural } from './format.js';
import { findingKeys, hashRoute } from './identity.js';
import type {
  BrokenLink,
  CrawlResult,
  FailedRequest,
  Finding,
  FindingKind,
  PageResult,
  Severity,
} from './model.js';
import { serverLogExcerpt } from './serverLog.js';

/** Pages named in a finding's detail before "and N more". */
const maxListedPages = 10;
/** Screenshots attached to one finding; the per-page gallery has the rest. */
const maxScreenshots = 3;
/** Long console lines and stack traces are cut in titles and steps (evidence keeps more). */
const titleLength = 120;
const stepTextLength = 200;
const evidenceLength = 4000;

const kindRank: Record<FindingKind, number> = {
  'page-unreachable': 0,
  'http-error': 1,
  'blank-page': 2,
  'slow-page': 3,
  'page-error': 4,
  'failed-request': 5,
  'broken-link': 6,
  'console-error': 7,
  agent: 8,
  accessibility: 9,
  'visual-change': 10,
  note: 11,
};
const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** One distinct problem while it is being collected across pages. */
interface Group {
  kind: FindingKind;
  severity: Severity;
  /** Crawl index of the first page it was seen on, for a stable order. */
  firstSeen: number;
  /** Pages it was seen on, in crawl order, without repeats. */
  pages: PageResult[];
  /** Paths of pages linking to the failing URL (broken links). */
  linkedFrom: string[];
  build(group: Group): Finding;
}

export interface CrawlFindingOptions {
  /** The app's log (stdout + stderr), to quote the server side of a 5xx response. */
  appLog?: { text: string; file: string };
  /**
   * A full-stack app's other services (`services/api.log`…): a 5xx the app passed on from its API is
   * explained by the log of the service that names the request.
   */
  serviceLogs?: Array<{ text: string; file: string }>;
}

export function findingsFromCrawl(result: CrawlResult, opts: CrawlFindingOptions = {}): Finding[] {
  const { pages } = result;
  const groups = new Map<string, Group>();
  const indexOf = new Map<PageResult, number>(pages.map((p, i) => [p, i]));
  const origins = [...new Set(pages.map((p) => originOf(p.url)).filter((o): o is string => o !== null))];

  const collect = (key: string, page: PageResult | undefined, create: () => Group): Group => {
    let group = groups.get(key);
    if (!group) {
      group = create();
      groups.set(key, group);
    }
    if (page && !group.pages.includes(page)) group.pages.push(page);
    return group;
  };

  // Pages that did not load, or answered with an error status.
  for (const [index, page] of pages.entries()) {
    if (!pageFailed(page)) continue;
    if (guessedNotFound(page)) {
      collect(`page ${urlKey(page.url)}`, page, () => ({
        kind: 'note',
        severity: 'info',
        firstSeen: index,
        pages: [],
        linkedFrom: [],
        build: () => guessedNotFoundNote(page),
      }));
      continue;
    }
    collect(`page ${urlKey(page.url)}`, page, () => ({
      kind: page.status === null ? 'page-unreachable' : 'http-error',
      severity: 'error',
      firstSeen: index,
      pages: [],
      linkedFrom: [],
      build: (g) => pageFailureFinding(page, g),
    }));
  }

  // Pages that answered but showed nothing, or never finished loading: a warning, since a page may be
  // meant to look empty (an `ignore` rule of kind blank-page says so).
  for (const [index, page] of pages.entries()) {
    if (pageFailed(page)) continue;
    const kind = page.blank ? 'blank-page' : page.loadTimeoutSeconds !== undefined ? 'slow-page' : null;
    if (!kind) continue;
    collect(`${kind} ${urlKey(page.url)}`, page, () => ({
      kind,
      severity: 'warning',
      firstSeen: index,
      pages: [],
      linkedFrom: [],
      build: (g) => (kind === 'blank-page' ? blankPageFinding(page, g) : slowPageFinding(page, g)),
    }));
  }

  for (const [index, page] of pages.entries()) {
    const origin = originOf(page.url);

    for (const message of page.pageErrors) {
      const line = firstLine(message) || 'unknown error';
      collect(findingKeys.pageError(line), page, () => ({
        kind: 'page-error',
        severity: 'error',
        firstSeen: index,
        pages: [],
        linkedFrom: [],
        build: (g) => pageErrorFinding(message, g),
      }));
    }

    for (const request of page.failedRequests) {
      // The failing main document is already the page's own finding.
      if (pageFailed(page) && urlKey(request.url) === urlKey(page.url)) continue;
      collect(findingKeys.request(request.method, request.url, request.status, origins), page, () => ({
        kind: 'failed-request',
        severity: sameOrigin(request.url, origin) ? 'error' : 'warning',
        firstSeen: index,
        pages: [],
        linkedFrom: [],
        build: (g) => failedRequestFinding(request, origin, g, origins, opts),
      }));
    }

    for (const line of page.consoleErrors) {
      if (echoesFailedLoad(line, page)) continue;
      collect(findingKeys.console(line), page, () => ({
        kind: 'console-error',
        severity: 'warning',
        firstSeen: index,
        pages: [],
        linkedFrom: [],
        build: (g) => consoleErrorFinding(line, g),
      }));
    }
  }

  // Broken links: one finding per target URL, listing the pages that link to it. A target that
  // was itself visited and failed is already a finding: the links are added to it instead.
  for (const link of result.brokenLinks) {
    const fromPage = pages.find((p) => p.path === link.from);
    // A guessed route's 404 note does not absorb a link to it: that link is broken for real.
    const page = groups.get(`page ${urlKey(link.url)}`);
    const visited = page?.kind === 'note' ? undefined : page;
    const group =
      visited ??
      collect(`link ${urlKey(link.url)}`, undefined, () => ({
        kind: 'broken-link',
        // A link that did not answer in time is not known to be broken (a dev server still compiling
        // it, a slow external site): worth a look, not a failed verdict.
        severity:
          link.timeoutSeconds === undefined &&
          sameOrigin(link.url, fromPage ? originOf(fromPage.url) : originOf(link.url))
            ? 'error'
            : 'warning',
        firstSeen: fromPage ? (indexOf.get(fromPage) ?? pages.length) : pages.length,
        pages: [],
        linkedFrom: [],
        build: (g) => brokenLinkFinding(link, fromPage ? originOf(fromPage.url) : null, g, origins),
      }));
    if (!group.linkedFrom.includes(link.from)) group.linkedFrom.push(link.from);
    if (!visited && fromPage && !group.pages.includes(fromPage)) group.pages.push(fromPage);
  }

  // Array#sort is stable: problems first seen on the same page keep the order they were seen in.
  return [...groups.values()]
    .sort(
      (a, b) =>
        severityRank[a.severity] - severityRank[b.severity] ||
        kindRank[a.kind] - kindRank[b.kind] ||
        a.firstSeen - b.firstSeen,
    )
    .map((g) => withoutOrigins(g.build(g), origins));
}

/**
 * Error messages and stack traces quote absolute URLs ("net::ERR_CONNECTION_REFUSED at
 * http://127.0.0.1:41234/"): in titles, details and steps those become paths too.
 */
function withoutOrigins(finding: Finding, origins: string[]): Finding {
  const strip = (text: string) =>
    origins.reduce(
      // Not when the origin is only a prefix of another one (":5000" in ":50001"); the root stays "/".
      (t, o) =>
        t.replace(new RegExp(`${o.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w.:-])(/?)`, 'g'), '/'),
      text,
    );
  return {
    ...finding,
    title: strip(finding.title),
    detail: tidyPunctuation(strip(finding.detail)),
    ...(finding.steps ? { steps: finding.steps.map((step) => tidyPunctuation(strip(step))) } : {}),
  };
}

function pageFailed(page: PageResult): boolean {
  return page.status === null || page.status >= 400;
}

/**
 * A route guessed from the changed files that the app does not serve: the guess was wrong (a
 * `404.astro` page, a file the router does not use), not the app — unless a link leads there, which
 * the broken-link check reports on its own.
 */
function guessedNotFound(page: PageResult): boolean {
  return page.via === 'diff' && page.status === 404;
}

function guessedNotFoundNote(page: PageResult): Finding {
  return {
    severity: 'info',
    kind: 'note',
    title: `Guessed route ${page.path} answered HTTP 404: not counted`,
    page: page.path,
    detail: `${page.path} was guessed from the changed files and the app answers it with HTTP 404, so it is not a finding. If the change should serve that page, name it with --route to have a 404 count.`,
    evidence: [`GET ${page.url} → HTTP 404`],
    source: 'crawl',
  };
}

function pageFailureFinding(page: PageResult, g: Group): Finding {
  const linkedFrom = g.linkedFrom.length ? ` It is linked from ${listPages(g.linkedFrom)}.` : '';
  const role = page.via === 'entry' ? ' (the entry page)' : '';
  const firstLink = g.linkedFrom[0];
  const open = firstLink ? [`Open ${firstLink}`, `Follow the link to ${page.path}`] : [`Open ${page.path}`];
  if (page.status === null) {
    const reason = page.error ? oneLineText(page.error, stepTextLength) : 'no response';
    return {
      severity: g.severity,
      kind: g.kind,
      title: `${page.path} did not load`,
      page: page.path,
      detail: `Opening ${page.path}${role} failed: ${reason}.${linkedFrom}`,
      evidence: evidence(g.pages, [
        `Page load failed: ${page.url}${page.error ? ` (${clipEvidence(page.error)})` : ''}`,
      ]),
      steps: [...open, `Observe that the page does not load (${reason})`],
      source: 'crawl',
      key: findingKeys.page(page.url, null, g.linkedFrom.length > 0),
    };
  }
  return {
    severity: g.severity,
    kind: g.kind,
    title: `${page.path} returned HTTP ${page.status}`,
    page: page.path,
    detail: `Opening ${page.path}${role} returned HTTP ${page.status}.${linkedFrom}`,
    evidence: evidence(g.pages, [`GET ${page.url} → HTTP ${page.status}`]),
    steps: [...open, `Observe that the server answers HTTP ${page.status}`],
    source: 'crawl',
    key: findingKeys.page(page.url, page.status, g.linkedFrom.length > 0),
  };
}

/** What counts as showing something (see `showsContent` in browser/crawl.ts), for a reader. */
const nothingShown =
  'no visible text or form field, and no image, canvas, svg, video or frame of 100×100 px or more';

function blankPageFinding(page: PageResult, g: Group): Finding {
  const seconds = Math.max(1, Math.round((page.blank?.afterMs ?? 0) / 1000));
  const role = page.via === 'entry' ? ' (the entry page)' : '';
  const timeout = page.loadTimeoutSeconds;
  const when =
    timeout !== undefined
      ? `did not finish loading within ${timeout} s and showed nothing by then`
      : `showed nothing ${seconds} s after it was opened`;
  const also = otherProblems(page);
  return {
    severity: g.severity,
    kind: g.kind,
    title: `${page.path} stayed blank`,
    page: page.path,
    detail:
      `${page.path}${role} answered HTTP ${page.status} but ${when}: ${nothingShown} (a spinner alone is nothing). ` +
      `An app whose script failed, a lazy route that never resolved or a mock service worker that never started looks like this${also ? ` (this page also had ${also}, which may be why)` : ''}. ` +
      'If the page is meant to look empty, an "ignore" rule of kind blank-page leaves it out.',
    evidence: evidence(g.pages, [
      `GET ${page.url} → HTTP ${page.status}; nothing visible after ${timeout ?? seconds} s${timeout !== undefined ? ' (still loading)' : ''}`,
    ]),
    steps: [`Open ${page.path}`, `Wait ${timeout ?? seconds} s`, 'Observe that the page still shows nothing'],
    source: 'crawl',
    key: findingKeys.blank(page.url),
  };
}

function slowPageFinding(page: PageResult, g: Group): Finding {
  const seconds = page.loadTimeoutSeconds ?? 0;
  const role = page.via === 'entry' ? ' (the entry page)' : '';
  return {
    severity: g.severity,
    kind: g.kind,
    title: `${page.path} did not finish loading within ${seconds} s`,
    page: page.path,
    detail:
      `${page.path}${role} answered HTTP ${page.status} and showed something, but did not finish loading within ${seconds} s: ` +
      'something it waits for (a script, stylesheet, image or font) never arrived, so a browser still shows it loading. ' +
      'The screenshot shows the page at that moment.',
    evidence: evidence(g.pages, [
      `GET ${page.url} → HTTP ${page.status}; the load event did not come within ${seconds} s`,
    ]),
    steps: [`Open ${page.path}`, `Observe that it is still loading after ${seconds} s`],
    source: 'crawl',
    key: findingKeys.slow(page.url),
  };
}

/** "2 page errors and 1 failed request": a blank page's likely causes, each its own finding. */
function otherProblems(page: PageResult): string {
  return joinList(
    [
      page.pageErrors.length ? plural(page.pageErrors.length, 'page error') : '',
      page.failedRequests.length ? plural(page.failedRequests.length, 'failed request') : '',
      page.consoleErrors.length ? plural(page.consoleErrors.length, 'console error') : '',
    ].filter(Boolean),
  );
}

function pageErrorFinding(message: string, g: Group): Finding {
  const line = firstLine(message) || 'unknown error';
  const name = /^(?:Uncaught\s+)?([A-Z]\w*(?:Error|Exception))\b/.exec(line)?.[1];
  const title = /^Uncaught\b/.test(line) ? line : name ? `Uncaught ${line}` : `Uncaught error: ${line}`;
  const first = g.pages[0]!;
  return {
    severity: g.severity,
    kind: g.kind,
    title: clip(title, titleLength),
    page: first.path,
    detail: `${clip(title, stepTextLength)} was thrown while loading ${listPages(g.pages.map((p) => p.path))}.`,
    evidence: evidence(g.pages, [`Page error: ${clipEvidence(message)}`]),
    steps: [
      `Open ${first.path}`,
      `Observe the uncaught ${name ?? 'error'} in the browser console: ${clip(line, stepTextLength)}`,
    ],
    source: 'crawl',
    key: findingKeys.pageError(line),
  };
}

function failedRequestFinding(
  request: FailedRequest,
  origin: string | null,
  g: Group,
  origins: readonly string[],
  logs: CrawlFindingOptions,
): Finding {
  const target = displayUrl(request.url, origin);
  const what =
    request.status !== null
      ? `returned HTTP ${request.status}`
      : `failed (${oneLineText(request.failure ?? 'network error', stepTextLength)})`;
  const title = `${request.method} ${target} ${what}`;
  const first = g.pages[0]!;
  const elsewhere =
    g.severity === 'warning' ? ' The request goes to another origin, so it is reported as a warning.' : '';
  return {
    severity: g.severity,
    kind: g.kind,
    title: clip(title, titleLength),
    page: first.path,
    detail: `${title} while loading ${listPages(g.pages.map((p) => p.path))}.${elsewhere}`,
    evidence: evidence(g.pages, [
      `${request.method} ${request.url} → ${request.status !== null ? `HTTP ${request.status}` : (request.failure ?? 'network error')}`,
      ...serverSide(request, logs),
    ]),
    steps: [
      `Open ${first.path}`,
      `In the browser's network panel, observe ${request.method} ${target} ${what}`,
    ],
    source: 'crawl',
    key: findingKeys.request(request.method, request.url, request.status, origins),
  };
}

/** For a same-origin 5xx: the app log file and the lines of it that explain the error. */
function serverSide(request: FailedRequest, { appLog, serviceLogs = [] }: CrawlFindingOptions): string[] {
  if (request.status === null || request.status < 500) return [];
  let requestPath: string;
  try {
    requestPath = new URL(request.url).pathname;
  } catch {
    return [];
  }
  const quoteService = (fallback: boolean) => {
    for (const log of serviceLogs) {
      const excerpt = serverLogExcerpt(log.text, requestPath, fallback);
      if (excerpt.length) return [log.file, `Server log (${log.file}): ${excerpt.join('\n')}`];
    }
    return undefined;
  };
  // A log that names the path first; then the app's error lines; then a service's (a Node API logs the
  // stack of a failed request without its path, and the app only passed the request on).
  const named = quoteService(false);
  if (named) return named;
  const excerpt = appLog ? serverLogExcerpt(appLog.text, requestPath) : [];
  if (appLog && excerpt.length) return [appLog.file, `Server log: ${excerpt.join('\n')}`];
  return quoteService(true) ?? (appLog ? [appLog.file] : []);
}

function consoleErrorFinding(line: string, g: Group): Finding {
  const text = firstLine(line) || '(empty message)';
  const first = g.pages[0]!;
  return {
    severity: g.severity,
    kind: g.kind,
    title: clip(`Console error: ${text}`, titleLength),
    page: first.path,
    detail:
      `The browser console logged an error while loading ${listPages(g.pages.map((p) => p.path))}: ` +
      `${endSentence(clip(text, stepTextLength))} Console errors alone do not fail a run; check whether it matters.`,
    evidence: evidence(g.pages, [`Console error: ${clipEvidence(line)}`]),
    steps: [`Open ${first.path}`, `Observe the console error: ${clip(text, stepTextLength)}`],
    source: 'crawl',
    key: findingKeys.console(line),
  };
}

function brokenLinkFinding(
  link: BrokenLink,
  origin: string | null,
  g: Group,
  origins: readonly string[],
): Finding {
  const target = displayUrl(link.url, origin);
  const outcome =
    link.status !== null ? `HTTP ${link.status}` : oneLineText(link.failure ?? 'no response', stepTextLength);
  const from = g.linkedFrom[0] ?? link.from;
  const seconds = link.timeoutSeconds;
  const title =
    seconds !== undefined
      ? `Link to ${target} did not answer within ${seconds} s`
      : `Broken link to ${target} (${outcome})`;
  const what =
    link.status !== null
      ? `returned ${outcome}`
      : seconds !== undefined
        ? `did not answer within ${seconds} s, twice (a dev server that compiles each page on its first request can be that slow; open it to be sure)`
        : `could not be loaded (${outcome})`;
  return {
    severity: g.severity,
    kind: g.kind,
    title: clip(title, titleLength),
    page: from,
    detail: `${target} ${what}; it is linked from ${listPages(g.linkedFrom)}.`,
    evidence: evidence(
      g.pages,
      g.linkedFrom.slice(0, maxListedPages).map((p) => `Link on ${p} → ${link.url} (${outcome})`),
    ),
    steps: [
      `Open ${from}`,
      `Follow the link to ${target}`,
      link.status !== null
        ? `Observe that it answers ${outcome}`
        : `Observe that it does not load (${outcome})`,
    ],
    source: 'crawl',
    key: findingKeys.link(link.url, link.status, origins),
  };
}

/** Screenshots of the first pages it was seen on, then the quoted lines. */
function evidence(pages: PageResult[], lines: string[]): string[] {
  const shots = pages.flatMap((p) => (p.screenshot ? [p.screenshot] : [])).slice(0, maxScreenshots);
  return [...new Set([...shots, ...lines])];
}

/** "/a", "/a and /b", "3 pages: /a, /b and /c", "12 pages: /a, … and 2 more". */
function listPages(paths: string[]): string {
  if (paths.length <= 2) return joinList(paths);
  const shown = paths.slice(0, maxListedPages);
  const rest = paths.length - shown.length;
  const list = rest > 0 ? `${shown.join(', ')} and ${rest} more` : joinList(shown);
  return `${plural(paths.length, 'page')}: ${list}`;
}

/**
 * Chromium logs "Failed to load resource: …" for every failed request; when the request itself is
 * already a finding (or it is the page's own failed document) the console echo adds nothing.
 */
function echoesFailedLoad(line: string, page: PageResult): boolean {
  const m = /^Failed to load resource: (?:the server responded with a status of (\d{3})|(net::\S+))/.exec(
    line,
  );
  if (!m) return false;
  const [, status, netError] = m;
  if (status !== undefined) {
    const code = Number(status);
    return page.status === code || page.failedRequests.some((r) => r.status === code);
  }
  return page.failedRequests.some((r) => r.status === null && (r.failure ?? '').includes(netError ?? ''));
}

/** Unknown origins count as same-origin: the crawler only records requests and links of the app. */
function sameOrigin(url: string, origin: string | null): boolean {
  const other = originOf(url);
  return origin === null || other === null || other === origin;
}

/** A URL without its anchor (a hash route stays: it is a page of its own), as a key for merging. */
function urlKey(url: string): string {
  try {
    const u = new URL(url);
    u.hash = hashRoute(u.hash);
    return u.href;
  } catch {
    return url;
  }
}

/** Text followed by a full stop, unless it already ends a sentence. */
function endSentence(text: string): string {
  if (/[:;,]$/.test(text)) return `${text.slice(0, -1)}.`; // "…the Service Worker:" + "." read as ":."
  return /[.!?…]\)?$/.test(text) ? text : `${text}.`;
}

function oneLineText(text: string, max: number): string {
  return clip(text.replace(/\s+/g, ' ').trim(), max);
}

function clipEvidence(text: string): string {
  return clip(text.trim(), evidenceLength);
}
