// Pages that answer HTTP 200 and show nobody anything — a blank body, a spinner, a page stuck loading —
// against real Chromium and a real HTTP server on 127.0.0.1: each must be a warning finding, while pages
// that render late (within the crawl's wait) or show a canvas or a picture and no text are not.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smokeCrawl } from '../../src/browser/crawl.js';
import { discoverBrowser } from '../../src/browser/discover.js';
import { type BrowserSession, openBrowserSession } from '../../src/browser/session.js';
import { findingsFromCrawl } from '../../src/report/findings.js';
import type { Finding, PageResult } from '../../src/report/model.js';

const html = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;

// A visually hidden label, as component libraries put beside a spinner: no one sees it.
const srOnly = (text: string) =>
  `<span style="position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)">${text}</span>`;

const pages: Record<string, string> = {
  // An SPA whose bundle ran and rendered nothing (it mounts on an element that is not there).
  '/blank.html': html(
    'Dashboard',
    `<div id="root"></div><script>document.getElementById('app')?.append('Dashboard');</script>`,
  ),
  // A lazy route that never resolves: a 48 px spinning svg and its hidden label, for good.
  '/spinner.html': html(
    'Loading',
    `<style>@keyframes spin{to{transform:rotate(360deg)}}svg{animation:spin 1s linear infinite}</style>
    <svg width="48" height="48" viewBox="0 0 48 48"><circle cx="24" cy="24" r="20" stroke="#888" stroke-width="4" fill="none" stroke-dasharray="90 40"/></svg>
    ${srOnly('Loading…')}`,
  ),
  // The bundle threw before rendering: the page error is a finding of its own, the blank page too.
  '/throws.html': html('Broken', `<div id="root"></div><script>throw new Error('chunk failed');</script>`),
  // Renders 2 s after load, when the network has long been quiet: within the wait, so nothing to report.
  '/late.html': html(
    'Late',
    `${srOnly('Open devtools')}<script>setTimeout(() => { document.body.innerHTML = '<h1>Ready</h1>'; }, 2000);</script>`,
  ),
  // A canvas app (a drawing tool, a game, a map): no text at all, and plainly not blank.
  '/canvas.html': html(
    'Canvas',
    `<canvas id="c" width="600" height="400"></canvas>
    <script>const g = document.getElementById('c').getContext('2d'); g.fillStyle = '#2da44e'; g.fillRect(40, 40, 300, 200);</script>`,
  ),
  // A picture and no text.
  '/photo.html': html('Photo', '<img src="/photo.svg" alt="">'),
  // A page shown in a frame (a Storybook-like preview): no text of its own.
  '/framed.html': html(
    'Framed',
    '<iframe src="/photo.html" width="600" height="400" title="Preview"></iframe>',
  ),
  // The document arrives, then a script it waits for never does: nothing after it is ever parsed.
  '/stuck-blank.html': html('Stuck', '<script src="/never.js"></script><h1>Never shown</h1>'),
  // It shows its heading, but an image it waits for never arrives: the page never finishes loading.
  '/stuck-shows.html': html('Report', '<h1>Monthly report</h1><img src="/never.png" width="10" height="10">'),
};
const photo =
  '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"><rect width="300" height="200" fill="#1f6feb"/></svg>';

let server: http.Server;
let origin: string;
let session: BrowserSession;
let artifactDir: string;
let crawled: PageResult[];
let findings: Finding[];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const body = pages[req.url ?? ''];
    if (body) return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
    if (req.url === '/photo.svg') return res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(photo);
    if (req.url === '/never.js' || req.url === '/never.png') return; // never answered
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  artifactDir = await mkdtemp(path.join(tmpdir(), 'myfav-test-blank-'));
  session = await openBrowserSession({ executable: await discoverBrowser(), origin });
  const crawl = (paths: string[], navigationTimeoutMs?: number) =>
    smokeCrawl(session, {
      entryUrl: `${origin}${paths[0]}`,
      targets: paths.slice(1).map((p) => ({ url: p, via: 'route' as const })),
      maxPages: paths.length,
      followLinks: false,
      screenshotsDir: path.join(artifactDir, 'screenshots', String(navigationTimeoutMs ?? 'default')),
      artifactDir,
      ...(navigationTimeoutMs ? { navigationTimeoutMs } : {}),
    });
  // Pages stuck loading get a short load timeout (2 s, then 6 s); the others the crawl's own.
  const [rendered, stuck] = await Promise.all([
    crawl([
      '/blank.html',
      '/spinner.html',
      '/throws.html',
      '/late.html',
      '/canvas.html',
      '/photo.html',
      '/framed.html',
    ]),
    crawl(['/stuck-blank.html', '/stuck-shows.html'], 2_000),
  ]);
  crawled = [...rendered.pages, ...stuck.pages];
  findings = findingsFromCrawl({ pages: crawled, brokenLinks: [] });
}, 120_000);

afterAll(async () => {
  await session?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  if (artifactDir) await rm(artifactDir, { recursive: true, force: true });
});

const byPath = (p: string) => crawled.find((page) => page.path === p) as PageResult;
const findingOn = (p: string, kind: Finding['kind']) => findings.find((f) => f.page === p && f.kind === kind);

describe('a page that shows nothing', () => {
  it('is a warning when it stays blank through the wait, with the screenshot as evidence', async () => {
    const page = byPath('/blank.html');
    expect(page.status).toBe(200);
    // It was given the whole render wait (15 s) before it counted as blank.
    expect(page.blank?.afterMs).toBeGreaterThanOrEqual(15_000);
    const finding = findingOn('/blank.html', 'blank-page');
    expect(finding).toMatchObject({
      severity: 'warning',
      title: '/blank.html stayed blank',
      key: 'blank|/blank.html',
      source: 'crawl',
    });
    expect(finding?.detail).toMatch(
      /^\/blank\.html \(the entry page\) answered HTTP 200 but showed nothing \d+ s after it was opened: no visible text or form field, and no image, canvas, svg, video or frame of 100×100 px or more/,
    );
    expect(finding?.detail).toContain('an "ignore" rule of kind blank-page');
    expect(finding?.evidence[0]).toBe(page.screenshot);
    const shot = await readFile(path.join(artifactDir, finding?.evidence[0] as string));
    expect(shot.subarray(0, 4).toString('hex')).toBe('89504e47');
  });

  it('counts a spinner with a hidden "Loading…" label as nothing', () => {
    expect(byPath('/spinner.html').blank).toBeDefined();
    expect(findingOn('/spinner.html', 'blank-page')?.severity).toBe('warning');
  });

  it('names the page error seen on a blank page, which stays an error finding of its own', () => {
    expect(findingOn('/throws.html', 'blank-page')?.detail).toContain(
      'this page also had 1 page error, which may be why',
    );
    expect(findingOn('/throws.html', 'page-error')?.severity).toBe('error');
    expect(findingOn('/throws.html', 'page-error')?.title).toContain('chunk failed');
  });

  it('is no finding when it renders after a delay within the wait, or shows a canvas, a picture or a frame', () => {
    for (const p of ['/late.html', '/canvas.html', '/photo.html', '/framed.html']) {
      expect(byPath(p), p).toMatchObject({ status: 200 });
      expect(byPath(p).blank, p).toBeUndefined();
      expect(
        findings.filter((f) => f.page === p),
        p,
      ).toEqual([]);
    }
    // The late page was read once rendered, not when the wait began.
    expect(byPath('/late.html').error).toBeUndefined();
  });

  it('is a blank page that also never finished loading when its document came and nothing else did', () => {
    const page = byPath('/stuck-blank.html');
    expect(page).toMatchObject({ status: 200, loadTimeoutSeconds: 6 });
    const finding = findingOn('/stuck-blank.html', 'blank-page');
    expect(finding?.severity).toBe('warning');
    expect(finding?.detail).toMatch(
      /^\/stuck-blank\.html \(the entry page\) answered HTTP 200 but did not finish loading within 6 s and showed nothing by then:/,
    );
    // One problem, one finding: not also a slow page.
    expect(findingOn('/stuck-blank.html', 'slow-page')).toBeUndefined();
  });

  it('is a slow-page warning when it shows something but never finishes loading', () => {
    const page = byPath('/stuck-shows.html');
    expect(page).toMatchObject({ status: 200, loadTimeoutSeconds: 6 });
    expect(page.blank).toBeUndefined();
    expect(findingOn('/stuck-shows.html', 'slow-page')).toMatchObject({
      severity: 'warning',
      title: '/stuck-shows.html did not finish loading within 6 s',
      key: 'slow|/stuck-shows.html',
      evidence: [
        page.screenshot,
        `GET ${origin}/stuck-shows.html → HTTP 200; the load event did not come within 6 s`,
      ],
    });
  });
});
