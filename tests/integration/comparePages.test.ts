// The base comparison's look at the pages: screenshots compared in pixels (with masked dynamic regions)
// and axe-core results compared by rule, on a real static site, real git, real Chromium and SQLite.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer } from '../../src/app/staticServer.js';
import { smokeCrawl } from '../../src/browser/crawl.js';
import { discoverBrowser } from '../../src/browser/discover.js';
import { openBrowserSession } from '../../src/browser/session.js';
import { diffScreenshots } from '../../src/image/pixelDiff.js';
import { type Db, openDatabase } from '../../src/jobs/db.js';
import { newJobId } from '../../src/jobs/ids.js';
import { runJob } from '../../src/jobs/runJob.js';
import { JobStore } from '../../src/jobs/store.js';
import { silentLogger } from '../../src/log.js';
import { type AppPaths, artifactsDir, jobsDbPath } from '../../src/paths.js';
import type { ComparedPage, Finding, Report } from '../../src/report/model.js';
import type { GitRepo } from '../helpers/gitRepo.js';
import { createPageCompareRepo } from '../helpers/pageCompareApp.js';

let root: string;
let db: Db;
let repo: GitRepo;
let report: Report;

beforeAll(async () => {
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'myfav-test-compare-pages-')));
  const paths: AppPaths = {
    data: path.join(root, 'data'),
    cache: path.join(root, 'cache'),
    config: path.join(root, 'config'),
  };
  db = openDatabase(jobsDbPath(paths));
  const store = new JobStore(db);
  repo = await createPageCompareRepo();
  const id = newJobId();
  const job = store.create({
    id,
    request: {
      input: repo.path,
      target: { kind: 'local', repoPath: repo.path, headRef: 'feature/look', baseRef: 'main' },
      settings: {},
      agent: { enabled: false },
    },
    artifactDir: artifactsDir(paths, id),
    status: 'running',
  });
  report = await runJob(
    job,
    { paths, store, logger: silentLogger },
    { signal: new AbortController().signal },
  );
}, 300_000);

afterAll(async () => {
  db?.close();
  await repo?.cleanup();
  if (root) await rm(root, { recursive: true, force: true });
});

const compared = (p: string): ComparedPage | undefined => report.comparison?.pages.find((c) => c.path === p);
const findingsOf = (kind: Finding['kind']) => report.findings.filter((f) => f.kind === kind);

describe('comparing the pages of head and base', () => {
  it('compares every page both sides visited, and the verdict stays pass (warnings only)', () => {
    expect(report.error).toBeUndefined();
    expect(report.status).toBe('completed');
    expect(report.comparison?.pages.map((p) => p.path).sort()).toEqual([
      '/',
      '/a11y.html',
      '/touched.html',
      '/untouched.html',
    ]);
    expect(report.verdict).toBe('pass');
  });

  it('reports a visual change on a page the diff touches as information, with a diff image', async () => {
    const touched = compared('/touched.html');
    expect(touched).toMatchObject({ touchedByDiff: true, visualChange: true });
    expect(touched?.changedRatio).toBeGreaterThan(0.05);
    expect(touched?.diffImage).toMatch(/^compare\/.+-diff\.png$/);
    expect(existsSync(path.join(report.artifacts.dir, touched?.diffImage ?? 'missing'))).toBe(true);
    expect(findingsOf('visual-change').filter((f) => f.page === '/touched.html')).toEqual([]);
    const html = await readFile(report.artifacts.reportHtml, 'utf8');
    expect(html).toContain(`src="${touched?.diffImage}"`);
    expect(html).toContain('expected, the change touches this page');
  });

  it('warns about a page no changed file points at that changed visibly (a shared stylesheet)', () => {
    const untouched = compared('/untouched.html');
    expect(untouched?.touchedByDiff).toBeUndefined();
    expect(untouched).toMatchObject({ visualChange: true });
    expect(findingsOf('visual-change')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        origin: 'new',
        page: '/untouched.html',
        key: 'visual|/untouched.html',
        evidence: expect.arrayContaining([untouched?.diffImage]),
      }),
    ]);
  });

  it('does not count a masked dynamic region: the clock on the entry page differs on every load', () => {
    const entry = compared('/');
    expect(entry).toMatchObject({ visualChange: false, changedRatio: 0 });
    expect(entry?.diffImage).toBeUndefined();
  });

  it('classifies axe-core violations: new on head (warning), fixed by head, on both (pre-existing)', async () => {
    const a11y = findingsOf('accessibility').filter((f) => f.page === '/a11y.html');
    const byRule = Object.fromEntries(a11y.map((f) => [f.key, f]));
    expect(byRule['a11y|/a11y.html|image-alt']).toMatchObject({ origin: 'new', severity: 'warning' });
    expect(byRule['a11y|/a11y.html|image-alt']?.detail).toContain('https://dequeuniversity.com/rules/axe/');
    expect(byRule['a11y|/a11y.html|image-alt']?.evidence).toContain('img');
    expect(byRule['a11y|/a11y.html|button-name']).toMatchObject({ origin: 'fixed' });
    expect(byRule['a11y|/a11y.html|html-has-lang']).toMatchObject({ origin: 'pre-existing' });
    // Pages without violations on either side bring no accessibility finding.
    expect(findingsOf('accessibility').every((f) => f.page === '/a11y.html')).toBe(true);
    expect(compared('/a11y.html')?.a11y?.head.map((v) => v.id)).toEqual(['html-has-lang', 'image-alt']);
    expect(compared('/a11y.html')?.a11y?.base.map((v) => v.id)).toEqual(['button-name', 'html-has-lang']);

    const md = await readFile(report.artifacts.reportMd, 'utf8');
    expect(md).toContain('new: image-alt; on both: html-has-lang; fixed: button-name');
    const html = await readFile(report.artifacts.reportHtml, 'utf8');
    expect(html).toContain('href="https://dequeuniversity.com/rules/axe/');
  });
});

describe('masking dynamic regions in the crawl', () => {
  it('paints a masked region over, so two loads of a changing page are pixel-identical', async () => {
    // The same site crawled twice with and without the mask: only the masked screenshots match.
    const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'myfav-test-mask-')));
    const server = await startStaticServer(repo.path);
    const session = await openBrowserSession({
      executable: await discoverBrowser(),
      origin: server.origin,
      allowedOrigins: [],
      logger: silentLogger,
    });
    try {
      const shoot = async (name: string, mask: string[]) => {
        const crawl = await smokeCrawl(session, {
          entryUrl: `${server.origin}/`,
          targets: [],
          maxPages: 1,
          followLinks: false,
          checkLinks: false,
          mask,
          screenshotsDir: path.join(dir, name),
          artifactDir: dir,
        });
        return path.join(dir, crawl.pages[0]?.screenshot ?? 'missing');
      };
      const masked = await diffScreenshots(await shoot('a', ['#clock']), await shoot('b', ['#clock']));
      const unmasked = await diffScreenshots(await shoot('c', []), await shoot('d', []));
      expect(masked.changedPixels).toBe(0);
      expect(unmasked.changedRatio).toBeGreaterThan(0.001);
    } finally {
      await session.close();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
