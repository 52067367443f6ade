// The smoke crawl against real Chromium and a real HTTP site on 127.0.0.1 with one problem per page,
// so each finding can be checked for the right reason on the right page.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smokeCrawl } from '../../src/browser/crawl.js';
import { discoverBrowser } from '../../src/browser/discover.js';
import { type BrowserSession, openBrowserSession } from '../../src/browser/session.js';
import type { CrawlResult } from '../../src/browser/types.js';
import { CancelledError } from '../../src/errors.js';
import { findingsFromCrawl } from '../../src/report/findings.js';
import type { PageResult } from '../../src/report/model.js';

interface TestServer {
  origin: string;
  /** "METHOD /path" of every request received. */
  hits: string[];
  close(): Promise<void>;
}

async function serve(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<TestServer> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = (server.address() as AddressInfo) ?? {};
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function page(title: string, body: string, head = ''): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>
<link rel="icon" href="/favicon.ico">${head}</head><body>${body}</body></html>`;
}

const LIST_SIZE = 15;

/** The test app: `other` is a second server the app must never reach. */
function site(other: TestServer): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const pages: Record<string, string> = {
    '/': page(
      'Home',
      `<h1 id="top">Home</h1>
      <a href="/good.html">Good</a>
      <a href="/throws.html">Throws</a>
      <a href="/console.html">Console</a>
      <a href="/api-fail.html">API</a>
      <a href="/missing.html">Missing</a>
      <a href="/cross-port.html">Cross port</a>
      <a href="http://example.invalid/">External</a>
      <a href="mailto:team@example.com">Mail</a>
      <a href="javascript:void(0)">JS</a>
      <a href="#top">Top</a>
      <a href="/good.html#details">Good again</a>
      <a href="/report.pdf">Report</a>
      <a href="/docs.zip">Docs</a>
      <a href="/export.csv" download>Export</a>
      <a href="/list.html">List</a>`,
    ),
    // Headless Chromium fetches no icon by itself (and Playwright aborts plain /favicon.ico requests while
    // routing): this page asks for a versioned one, whose 404 must not count.
    '/good.html': page(
      'Good page',
      '<h1>All good</h1><a href="/">Home</a><img src="/favicon.ico?v=2" alt="">',
    ),
    '/late.html': page(
      'Late error',
      '<h1>Stats</h1>',
      // Like the demo's stats page: the error comes after a fetch resolves, after `load`.
      `<script type="module">
        const res = await fetch('/api/slow');
        const data = await res.json();
        document.querySelector('h1').textContent = data.totals.notes;
      </script>`,
    ),
    '/throws.html': page('Throws', '<h1>Throws</h1>', `<script>throw new Error('boom on load');</script>`),
    '/console.html': page(
      'Console',
      '<h1>Console</h1>',
      `<script>console.error('custom console failure', 42);</script>`,
    ),
    '/api-fail.html': page('API failure', '<h1>API</h1>', `<script>fetch('/api/fail');</script>`),
    '/cross-port.html': page(
      'Cross port',
      '<h1>Tracker</h1>',
      `<script>fetch('${other.origin}/collect').catch(() => {});</script>`,
    ),
    '/list.html': page(
      'List',
      Array.from({ length: LIST_SIZE }, (_, i) => `<a href="/p/${i + 1}">Item ${i + 1}</a>`).join('\n'),
    ),
  };
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = pages[url.pathname];
    if (body) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(body);
    }
    if (url.pathname === '/api/slow') {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"error":"no totals"}');
      }, 300);
      return;
    }
    if (url.pathname === '/api/fail') {
      res.writeHead(500, { 'content-type': 'application/json' });
      return res.end('{"error":"kaput"}');
    }
    if (url.pathname === '/report.pdf') {
      res.writeHead(200, { 'content-type': 'application/pdf' });
      return res.end('%PDF-1.4');
    }
    const item = /^\/p\/(\d+)$/.exec(url.pathname);
    // Item 13 of the list is the one broken link beyond the crawl bound.
    if (item && item[1] !== '13') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(page(`Item ${item[1]}`, `<a href="/list.html">Back</a>`));
    }
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page('Not found', 'Nothing here'));
  };
}

describe('smokeCrawl', () => {
  let other: TestServer;
  let app: TestServer;
  let session: BrowserSession;
  let artifactDir: string;
  let result: CrawlResult;
  const progress: string[] = [];
  const MAX_PAGES = 10;

  const byPath = (p: string): PageResult => {
    const found = result.pages.find((pg) => pg.path === p);
    if (!found) throw new Error(`page ${p} was not crawled: ${result.pages.map((pg) => pg.path).join(', ')}`);
    return found;
  };

  beforeAll(async () => {
    other = await serve((_req, res) => res.end('tracked'));
    app = await serve(site(other));
    artifactDir = await mkdtemp(path.join(tmpdir(), 'myfav-test-'));
    const executable = await discoverBrowser();
    session = await openBrowserSession({
      executable,
      origin: app.origin,
      tracePath: path.join(artifactDir, 'trace.zip'),
    });
    result = await smokeCrawl(session, {
      entryUrl: `${app.origin}/`,
      targets: [{ url: '/late.html', via: 'diff' }],
      maxPages: MAX_PAGES,
      screenshotsDir: path.join(artifactDir, 'screenshots'),
      artifactDir,
      onPage: (pg, index) => progress.push(`${index}:${pg.path}`),
    });
  });

  afterAll(async () => {
    await session?.close();
    await app?.close();
    await other?.close();
    if (artifactDir) await rm(artifactDir, { recursive: true, force: true });
  });

  it('visits the entry, then the targets, then links breadth-first, up to maxPages', () => {
    expect(result.pages.map((pg) => `${pg.via} ${pg.path}`)).toEqual([
      'entry /',
      'diff /late.html',
      'link /good.html',
      'link /throws.html',
      'link /console.html',
      'link /api-fail.html',
      'link /missing.html',
      'link /cross-port.html',
      'link /list.html',
      'link /p/1',
    ]);
    expect(progress).toEqual(result.pages.map((pg, i) => `${i}:${pg.path}`));
    // Beyond the bound, list items were only checked (HEAD), never opened (GET) as pages.
    const items = app.hits.filter((h) => h.includes(' /p/'));
    expect(items.filter((h) => h.startsWith('GET'))).toEqual(['GET /p/1']);
    expect(items.filter((h) => h.startsWith('HEAD')).sort()).toEqual(
      Array.from({ length: LIST_SIZE - 1 }, (_, i) => `HEAD /p/${i + 2}`).sort(),
    );
  });

  it('records status, title and same-origin links of a good page and nothing else', () => {
    const home = byPath('/');
    expect(home).toMatchObject({
      status: 200,
      title: 'Home',
      url: `${app.origin}/`,
      pageErrors: [],
      consoleErrors: [],
    });
    expect(home.failedRequests).toEqual([]);
    // Fragments stripped and deduplicated; mailto/javascript/download/external links left out; files kept.
    expect(home.links).toEqual(
      [
        '/good.html',
        '/throws.html',
        '/console.html',
        '/api-fail.html',
        '/missing.html',
        '/cross-port.html',
        // `#top` is this page itself.
        '/',
        '/report.pdf',
        '/docs.zip',
        '/list.html',
      ].map((p) => `${app.origin}${p}`),
    );
    const good = byPath('/good.html');
    expect(good).toMatchObject({
      status: 200,
      title: 'Good page',
      pageErrors: [],
      consoleErrors: [],
      failedRequests: [],
    });
    expect(good.loadMs).toBeGreaterThan(0);
    expect(good.error).toBeUndefined();
  });

  it('catches an uncaught error on load, with where it was thrown, on that page only', () => {
    expect(byPath('/throws.html').pageErrors).toEqual([
      expect.stringMatching(/^Error: boom on load \(at \/throws\.html:\d+:\d+\)$/),
    ]);
    const others = result.pages.filter((pg) => !['/throws.html', '/late.html'].includes(pg.path));
    expect(others.flatMap((pg) => pg.pageErrors)).toEqual([]);
  });

  it('catches an error thrown after a fetch resolves, after load', () => {
    expect(byPath('/late.html').pageErrors).toEqual([
      expect.stringContaining("TypeError: Cannot read properties of undefined (reading 'notes')"),
    ]);
  });

  it('records console.error messages but not Chromium\'s "Failed to load resource" lines', () => {
    expect(byPath('/console.html').consoleErrors).toEqual(['custom console failure 42']);
    expect(result.pages.flatMap((pg) => pg.consoleErrors)).toEqual(['custom console failure 42']);
  });

  it("records a failed same-origin request on the page that made it, and ignores the favicon's 404", () => {
    expect(byPath('/api-fail.html').failedRequests).toEqual([
      { url: `${app.origin}/api/fail`, method: 'GET', status: 500 },
    ]);
    expect(app.hits).toContain('GET /favicon.ico?v=2');
    const elsewhere = result.pages.filter((pg) => pg.path !== '/api-fail.html');
    expect(elsewhere.flatMap((pg) => pg.failedRequests)).toEqual([]);
  });

  it('never reaches another origin, and does not report the blocked request as a failure', () => {
    expect(other.hits).toEqual([]);
    expect(session.blockedRequests).toEqual([`${other.origin}/collect`]);
    const cross = byPath('/cross-port.html');
    expect(cross).toMatchObject({ status: 200, pageErrors: [], consoleErrors: [], failedRequests: [] });
    const everything = JSON.stringify(result);
    expect(everything).not.toContain('example.invalid');
  });

  it('reports broken links: visited 404 pages, and unvisited links checked with a request', () => {
    expect(byPath('/missing.html').status).toBe(404);
    expect(result.brokenLinks).toEqual(
      expect.arrayContaining([
        { from: '/', url: `${app.origin}/missing.html`, status: 404 },
        { from: '/list.html', url: `${app.origin}/p/13`, status: 404 },
        { from: '/', url: `${app.origin}/docs.zip`, status: 404 },
      ]),
    );
    expect(result.brokenLinks).toHaveLength(3);
    // Files are checked, never opened as pages; the download link is not followed at all.
    expect(result.pages.some((pg) => pg.path === '/report.pdf')).toBe(false);
    expect(app.hits.some((h) => h.endsWith(' /export.csv'))).toBe(false);
    expect(app.hits.filter((h) => h.endsWith(' /docs.zip'))).toEqual(['HEAD /docs.zip']);
  });

  it('saves a full-page PNG screenshot per page, named by index and path, relative to the artifact dir', async () => {
    const shots = result.pages.map((pg) => pg.screenshot);
    expect(shots.slice(0, 3)).toEqual([
      'screenshots/01-index.png',
      'screenshots/02-late-html.png',
      'screenshots/03-good-html.png',
    ]);
    for (const shot of shots) {
      expect(shot).toBeDefined();
      const bytes = await readFile(path.join(artifactDir, shot as string));
      expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    }
  });

  it('writes the trace when the session closes', async () => {
    await session.close();
    const zip = await readFile(path.join(artifactDir, 'trace.zip'));
    expect(zip.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
  });
});

describe('smokeCrawl: failures and cancellation', () => {
  let session: BrowserSession;
  let app: TestServer;
  /** How many /slow pages the server has answered (each 2 s after its request). */
  let slowAnswered = 0;
  let artifactDir: string;
  const hanging: http.ServerResponse[] = [];
  const checked: string[] = [];
  let compiled: Promise<void> | undefined;
  let firstSlowSeen = 0;

  beforeAll(async () => {
    app = await serve((req, res) => {
      if (req.url === '/hang') {
        hanging.push(res);
        return;
      }
      if (req.url === '/login') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end(
          page('Login', '<a href="/export">Export</a><a href="/login">Login</a><a href="/done">Done</a>'),
        );
      }
      if (req.url === '/dev') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end(
          page('Dev', '<a href="/compiles-once">Compiles</a><a href="/never-answers">Never</a>'),
        );
      }
      // A dev server compiling a page on its first request: that one answers after 7 s, later ones at once.
      if (req.url === '/compiles-once') {
        const answer = () => res.writeHead(200, { 'content-type': 'text/html' }).end(page('Compiled', ''));
        compiled ??= new Promise((resolve) => setTimeout(resolve, 7_000));
        void compiled.then(answer);
        return;
      }
      // A page whose first request takes longer than a page load may (a dev server compiling it).
      if (req.url === '/first-slow') {
        const answer = () =>
          res.writeHead(200, { 'content-type': 'text/html' }).end(page('First slow', '<p>Compiled</p>'));
        if (firstSlowSeen++ === 0) setTimeout(answer, 1_500);
        else answer();
        return;
      }
      // An SPA that renders well after `load` and after its network went quiet (a lazy route compiling).
      if (req.url === '/renders-late') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end(
          page(
            'Late',
            // Text no one can see (a visually hidden label) is not the page rendering.
            `<span style="position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)">Open devtools</span>
            <script>setTimeout(() => { document.body.innerHTML = '<a href="/done">Done</a>'; }, 3000);</script>`,
          ),
        );
      }
      if (req.url === '/hub') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end(page('Hub', '<a href="/fails">Fails</a>'));
      }
      if (req.url === '/fails') {
        res.writeHead(500, { 'content-type': 'text/html' });
        return res.end(page('Failure', '<p>Internal error</p>'));
      }
      if (req.url === '/never-answers') {
        hanging.push(res);
        return;
      }
      if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'text/html' });
        const links = Array.from({ length: 30 }, (_, i) => `<a href="/n/${i + 1}">${i + 1}</a>`).join('');
        return res.end(page('Big', links));
      }
      if (req.url?.startsWith('/n/')) {
        checked.push(`${req.method} ${req.url}`);
        res.writeHead(404);
        return res.end();
      }
      if (req.url === '/tracker') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end(
          page('Tracker', '<p>Tracking</p>', `<script>fetch('http://127.0.0.1:9/beacon');</script>`),
        );
      }
      if (req.url === '/done') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end(page('Done', '<p>Done</p>'));
      }
      if (req.url === '/account') {
        res.writeHead(302, { location: '/login' });
        return res.end();
      }
      if (req.url === '/export') {
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-disposition': 'attachment; filename=notes.bin',
        });
        return res.end('notes');
      }
      if (req.url === '/slow') {
        setTimeout(() => {
          slowAnswered++;
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end(page('Slow', '<a href="/">Home</a><a href="/a">A</a>'));
        }, 2_000);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(page(`Page ${req.url}`, '<a href="/hang">Hang</a><a href="/slow">Slow</a><a href="/a">A</a>'));
    });
    artifactDir = await mkdtemp(path.join(tmpdir(), 'myfav-test-'));
    session = await openBrowserSession({ executable: await discoverBrowser(), origin: app.origin });
  });

  afterAll(async () => {
    await session?.close();
    for (const res of hanging) res.destroy();
    await app?.close();
    if (artifactDir) await rm(artifactDir, { recursive: true, force: true });
  });

  const options = (overrides = {}) => ({
    entryUrl: `${app.origin}/`,
    targets: [],
    maxPages: 5,
    screenshotsDir: path.join(artifactDir, 'screenshots'),
    artifactDir,
    ...overrides,
  });

  it('records a page that does not load in time, even given three times as long, and carries on', async () => {
    const result = await smokeCrawl(session, options({ navigationTimeoutMs: 1_000, maxPages: 3 }));
    expect(result.pages.map((pg) => pg.path)).toEqual(['/', '/hang', '/slow']);
    const hung = result.pages[1] as PageResult;
    expect(hung.error).toBe('The page did not finish loading within 3 s.');
    expect(hung.status).toBeNull();
    expect(result.brokenLinks).toContainEqual({
      from: '/',
      url: `${app.origin}/hang`,
      status: null,
      failure: 'The page did not finish loading within 3 s.',
    });
    // After a page that hung through its second try, the app is taken to hang: one try per page.
    expect(result.pages[2]?.error).toBe('The page did not finish loading within 1 s.');
  });

  it('opens a page that did not load in time once more: a dev server compiling it on the first request', async () => {
    const result = await smokeCrawl(
      session,
      options({ entryUrl: `${app.origin}/first-slow`, navigationTimeoutMs: 1_000, maxPages: 1 }),
    );
    expect(result.pages[0]).toMatchObject({ path: '/first-slow', status: 200, title: 'First slow' });
    expect(result.pages[0]?.error).toBeUndefined();
    expect(app.hits.filter((h) => h === 'GET /first-slow')).toHaveLength(2);
  });

  it('waits for a page that shows no text yet to render (bounded), then reads it', async () => {
    const result = await smokeCrawl(
      session,
      options({ entryUrl: `${app.origin}/renders-late`, maxPages: 1 }),
    );
    expect(result.pages[0]?.links).toEqual([`${app.origin}/done`]);
  });

  it('judges a failing page linked from another page as a broken link whether it came from the diff or a fixed list', async () => {
    // The head reaches /fails as a route of the diff (followed crawl), the base as one of the head's
    // pages (fixed list): the same problem, so the same key, or a pre-existing failure counts as new.
    const crawls = await Promise.all(
      [true, false].map((followLinks) =>
        smokeCrawl(
          session,
          options({
            entryUrl: `${app.origin}/hub`,
            targets: [{ url: '/fails', via: 'diff' }],
            maxPages: 2,
            followLinks,
          }),
        ),
      ),
    );
    for (const crawl of crawls) {
      expect(crawl.brokenLinks).toEqual([{ from: '/hub', url: `${app.origin}/fails`, status: 500 }]);
    }
    const [head, base] = crawls.map((crawl) => findingsFromCrawl(crawl).map((f) => `${f.kind} ${f.key}`));
    expect(head).toEqual(['http-error link|/fails|5xx']);
    expect(base).toEqual(head);
  });

  it('follows a same-origin redirect once, and records a link that downloads a file without an error', async () => {
    const result = await smokeCrawl(session, options({ entryUrl: `${app.origin}/account`, maxPages: 3 }));
    expect(result.pages.map((pg) => `${pg.path} ${pg.status}`)).toEqual([
      '/account 200',
      '/export 200',
      '/done 200',
    ]);
    expect(result.pages[0]).toMatchObject({ title: 'Login', screenshot: 'screenshots/01-account.png' });
    expect(result.pages[1]?.error).toBeUndefined();
    expect(result.pages[1]?.screenshot).toBeUndefined();
    expect(result.brokenLinks).toEqual([]);
  });

  it('checks at most 20 unvisited links, each once', async () => {
    const result = await smokeCrawl(session, options({ entryUrl: `${app.origin}/big`, maxPages: 1 }));
    // The first 20 in link order, in any order (four at a time), and no request for the other ten.
    expect([...checked].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `HEAD /n/${i + 1}`).sort());
    expect(result.brokenLinks.map((b) => b.url)).toEqual(
      Array.from({ length: 20 }, (_, i) => `${app.origin}/n/${i + 1}`),
    );
  });

  it('checks a link that did not answer again, alone and with longer: broken only if it never answers', async () => {
    const result = await smokeCrawl(session, options({ entryUrl: `${app.origin}/dev`, maxPages: 1 }));
    expect(result.brokenLinks).toEqual([
      {
        from: '/dev',
        url: `${app.origin}/never-answers`,
        status: null,
        failure: expect.stringMatching(/^Timeout 15000ms exceeded/),
        timeoutSeconds: 15,
      },
    ]);
  });

  it('says so next to an error caused by a request it blocked', async () => {
    const result = await smokeCrawl(session, options({ entryUrl: `${app.origin}/tracker`, maxPages: 1 }));
    expect(result.pages[0]?.pageErrors).toEqual([
      expect.stringMatching(
        /^TypeError: Failed to fetch \(at \/tracker:\d+:\d+\) \(myfav-coworker blocked this page's requests to other origins: http:\/\/127\.0\.0\.1:9\/beacon\)$/,
      ),
    ]);
    expect(result.pages[0]?.failedRequests).toEqual([]);
  });

  it('records an app that refuses connections as a page error instead of failing', async () => {
    const closed = await serve(() => {});
    await closed.close();
    const s = await openBrowserSession({ executable: await discoverBrowser(), origin: closed.origin });
    try {
      const result = await smokeCrawl(s, options({ entryUrl: `${closed.origin}/` }));
      expect(result.pages).toHaveLength(1);
      expect(result.pages[0]).toMatchObject({ status: null, links: [] });
      expect(result.pages[0]?.screenshot).toBeUndefined();
      expect(result.pages[0]?.error).toContain('net::ERR_CONNECTION_REFUSED');
    } finally {
      await s.close();
    }
  });

  it('stops with CancelledError when the signal fires, without waiting for the page', async () => {
    const controller = new AbortController();
    const answered = slowAnswered;
    const crawl = smokeCrawl(
      session,
      options({
        entryUrl: `${app.origin}/slow`,
        signal: controller.signal,
      }),
    );
    setTimeout(() => controller.abort(), 300);
    await expect(crawl).rejects.toBeInstanceOf(CancelledError);
    // It stopped before the page answered (2 s after the request), not once the page had loaded.
    expect(slowAnswered).toBe(answered);
    expect(session.closed).toBe(false);
  });

  it('stops at once when the signal fires while a tab is being opened', async () => {
    // The same session, with the cancel timed to land while the crawl waits for its new tab (what a busy
    // machine makes of the test above): the page must not then be loaded to the end.
    const controller = new AbortController();
    const timed = Object.create(session) as BrowserSession;
    Object.defineProperty(timed, 'newPage', {
      value: async () => {
        const tab = await session.newPage();
        controller.abort();
        return tab;
      },
    });
    const answered = slowAnswered;
    await expect(
      smokeCrawl(timed, options({ entryUrl: `${app.origin}/slow`, signal: controller.signal })),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(slowAnswered).toBe(answered);
  });

  it('refuses an entry URL outside the app origin', async () => {
    await expect(smokeCrawl(session, options({ entryUrl: 'http://example.invalid/' }))).rejects.toMatchObject(
      {
        code: 'INVALID_INPUT',
      },
    );
    expect(existsSync(path.join(artifactDir, 'screenshots'))).toBe(true);
  });
});
