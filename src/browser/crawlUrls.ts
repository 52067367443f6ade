// URL helpers of the smoke crawl: which links count, when two links are the same page, file names.

import { hashRoute } from '../report/identity.js';

/**
 * The URL of the page it shows: an anchor (`#section`) is the same page and is dropped, a hash route
 * (`#/settings`, `#!/settings`) is a page of its own and stays.
 */
export function pageUrl(url: string): string {
  const u = new URL(url);
  u.hash = hashRoute(u.hash);
  return u.href;
}

/** Path + query (+ hash route): the crawl's identity of a page on the app origin. */
export function pageKey(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}${hashRoute(u.hash)}`;
}

// Links to these are files, not pages: opening one would start a download (or show a bare viewer), so the
// crawl only checks that they answer.
const FILE_EXTENSION =
  /\.(pdf|zip|gz|tgz|bz2|xz|7z|rar|tar|dmg|exe|msi|deb|rpm|apk|csv|xlsx?|docx?|pptx?|odt|ods|mp3|mp4|m4a|webm|mov|avi|wav|ogg|png|jpe?g|gif|webp|avif|svg|ico|woff2?|ttf|otf|json|xml|txt|wasm)$/i;

export function looksLikeFile(url: string): boolean {
  return FILE_EXTENSION.test(new URL(url).pathname);
}

/** `01-index.png`, `02-stats-html.png`, `03-search-q-notes.png`. */
export function screenshotName(index: number, url: string, width = 2): string {
  const u = new URL(url);
  const slug =
    `${u.pathname}${u.search}${hashRoute(u.hash)}`
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60)
      .replace(/-+$/, '') || 'index';
  return `${String(index + 1).padStart(width, '0')}-${slug}.png`;
}
