// The crawl's axe-core check against real Chromium and a real HTTP site on 127.0.0.1, on pages built to
// defeat it the way an app could: one that defines its own `axe` and breaks builtins axe-core uses, one
// behind a strict Content-Security-Policy, one whose violation sits in a same-origin iframe, and one that
// navigates to another page after it loaded.
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessibilityCheck } from '../../src/browser/accessibility.js';
import { smokeCrawl } from '../../src/browser/crawl.js';
import { discoverBrowser } from '../../src/browser/discover.js';
import { type BrowserSession, openBrowserSession } from '../../src/browser/session.js';
import type { CrawlResult } from '../../src/browser/types.js';

const page = (title: string, body: string, head = '') =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>${head}</head>` +
  `<body><main><h1>${title}</h1>${body}</main></body></html>`;

const PAGES: Record<string, { html: string; csp?: string }> = {
  '/': {
    html: page(
      'Home',
      ['hostile', 'csp', 'framed', 'moves'].map((p) => `<a href="/${p}.html">${p}</a>`).join(' '),
    ),
  },
  // The app's own `axe`, a frozen one, and builtins axe-core calls, broken: none of it reaches the check.
  '/hostile.html': {
    html: page(
      'Hostile',
      '<img src="/dot.svg">',
      `<script>
        Object.defineProperty(window, 'axe', { value: { run: () => Promise.resolve({ violations: [] }) }, writable: false });
        Array.prototype.filter = function () { throw new Error('filter is broken here'); };
        JSON.stringify = () => '"lies"';
      </script>`,
    ),
  },
  // No inline script, no eval: a policy that stops a script the check would add to the page.
  '/csp.html': {
    html: page('Strict policy', '<button></button>'),
    csp: "default-src 'self'; script-src 'self'",
  },
  '/framed.html': { html: page('Framed', '<iframe src="/inner.html" title="Inner"></iframe>') },
  '/inner.html': { html: page('Inner', '<img src="/dot.svg">') },
  // Replaces itself with another document after `load`, while the crawl waits for it to settle.
  '/moves.html': {
    html: page(
      'Moves',
      '',
      `<script>addEventListener('load', () => setTimeout(() => location.replace('/moved.html'), 50));</script>`,
    ),
  },
  '/moved.html': { html: page('Moved', '<img src="/dot.svg">') },
};

describe('the accessibility check', () => {
  let server: http.Server;
  let origin: string;
  let session: BrowserSession;
  let artifactDir: string;
  let result: CrawlResult;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/dot.svg') {
        res.writeHead(200, { 'content-type': 'image/svg+xml' });
        res.end(
          '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>',
        );
        return;
      }
      const found = PAGES[url.pathname];
      if (!found) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/html',
        ...(found.csp ? { 'content-security-policy': found.csp } : {}),
      });
      res.end(found.html);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    artifactDir = await mkdtemp(path.join(tmpdir(), 'myfav-a11y-'));
    session = await openBrowserSession({
      executable: await discoverBrowser(),
      origin,
      tracePath: path.join(artifactDir, 'trace.zip'),
    });
    result = await smokeCrawl(session, {
      entryUrl: `${origin}/`,
      targets: [],
      maxPages: 6,
      accessibility: true,
      checkLinks: false,
      screenshotsDir: path.join(artifactDir, 'screenshots'),
      artifactDir,
    });
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    if (artifactDir) await rm(artifactDir, { recursive: true, force: true });
  });

  const rulesOn = (pagePath: string) => result.pages.find((p) => p.path === pagePath)?.a11y?.map((v) => v.id);

  it('finds what a page has, whatever the app did to its own JavaScript', () => {
    expect(rulesOn('/')).toEqual([]);
    expect(rulesOn('/hostile.html')).toEqual(['image-alt']);
    const violation = result.pages.find((p) => p.path === '/hostile.html')?.a11y?.[0];
    expect(violation).toMatchObject({ impact: 'critical', targets: ['img'] });
    expect(violation?.helpUrl).toContain('https://dequeuniversity.com/rules/axe/');
  });

  it('checks a page under a strict Content-Security-Policy', () => {
    expect(rulesOn('/csp.html')).toEqual(['button-name']);
  });

  it('reaches into a same-origin frame, naming the element by frame', () => {
    const framed = result.pages.find((p) => p.path === '/framed.html')?.a11y;
    expect(framed?.map((v) => v.id)).toEqual(['image-alt']);
    expect(framed?.[0]?.targets).toEqual(['iframe >>> img']);
  });

  it('checks the document a page moved on to after it loaded', () => {
    expect(rulesOn('/moves.html')).toEqual(['image-alt']);
  });

  it("leaves nothing of axe-core in the page's own JavaScript", async () => {
    const probe = await session.newPage();
    const check = new AccessibilityCheck(probe);
    try {
      await probe.goto(`${origin}/csp.html`);
      check.start();
      expect((await check.violations()).map((v) => v.id)).toEqual(['button-name']);
      expect(await probe.evaluate(() => typeof (globalThis as { axe?: unknown }).axe)).toBe('undefined');
    } finally {
      await check.close();
      await probe.close();
    }
  });
});
