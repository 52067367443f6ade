// Collects what went wrong on a page while we looked at it: uncaught errors, console errors and the app's
// failed requests. Used per page by the crawl, and (drained step by step) by the agent later.

import type { ConsoleMessage, Request, Response } from 'playwright-core';
import { clip } from '../clip.js';
import type { FailedRequest } from '../report/model.js';
import type { BrowserPage, BrowserSession } from './session.js';

export interface PageProblems {
  /** Uncaught errors and unhandled rejections: message plus the first stack line. */
  pageErrors: string[];
  /** console.error messages, without Chromium's "Failed to load resource" lines (the request itself is recorded). */
  consoleErrors: string[];
  /** Requests to allowed origins that failed on the network or answered ≥ 400 (not the page's own document). */
  failedRequests: FailedRequest[];
  /** Requests to other origins that the session aborted while this page was open. */
  blockedRequests: string[];
}

export interface PageWatch {
  /** Everything recorded since the last drain. */
  drain(): PageProblems;
  /** What `drain()` would return now, without draining. */
  peek(): PageProblems;
  /** Stop listening (the page stays open). */
  stop(): void;
}

const MAX_PER_KIND = 50;
const MAX_TEXT = 1000;
const clipText = (text: string): string => clip(text, MAX_TEXT);
// Chromium logs one of these for every failed resource; we record the request (with its URL) instead.
const RESOURCE_FAILURE = /^Failed to load resource: /;
// Our own abort of a request to another origin, and requests cancelled by navigation or by the page itself.
const IGNORED_FAILURES = /net::ERR_BLOCKED_BY_CLIENT|net::ERR_ABORTED/;
// Messages a page shows when a fetch failed: when we blocked something on the page, say so next to them.
const NETWORK_FAILURE_TEXT = /Failed to fetch|NetworkError|Load failed|ERR_BLOCKED_BY_CLIENT/i;

export function watchPage(
  page: BrowserPage,
  session: Pick<BrowserSession, 'origin' | 'isAllowedUrl'>,
): PageWatch {
  let problems = empty();
  const seenRequests = new Set<string>();

  const push = <T>(list: T[], item: T) => {
    if (list.length < MAX_PER_KIND) list.push(item);
  };
  const onPageError = (error: Error) => push(problems.pageErrors, formatPageError(error, session.origin));
  const onConsole = (msg: ConsoleMessage) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (RESOURCE_FAILURE.test(text)) return;
    push(problems.consoleErrors, clipText(text));
  };
  const recordRequest = (failed: FailedRequest) => {
    const key = `${failed.method} ${failed.url} ${failed.status ?? failed.failure}`;
    if (seenRequests.has(key)) return;
    seenRequests.add(key);
    push(problems.failedRequests, failed);
  };
  const onRequestFailed = (request: Request) => {
    const url = request.url();
    const failure = request.failure()?.errorText ?? 'failed';
    if (!session.isAllowedUrl(url)) {
      if (/ERR_BLOCKED_BY_CLIENT/.test(failure) && !problems.blockedRequests.includes(url)) {
        push(problems.blockedRequests, url);
      }
      return;
    }
    if (IGNORED_FAILURES.test(failure)) return;
    recordRequest({ url, method: request.method(), status: null, failure });
  };
  const onResponse = (response: Response) => {
    const status = response.status();
    if (status < 400) return;
    const url = response.url();
    if (!session.isAllowedUrl(url)) return;
    const request = response.request();
    // The page's own document status is reported as the page's status, not as a failed request.
    if (request.isNavigationRequest() && response.frame() === page.mainFrame()) return;
    if (status === 404 && new URL(url).pathname === '/favicon.ico') return;
    recordRequest({ url, method: request.method(), status });
  };

  page.on('pageerror', onPageError);
  page.on('console', onConsole);
  page.on('requestfailed', onRequestFailed);
  page.on('response', onResponse);

  return {
    drain() {
      const out = annotated(problems);
      problems = empty();
      return out;
    },
    peek() {
      return annotated(problems);
    },
    stop() {
      page.off('pageerror', onPageError);
      page.off('console', onConsole);
      page.off('requestfailed', onRequestFailed);
      page.off('response', onResponse);
    },
  };
}

/**
 * "TypeError: boom (at /app.js:3:9)": the message and where it was thrown, with the app origin cut so the
 * same error reads the same on every run (the port changes).
 */
export function formatPageError(
  error: { name?: string; message?: string; stack?: string },
  origin: string,
): string {
  const message = error.message ?? String(error);
  const head = error.name ? `${error.name}: ${message}` : message;
  const at = (error.stack ?? '')
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.startsWith('at '));
  const location = at ? ` (${at.split(`${origin}/`).join('/')})` : '';
  return clipText(`${head}${location}`);
}

/** A copy of the problems, messages about failed fetches annotated with the requests we blocked. */
function annotated(problems: PageProblems): PageProblems {
  const out = {
    pageErrors: [...problems.pageErrors],
    consoleErrors: [...problems.consoleErrors],
    failedRequests: [...problems.failedRequests],
    blockedRequests: [...problems.blockedRequests],
  };
  if (out.blockedRequests.length > 0) {
    const note = ` (myfav-coworker blocked this page's requests to other origins: ${out.blockedRequests.slice(0, 3).join(', ')})`;
    const annotate = (text: string) => (NETWORK_FAILURE_TEXT.test(text) ? `${text}${note}` : text);
    out.pageErrors = out.pageErrors.map(annotate);
    out.consoleErrors = out.consoleErrors.map(annotate);
  }
  return out;
}

function empty(): PageProblems {
  return { pageErrors: [], consoleErrors: [], failedRequests: [], blockedRequests: [] };
}
