// Reading Playwright's errors, for the crawl and the agent alike: its message starts with the API call
// ("page.goto: ", "locator.click: ") and ends with a call log we do not show.

import { stripVTControlCharacters } from 'node:util';
import { clip } from '../clip.js';

/** The first line of a Playwright error, without the API prefix. */
export function playwrightFirstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? text).replace(/^[\w.]+: /, '').trim();
}

/** The limit of a Playwright timeout ("Timeout 5000ms exceeded") in seconds; undefined for any other error. */
export function playwrightTimeoutSeconds(firstLine: string): number | undefined {
  const timeout = /^Timeout (\d+)ms exceeded/.exec(firstLine);
  return timeout ? Number(timeout[1]) / 1000 : undefined;
}

export function isPlaywrightError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || /^\w+\.\w+: /.test(err.message));
}

/** A Playwright error as the agent reads it: the first line without the API prefix and the call log ("locator.click: Timeout 5000ms …"). */
export function playwrightMessage(err: unknown): string {
  const first = playwrightFirstLine(err);
  const seconds = playwrightTimeoutSeconds(first);
  if (seconds !== undefined) {
    const wait = /waiting for (.*)$/m.exec(err instanceof Error ? err.message : String(err))?.[1];
    return `timed out after ${seconds} s${wait ? ` (${clip(stripVTControlCharacters(wait), 160)})` : ''}. The element may be hidden, disabled or covered.`;
  }
  return clip(first, 300);
}
