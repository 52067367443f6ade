import { describe, expect, it } from 'vitest';
import type { CrawlResult } from '../../src/browser/types.js';
import { findingsFromCrawl } from '../../src/report/findings.js';
import type { Finding, PageResult } from '../../src/report/model.js';

const origin = 'http://127.0.0.1:41234';

/** A clean page at `path`, with a screenshot named after it. */
function page(path: string, overrides: Partial<PageResult> = {}): PageResult {
  const name = path === '/' ? 'index' : path.replace(/^\//, '').replace(/[^\w.-]/g, '_');
  return {
    url: `${origin}${path}`,
    path,
    status: 200,
    title: `Title of ${path}`,
    via: path === '/' ? 'entry' : 'link',
    loadMs: 120,
    screenshot: `screenshots/${name}.png`,
    pageErrors: [],
    consoleErrors: [],
    failedRequests: [],
    links: [],
    ...overrides,
  };
}

function crawl(pages: PageResult[], brokenLinks: CrawlResult['brokenLinks'] = []): CrawlResult {
  return { pages, brokenLinks };
}

function only(findings: Finding[], kind: Finding['kind']): Finding[] {
  return findings.filter((f) => f.kind === kind);
}

/** Titles, details and steps must not carry the port: it changes every run. */
function expectNoPort(f: Finding): void {
  for (const text of [f.title, f.detail, ...(f.steps ?? [])]) expect(text).not.toContain('41234');
}

describe('findingsFromCrawl', () => {
  it('returns no findings for a clean crawl', () => {
    expect(findingsFromCrawl(crawl([page('/'), page('/about.html')]))).toEqual([]);
  });

  it('reports an uncaught page error as an error with the page, screenshot, message and steps', () => {
    const message =
      "TypeError: Cannot read properties of undefined (reading 'map')\n    at render (stats.js:10:5)";
    const findings = findingsFromCrawl(crawl([page('/'), page('/stats.html', { pageErrors: [message] })]));

    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({ severity: 'error', kind: 'page-error', source: 'crawl', page: '/stats.html' });
    expect(f.title).toBe("Uncaught TypeError: Cannot read properties of undefined (reading 'map')");
    expect(f.detail).toContain('/stats.html');
    expect(f.evidence).toContain('screenshots/stats.html.png');
    expect(f.evidence.some((e) => e.includes('at render (stats.js:10:5)'))).toBe(true);
    expect(f.steps).toEqual([
      'Open /stats.html',
      "Observe the uncaught TypeError in the browser console: TypeError: Cannot read properties of undefined (reading 'map')",
    ]);
    expectNoPort(f);
  });

  it('merges the same uncaught error on several pages into one finding listing them', () => {
    const err = 'ReferenceError: config is not defined';
    const findings = findingsFromCrawl(
      crawl([page('/', { pageErrors: [err] }), page('/a', { pageErrors: [err] }), page('/b')]),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]!.detail).toBe(
      'Uncaught ReferenceError: config is not defined was thrown while loading / and /a.',
    );
    expect(findings[0]!.evidence.filter((e) => e.endsWith('.png'))).toEqual([
      'screenshots/index.png',
      'screenshots/a.png',
    ]);
  });

  it('reports a main document with status >= 400 and an unreachable page as errors, without echoes', () => {
    const findings = findingsFromCrawl(
      crawl([
        page('/'),
        page('/admin', {
          status: 500,
          // Chromium records the failing document as a failed request and echoes it in the console.
          failedRequests: [{ url: `${origin}/admin`, method: 'GET', status: 500 }],
          consoleErrors: [
            'Failed to load resource: the server responded with a status of 500 (Internal Server Error)',
          ],
        }),
        page('/gone', {
          status: null,
          error: `page.goto: net::ERR_CONNECTION_REFUSED at ${origin}/gone`,
          screenshot: undefined,
        }),
      ]),
    );

    expect(findings.map((f) => [f.severity, f.kind, f.title])).toEqual([
      ['error', 'page-unreachable', '/gone did not load'],
      ['error', 'http-error', '/admin returned HTTP 500'],
    ]);
    const unreachable = findings[0]!;
    // The port changes every run: the URL in the browser's message becomes a path.
    expect(unreachable.detail).toBe('Opening /gone failed: page.goto: net::ERR_CONNECTION_REFUSED at /gone.');
    expect(unreachable.steps?.[0]).toBe('Open /gone');
    expect(findings[1]!.evidence).toContain('screenshots/admin.png');
    for (const f of findings) expectNoPort(f);
  });

  it('merges an identical failed same-origin request across pages into one error listing the pages', () => {
    const stats = { url: `${origin}/api/stats`, method: 'GET', status: 500 };
    const pages = ['/', '/a', '/b', '/c'].map((p) =>
      page(p, {
        failedRequests: [stats],
        consoleErrors: [
          'Failed to load resource: the server responded with a status of 500 (Internal Server Error)',
        ],
      }),
    );
    const findings = findingsFromCrawl(crawl(pages));

    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({
      severity: 'error',
      kind: 'failed-request',
      page: '/',
      title: 'GET /api/stats returned HTTP 500',
    });
    expect(f.detail).toBe('GET /api/stats returned HTTP 500 while loading 4 pages: /, /a, /b and /c.');
    // Screenshots of the first pages only; the gallery has every page.
    expect(f.evidence.filter((e) => e.endsWith('.png'))).toHaveLength(3);
    expect(f.evidence).toContain(`GET ${origin}/api/stats → HTTP 500`);
    expect(f.steps).toEqual([
      'Open /',
      "In the browser's network panel, observe GET /api/stats returned HTTP 500",
    ]);
  });

  it('keeps different outcomes of the same URL apart, names network failures, and demotes other origins', () => {
    const findings = findingsFromCrawl(
      crawl([
        page('/', {
          failedRequests: [
            { url: `${origin}/api/stats?range=7d`, method: 'GET', status: 500 },
            {
              url: `${origin}/api/stats?range=7d`,
              method: 'GET',
              status: null,
              failure: 'net::ERR_CONNECTION_RESET',
            },
            { url: 'https://cdn.example.com/font.woff2', method: 'GET', status: 404 },
          ],
        }),
      ]),
    );
    expect(findings.map((f) => [f.severity, f.title])).toEqual([
      ['error', 'GET /api/stats?range=7d returned HTTP 500'],
      ['error', 'GET /api/stats?range=7d failed (net::ERR_CONNECTION_RESET)'],
      ['warning', 'GET https://cdn.example.com/font.woff2 returned HTTP 404'],
    ]);
  });

  it('reports one broken-link error per target URL, listing every page that links to it', () => {
    const findings = findingsFromCrawl(
      crawl(
        [page('/'), page('/about.html'), page('/team.html')],
        [
          { from: '/', url: `${origin}/missing.html`, status: 404 },
          { from: '/about.html', url: `${origin}/missing.html`, status: 404 },
          { from: '/about.html', url: `${origin}/missing.html#top`, status: 404 },
          { from: '/team.html', url: `${origin}/old/contact`, status: null, failure: 'net::ERR_ABORTED' },
        ],
      ),
    );

    const links = only(findings, 'broken-link');
    expect(links).toHaveLength(2);
    expect(links[0]).toMatchObject({
      severity: 'error',
      page: '/',
      title: 'Broken link to /missing.html (HTTP 404)',
      detail: '/missing.html returned HTTP 404; it is linked from / and /about.html.',
    });
    expect(links[0]!.steps).toEqual([
      'Open /',
      'Follow the link to /missing.html',
      'Observe that it answers HTTP 404',
    ]);
    expect(links[0]!.evidence).toEqual(
      expect.arrayContaining(['screenshots/index.png', 'screenshots/about.html.png']),
    );
    expect(links[1]!.title).toBe('Broken link to /old/contact (net::ERR_ABORTED)');
    for (const f of links) expectNoPort(f);
  });

  it('reports a same-origin link that never answered as a warning that says so, not as a broken link', () => {
    const failure = 'Timeout 15000ms exceeded.';
    const findings = findingsFromCrawl(
      crawl(
        [page('/')],
        [{ from: '/', url: `${origin}/docs/slow`, status: null, failure, timeoutSeconds: 15 }],
      ),
    );
    expect(only(findings, 'broken-link')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        title: 'Link to /docs/slow did not answer within 15 s',
        detail: expect.stringMatching(/^\/docs\/slow did not answer within 15 s, twice \(a dev server/),
      }),
    ]);
  });

  it('folds a broken link into the finding of the visited page it points to', () => {
    const findings = findingsFromCrawl(
      crawl(
        [page('/'), page('/missing.html', { status: 404 })],
        [{ from: '/', url: `${origin}/missing.html`, status: 404 }],
      ),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'http-error', title: '/missing.html returned HTTP 404' });
    expect(findings[0]!.detail).toBe('Opening /missing.html returned HTTP 404. It is linked from /.');
    expect(findings[0]!.steps).toEqual([
      'Open /',
      'Follow the link to /missing.html',
      'Observe that the server answers HTTP 404',
    ]);
  });

  it('reports console errors as warnings, merged across pages', () => {
    const line = 'Warning: Each child in a list should have a unique "key" prop.';
    const findings = findingsFromCrawl(
      crawl([page('/', { consoleErrors: [line] }), page('/a', { consoleErrors: [line, 'Other error'] })]),
    );
    expect(findings.map((f) => [f.severity, f.kind, f.page])).toEqual([
      ['warning', 'console-error', '/'],
      ['warning', 'console-error', '/a'],
    ]);
    expect(findings[0]!.title).toBe(`Console error: ${line}`);
    expect(findings[0]!.detail).toBe(
      `The browser console logged an error while loading / and /a: ${line} Console errors alone do not fail a run; check whether it matters.`,
    );
    expect(findings[0]!.evidence).toContain(`Console error: ${line}`);
  });

  it('orders findings errors first and gives the same result for the same crawl', () => {
    const build = () =>
      crawl(
        [
          page('/', { consoleErrors: ['noise'] }),
          page('/x', {
            pageErrors: ['Error: boom'],
            failedRequests: [{ url: `${origin}/api`, method: 'POST', status: 502 }],
          }),
        ],
        [{ from: '/x', url: `${origin}/nope`, status: 404 }],
      );
    const first = findingsFromCrawl(build());
    expect(first.map((f) => f.kind)).toEqual([
      'page-error',
      'failed-request',
      'broken-link',
      'console-error',
    ]);
    expect(findingsFromCrawl(build())).toEqual(first);
  });

  it('keeps titles short when a page logs a huge message', () => {
    const huge = `Error: ${'x'.repeat(5000)}`;
    const [f] = findingsFromCrawl(crawl([page('/', { pageErrors: [huge] })]));
    expect(f!.title.length).toBeLessThanOrEqual(120);
    expect(f!.title.endsWith('…')).toBe(true);
  });
});
