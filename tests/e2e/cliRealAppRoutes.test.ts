import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Finding, Report } from '../../src/report/model.js';
import { leftoversIn, reportFromJson, runCli, tempHome } from '../helpers/cli.js';
import {
  astroLikePackage,
  freePort,
  okPage,
  pageServer,
  routeModule,
  throwingPage,
} from '../helpers/fakeFrameworks.js';
import { createGitRepo, type GitRepo } from '../helpers/gitRepo.js';
import { processesWithMarker } from '../helpers/processes.js';

// Issue 9, points 3 and 4, through the real binary: the pages a change touches come from the
// framework's own routing rules, files that lead nowhere are named, a wrong guess is not a finding,
// and each dev server gets its port the way it takes one (or is found where its log says it went).

// Each run starts the head and the base app side by side: a loaded machine needs more than 90 s.
vi.setConfig({ testTimeout: 300_000 });

const home = tempHome();
const repos: GitRepo[] = [];
afterAll(async () => {
  await Promise.all(repos.map((r) => r.cleanup()));
  home.cleanup();
});

async function repo(files: Record<string, string>, head: Record<string, string | null>): Promise<GitRepo> {
  const r = await createGitRepo({ files, branches: { 'feature/x': head } });
  repos.push(r);
  return r;
}

async function simulate(r: GitRepo, extra: string[] = []) {
  const result = await runCli(
    ['simulate', r.path, '--head', 'feature/x', '--base', 'main', '--json', '--no-agent', ...extra],
    { home: home.dir, timeoutMs: 180_000 },
  );
  expect(result.stdout.trim().startsWith('{'), result.stderr).toBe(true);
  const report = reportFromJson(result.stdout);
  expect(report.error, JSON.stringify(report.error)).toBeUndefined();
  expect(processesWithMarker(report.id)).toEqual([]);
  expect(leftoversIn(home.dir)).toEqual([]);
  return { code: result.code, report, stderr: result.stderr };
}

const notes = (report: Report): Finding[] => report.findings.filter((f) => f.kind === 'note');
/** The report's notes that start with `start` (a note is "<title>. <detail>"). */
const notesStarting = (report: Report, start: string): string[] =>
  (report.notes ?? []).filter((n) => n.startsWith(start));
const errors = (report: Report): Finding[] => report.findings.filter((f) => f.severity === 'error');

describe('routes from the diff, by the framework in use', () => {
  it('Remix / React Router v7 flat routes: a dotted route file is visited, a $param route is named', async () => {
    const r = await repo(
      {
        'package.json': JSON.stringify({
          scripts: { dev: 'node server.js' },
          dependencies: { '@remix-run/react': '2.0.0' },
        }),
        'server.js': pageServer,
        // The home page links nowhere: only the diff can lead the crawl to the changed page.
        'routes.json': JSON.stringify({
          '/': 'app/routes/_index.tsx',
          '/settings/profile': 'app/routes/settings.profile.tsx',
        }),
        'app/routes/_index.tsx': routeModule(okPage('Home')),
        'app/routes/settings.profile.tsx': routeModule(okPage('Profile settings')),
        'app/routes/concerts.$city.tsx': routeModule(okPage('Concerts')),
      },
      {
        'app/routes/settings.profile.tsx': routeModule(
          throwingPage('Profile settings', 'profile is undefined'),
        ),
        'app/routes/concerts.$city.tsx': routeModule(okPage('Concerts in a city')),
      },
    );
    const { code, report } = await simulate(r, ['--no-install']);
    expect(report.verdict).toBe('fail');
    expect(code).toBe(1);
    expect(report.pages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/settings/profile', via: 'diff', status: 200 }),
      ]),
    );
    // Not the Next.js rule's "/routes/settings.profile".
    expect(report.pages.map((p) => p.path)).not.toContain('/routes/settings.profile');
    expect(errors(report)).toEqual([
      expect.objectContaining({
        kind: 'page-error',
        page: '/settings/profile',
        title: expect.stringContaining('profile is undefined'),
      }),
    ]);
    expect(report.notes).toContain(
      'changed: app/routes/concerts.$city.tsx — its route /concerts/$city has a parameter: no concrete URL to open; try --route',
    );
  });

  it('a plain vue-router table maps a page file to its path; a page outside the table is said, not guessed', async () => {
    const router = `import { createRouter, createWebHistory } from 'vue-router'
import Home from './pages/Home.vue'
export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', component: Home },
    { path: '/account/settings', component: () => import('./pages/Settings.vue') },
  ],
})
`;
    const r = await repo(
      {
        'package.json': JSON.stringify({
          scripts: { dev: 'node server.js' },
          dependencies: { vue: '3.5.0', 'vue-router': '4.4.0' },
        }),
        'server.js': pageServer,
        'routes.json': JSON.stringify({
          '/': 'src/pages/Home.vue',
          '/account/settings': 'src/pages/Settings.vue',
        }),
        'src/router.js': router,
        'src/pages/Home.vue': okPage('Home'),
        'src/pages/Settings.vue': okPage('Settings'),
      },
      {
        'src/pages/Settings.vue': throwingPage('Settings', 'user.email is undefined'),
        'src/pages/Orphan.vue': okPage('Orphan'),
      },
    );
    const { report } = await simulate(r, ['--no-install']);
    expect(report.verdict).toBe('fail');
    const settings = report.pages.find((p) => p.path === '/account/settings');
    expect(settings).toMatchObject({ via: 'diff', status: 200 });
    // The old rule's guess, /Settings, is not visited.
    expect(report.pages.map((p) => p.path)).not.toContain('/Settings');
    expect(errors(report)).toEqual([
      expect.objectContaining({ kind: 'page-error', page: '/account/settings' }),
    ]);
    expect(report.notes).toContain('changed: src/pages/Orphan.vue — no route found; try --route');
  });
});

describe('dev servers and their ports', () => {
  const astroApp = (dev: string) => ({
    'package.json': JSON.stringify({
      scripts: { dev },
      devDependencies: { astro: 'file:./vendor/astro' },
    }),
    ...astroLikePackage(),
    'routes.json': JSON.stringify({
      '/': 'src/pages/index.astro',
      '/404': 'src/pages/404.astro',
      '*404': 'src/pages/404.astro',
    }),
    'src/pages/index.astro': okPage('Docs'),
    'src/pages/404.astro': okPage('Page not found'),
  });

  it('Astro gets --port and --host (it ignores PORT); a guessed route that answers 404 is not a finding', async () => {
    const files = astroApp('astro dev');
    const routes = JSON.parse(files['routes.json']) as Record<string, string>;
    delete routes['/404'];
    const r = await repo(
      { ...files, 'routes.json': JSON.stringify({ ...routes, '/pricing': 'src/pages/pricing.astro' }) },
      {
        'src/pages/pricing.astro': throwingPage('Pricing', 'plans is not iterable'),
        'src/pages/404.astro': okPage('Page not found!'),
      },
    );
    const { report, stderr } = await simulate(r, ['--ready-timeout', '30']);
    expect(report.app?.startCommand).toBe('npm run dev -- --port $PORT --host 127.0.0.1');
    expect(stderr).toContain('app answers at http://127.0.0.1:');
    expect(report.verdict).toBe('fail');
    expect(errors(report)).toEqual([expect.objectContaining({ kind: 'page-error', page: '/pricing' })]);
    // src/pages/404.astro changed, so /404 was tried: it answers 404 on purpose, which is no finding.
    expect(report.pages).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '/404', status: 404, via: 'diff' })]),
    );
    expect(notes(report)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          severity: 'info',
          title: 'Guessed route /404 answered HTTP 404: not counted',
        }),
        // No lockfile in this app: the report says its install is not reproducible.
        expect.objectContaining({
          severity: 'warning',
          title: 'No lockfile: dependency versions are not reproducible',
        }),
      ]),
    );
    expect(notesStarting(report, 'Package manager: npm ')[0]).toMatch(
      /^Package manager: npm \d+\.\d+\.\d+ on PATH\. Installed with "npm install"/,
    );
  });

  it('a script with its own port: the URL its log announces is used (our process holds it), with a note', async () => {
    const port = await freePort();
    const r = await repo(astroApp(`astro dev --port ${port}`), {
      'src/pages/index.astro': okPage('Docs, new'),
    });
    // Without the log's URL this would end in APP_NOT_READY (simulate() asserts there is no error).
    // Unsandboxed only: in the sandbox the browser reaches just the port the app was given (or --url's).
    // Head and base both insist on that port: the base runs after the head app has stopped, and says so.
    const { report, stderr } = await simulate(r, ['--ready-timeout', '40', '--no-sandbox']);
    expect(report.verdict).toBe('pass');
    expect(report.app?.url).toBe(`http://127.0.0.1:${port}/`);
    expect(report.pages[0]).toMatchObject({ path: '/', status: 200 });
    expect(
      notesStarting(report, `The app listens on http://127.0.0.1:${port}, not on the port it was given. `),
    ).toHaveLength(1);
    expect(report.comparisonNote).toBeUndefined();
    expect(report.comparison).toMatchObject({ cached: false, url: `http://127.0.0.1:${port}/` });
    expect(report.comparison?.pages).toEqual([
      expect.objectContaining({ path: '/', headStatus: 200, baseStatus: 200 }),
    ]);
    expect(
      notesStarting(report, 'The base commit ran after the head app had stopped, not beside it: '),
    ).toEqual([expect.stringContaining(`its start command pins port ${port}`)]);
    // The base started only once the head app had stopped.
    expect(stderr.indexOf('base: app answers at')).toBeGreaterThan(
      stderr.indexOf('starts once the head app has stopped'),
    );
  });

  it('a server that ignores PORT for a port of its own: the base fails with EADDRINUSE beside the head, then runs after it', async () => {
    const port = await freePort();
    // Nothing in the start command says so: the port is in the code.
    const server = [
      "const http = require('node:http');",
      "const title = require('node:fs').readFileSync('title.txt', 'utf8').trim();",
      'http',
      '  .createServer((req, res) => {',
      "    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html' });",
      "    res.end('<!doctype html><html lang=\"en\"><title>' + title + '</title><main><h1>' + title + '</h1></main></html>');",
      '  })',
      `  .listen(${port}, '127.0.0.1', () => console.log('listening on http://127.0.0.1:${port}/'));`,
    ].join('\n');
    const r = await repo(
      {
        'package.json': JSON.stringify({
          name: 'fixed',
          version: '1.0.0',
          scripts: { start: 'node server.js' },
        }),
        'server.js': server,
        'title.txt': 'Fixed',
      },
      { 'title.txt': 'Fixed, new' },
    );
    const { report, stderr } = await simulate(r, ['--ready-timeout', '40', '--no-sandbox']);
    expect(report.verdict).toBe('pass');
    expect(report.app?.url).toBe(`http://127.0.0.1:${port}/`);
    expect(report.comparisonNote).toBeUndefined();
    expect(report.comparison).toMatchObject({ cached: false, url: `http://127.0.0.1:${port}/` });
    expect(
      notesStarting(report, 'The base commit ran after the head app had stopped, not beside it: '),
    ).toEqual([expect.stringContaining('its port was already in use (EADDRINUSE)')]);
    expect(stderr).toMatch(/base: starting again: npm run start/);
  });
});
