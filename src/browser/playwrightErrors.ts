// Reading Playwright's errors, for the crawl and the agent alike: its message starts with the API call
// ("page.goto: ", "locator.click: ") and ends with a call log we do not show.

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
