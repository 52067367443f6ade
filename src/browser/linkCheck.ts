// Checks that links answer without opening them as pages: a HEAD (GET when HEAD is not supported) through
// the browser context's request API, so cookies match what the pages saw. Redirects are followed only while
// they stay on allowed origins: the check must not reach anything the browser may not.

import type { APIRequestContext } from 'playwright-core';
import { throwIfCancelled } from '../errors.js';
import { playwrightFirstLine, playwrightTimeoutSeconds } from './playwrightErrors.js';

export interface LinkStatus {
  /** Final HTTP status, or null when the request failed on the network. */
  status: number | null;
  failure?: string;
  /** No answer within this many seconds: not known to be broken (a dev server may still be compiling it). */
  timeoutSeconds?: number;
}

/** A hanging link must not stall the crawl for long: the first try of every link is this short. */
export const LINK_TIMEOUT_MS = 5_000;
const MAX_REDIRECTS = 5;

export async function checkLink(
  request: APIRequestContext,
  url: string,
  isAllowed: (url: string) => boolean,
  timeoutMs = LINK_TIMEOUT_MS,
): Promise<LinkStatus> {
  let current = url;
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      let response = await request.head(current, {
        maxRedirects: 0,
        timeout: timeoutMs,
        failOnStatusCode: false,
      });
      if (response.status() === 405 || response.status() === 501) {
        await response.dispose();
        response = await request.get(current, {
          maxRedirects: 0,
          timeout: timeoutMs,
          failOnStatusCode: false,
        });
      }
      const status = response.status();
      const location = response.headers().location;
      await response.dispose();
      if (status < 300 || status >= 400 || !location) return { status };
      const next = new URL(location, current).href;
      // Somewhere we may not go: the link itself answered, which is all we can say.
      if (!isAllowed(next)) return { status };
      current = next;
    }
    return { status: null, failure: `more than ${MAX_REDIRECTS} redirects` };
  } catch (err) {
    const failure = playwrightFirstLine(err);
    const timeoutSeconds = playwrightTimeoutSeconds(failure);
    return { status: null, failure, ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}) };
  }
}

/** Run `fn` over `items` with at most `concurrency` at a time, results in input order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      throwIfCancelled(signal);
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
