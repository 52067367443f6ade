// The identity of a finding: what makes "the same problem" on the head and the base commit, and across
// runs. Titles are worded for people and change with a port, a line number or a build hash; a key is built
// from structured parts instead — the kind, the page route (path + hash route), the request (method, path,
// status class) and the message — each normalised so that what changes between two runs of the same code
// (ports, line/column numbers, content hashes, ids) does not change the key.

/** "4xx", "5xx", or "network" for a request that got no answer. */
export function statusClass(status: number | null | undefined): string {
  return status === null || status === undefined ? 'network' : `${Math.floor(status / 100)}xx`;
}

// A content hash or an id: 8+ hex characters with at least one digit (vite's `index-4f3a2b1c.js`,
// `?v=9c1d2e3f`), a UUID, or a run of 3+ digits (ids, timestamps, ports).
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const HEX_HASH = /\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi;
const NUMBER_RUN = /\d{3,}/g;

function withoutVolatileParts(text: string): string {
  return text.replace(UUID, '<id>').replace(HEX_HASH, '<hash>').replace(NUMBER_RUN, '<n>');
}

/**
 * A message as the same text on every run: the first line, origins (scheme://host:port) cut, line and
 * column numbers dropped, hashes and ids replaced, whitespace collapsed, "Uncaught " dropped.
 */
export function normaliseMessage(text: string): string {
  const line = text.split(/\r\n|\r|\n/).find((l) => l.trim() !== '') ?? '';
  return withoutVolatileParts(
    line
      // Our own note of what the page was refused (it lists whichever URLs that page asked for).
      .replace(/\s*\(myfav-coworker blocked this page's requests[^)]*\)/g, '')
      .replace(/\bhttps?:\/\/[^/\s)'"]+/g, '')
      .replace(/:\d+(?::\d+)?(?=[)\s,]|$)/g, '')
      .replace(/^Uncaught\s+(?:\(in promise\)\s+)?/, ''),
  )
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Where a request or link goes, as the same text on every run: on the app's own origin the path (+ hash
 * route), elsewhere host + path without the port; hashes and ids replaced; cache-busting query values
 * dropped (their names stay, so `?page=2` and `?q=x` still tell two requests apart).
 */
export function normaliseUrl(url: string, appOrigins: readonly string[] = []): string {
  let u: URL;
  try {
    u = new URL(url, 'http://app.invalid');
  } catch {
    return withoutVolatileParts(url);
  }
  const own = u.origin === 'http://app.invalid' || appOrigins.includes(u.origin);
  const where = own ? '' : `${u.protocol}//${u.hostname}`;
  const query = [...u.searchParams.keys()].sort().join('&');
  return withoutVolatileParts(`${where}${u.pathname}${query ? `?${query}` : ''}${hashRoute(u.hash)}`);
}

/**
 * The route of a page: path + query, and the hash when it is a route (`#/settings`, `#!/x`) rather than
 * an anchor (`#section`), since hash-routed apps show a different page for each.
 */
export function pageRoute(url: string): string {
  let u: URL;
  try {
    u = new URL(url, 'http://app.invalid');
  } catch {
    return url;
  }
  return `${u.pathname}${u.search}${hashRoute(u.hash)}`;
}

/** `#/settings` and `#!/settings` are routes; `#top` is an anchor on the same page. */
export function hashRoute(hash: string): string {
  return /^#!?\//.test(hash) ? hash : '';
}

export const findingKeys = {
  /** A page that did not load or answered ≥ 400; `linked`: reached through a link (so it is a broken link). */
  page: (url: string, status: number | null, linked: boolean) =>
    `${linked ? 'link' : 'page'}|${normaliseUrl(url, [originOrEmpty(url)])}|${statusClass(status)}`,
  link: (url: string, status: number | null, appOrigins: readonly string[]) =>
    `link|${normaliseUrl(url, appOrigins)}|${statusClass(status)}`,
  /** A page that answered and showed nothing (blank, or a spinner), whether or not it finished loading. */
  blank: (url: string) => `blank|${normaliseUrl(url, [originOrEmpty(url)])}`,
  /** A page that answered, showed something, and never finished loading. */
  slow: (url: string) => `slow|${normaliseUrl(url, [originOrEmpty(url)])}`,
  pageError: (message: string) => `page-error|${normaliseMessage(message)}`,
  console: (message: string) => `console-error|${normaliseMessage(message)}`,
  request: (method: string, url: string, status: number | null, appOrigins: readonly string[]) =>
    `request|${method.toUpperCase()} ${normaliseUrl(url, appOrigins)}|${statusClass(status)}`,
  agent: (title: string) => `agent|${normaliseMessage(title).toLowerCase()}`,
  a11y: (route: string, ruleId: string) => `a11y|${route}|${ruleId}`,
  visual: (route: string) => `visual|${route}`,
};

function originOrEmpty(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}
