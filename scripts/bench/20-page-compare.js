// What comparing a page with the base adds, per page: the pixel diff of its two screenshots (decode both
// PNGs, pixelmatch, and the diff image when it changed) and axe-core after its screenshot in the crawl.
// Pages: the demo (feature/stats as head, main as base, their own servers) and the heavy API-reference
// page (fixtures/large-page, a tall full-page screenshot). Medians of a few runs.
//
// axe is measured twice: on its own (accessibilityViolations on a loaded page) and as what it adds to a
// crawl (the same sequential crawl with and without it, divided by the pages).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDemoRepo } from '../../fixtures/buildDemoRepo.js';
import { git } from '../../fixtures/isolatedGit.js';
import { startNodeServer } from './lib/nodeServer.js';

const RUNS = 3;

export default async function pageCompare(ctx) {
  const dist = ctx.module;
  const { openBrowserSession } = await dist('browser/session.js');
  const { discoverBrowser } = await dist('browser/discover.js');
  const { smokeCrawl } = await dist('browser/crawl.js');
  const { accessibilityViolations } = await dist('browser/accessibility.js');
  const { diffScreenshots } = await dist('image/pixelDiff.js');
  const { startStaticServer } = await dist('app/staticServer.js');

  const work = mkdtempSync(path.join(os.tmpdir(), 'myfav-bench-compare-'));
  const executable = await discoverBrowser();
  const stops = [];
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const timed = async (fn) => {
    const started = performance.now();
    const value = await fn();
    return { ms: performance.now() - started, value };
  };
  try {
    const { repoPath } = await buildDemoRepo(path.join(work, 'demo'));
    const sides = {};
    for (const [side, ref] of [
      ['head', 'feature/stats'],
      ['base', 'main'],
    ]) {
      const dir = path.join(work, side);
      await git(repoPath, ['worktree', 'add', '--quiet', '--detach', dir, ref]);
      const server = await startNodeServer(dir);
      stops.push(server.stop);
      sides[side] = server.origin;
    }
    const large = await startStaticServer(path.join(ctx.root, 'fixtures', 'large-page'));
    stops.push(() => large.stop());
    sides.large = large.origin;

    const crawlOf = async (origin, name, accessibility) => {
      const session = await openBrowserSession({ executable, origin });
      try {
        const artifactDir = path.join(work, 'artifacts', name);
        const { ms, value } = await timed(() =>
          smokeCrawl(session, {
            entryUrl: `${origin}/`,
            targets: [],
            maxPages: 10,
            checkLinks: false,
            accessibility,
            screenshotsDir: path.join(artifactDir, 'screenshots'),
            artifactDir,
          }),
        );
        return { ms, pages: value.pages, artifactDir };
      } finally {
        await session.close();
      }
    };

    // axe's share of a crawl: the demo's head, sequential (links followed), with and without it.
    ctx.log('crawls with and without axe-core');
    const crawlMs = { off: [], on: [] };
    let pageCount = 0;
    for (let i = 0; i < RUNS; i++) {
      for (const mode of ['off', 'on']) {
        const crawl = await crawlOf(sides.head, `crawl-${mode}-${i}`, mode === 'on');
        crawlMs[mode].push(crawl.ms);
        pageCount = crawl.pages.length;
      }
    }

    // Screenshots of both sides (and the large page twice), then the diff of each pair.
    ctx.log('screenshots and pixel diffs');
    const head = await crawlOf(sides.head, 'head', false);
    const base = await crawlOf(sides.base, 'base', false);
    // The large page's full-page screenshot (1280×19,776) directly, with a timeout a loaded machine can
    // meet (the crawl gives a screenshot 10 s).
    const largeShot = async (name) => {
      const session = await openBrowserSession({ executable, origin: sides.large });
      try {
        const page = await session.newPage();
        await page.goto(`${sides.large}/`, { waitUntil: 'load' });
        const file = path.join(work, 'artifacts', `${name}.png`);
        await page.screenshot({ path: file, fullPage: true, animations: 'disabled', timeout: 120_000 });
        return file;
      } finally {
        await session.close();
      }
    };
    const pairs = [
      ...head.pages.flatMap((h) => {
        const b = base.pages.find((p) => p.path === h.path);
        return b?.screenshot && h.screenshot
          ? [
              {
                label: `demo ${h.path}`,
                headFile: path.join(head.artifactDir, h.screenshot),
                baseFile: path.join(base.artifactDir, b.screenshot),
                origin: sides.head,
                path: h.path,
              },
            ]
          : [];
      }),
      {
        label: 'large page / (same on both sides)',
        headFile: await largeShot('large-a'),
        baseFile: await largeShot('large-b'),
        origin: sides.large,
        path: '/',
      },
    ];

    const axeSession = await openBrowserSession({ executable, origin: sides.head });
    const largeSession = await openBrowserSession({ executable, origin: sides.large });
    const rows = [];
    try {
      for (const pair of pairs) {
        const diffs = [];
        let diff;
        for (let i = 0; i < RUNS; i++) {
          const r = await timed(() =>
            diffScreenshots(pair.headFile, pair.baseFile, {
              diffImage: path.join(work, 'diffs', `${i}-${rows.length}.png`),
              writeWhen: (d) => d.changedRatio > 0.001,
            }),
          );
          diffs.push(r.ms);
          diff = r.value;
        }
        const session = pair.origin === sides.large ? largeSession : axeSession;
        const axe = [];
        let violations = [];
        for (let i = 0; i < RUNS; i++) {
          const page = await session.newPage();
          try {
            await page.goto(`${pair.origin}${pair.path}`, { waitUntil: 'load' });
            await page.waitForLoadState('networkidle', { timeout: 1500 }).catch(() => {});
            const r = await timed(() => accessibilityViolations(page));
            axe.push(r.ms);
            violations = r.value;
          } finally {
            await page.close();
          }
        }
        rows.push([
          pair.label,
          `${diff.width}×${diff.height}`,
          `${(diff.changedRatio * 100).toFixed(2)} %${diff.changedRatio > 0.001 ? ' (diff image written)' : ''}`,
          `${Math.round(median(diffs))} ms`,
          `${Math.round(median(axe))} ms`,
          violations.map((v) => v.id).join(', ') || 'none',
        ]);
      }
    } finally {
      await axeSession.close();
      await largeSession.close();
    }
    const added = (median(crawlMs.on) - median(crawlMs.off)) / Math.max(1, pageCount);
    rows.push([
      `demo head crawl, ${pageCount} pages, with vs without axe`,
      '',
      '',
      '',
      `+${Math.round(added)} ms / page`,
      `${Math.round(median(crawlMs.off))} → ${Math.round(median(crawlMs.on))} ms`,
    ]);
    return {
      title: 'Comparing pages with the base: added time per page (pixel diff, axe-core)',
      columns: ['page', 'screenshot', 'pixels differing', 'pixel diff', 'axe-core', 'serious/critical'],
      rows,
      notes: [
        `Medians of ${RUNS} runs. Pixel diff = decode both PNGs (sharp) + pixelmatch + the diff image when the page changed; it runs in the compare phase, once per page both sides visited.`,
        'axe-core runs once per page on each side, inside the crawl, after the screenshot (the base pages load 3 at a time, so its wall time there is shared).',
        `Machine: ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg()[0].toFixed(1)} at the end.`,
      ],
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    rmSync(work, { recursive: true, force: true });
  }
}
