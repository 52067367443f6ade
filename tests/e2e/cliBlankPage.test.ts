// A change that blanks a page, as a user runs it: the real binary, real git, real Chromium. The page
// answers HTTP 200 and shows nothing, and nothing else goes wrong (no error, no failed request), so
// before the blank-page finding such a run passed with no word about it.
//   /app.html      renders its dashboard from app.js on main; the branch renames the element app.js
//                  mounts on, so it renders nothing, silently: a new warning
//   /reports.html  a spinner for good, on both sides: pre-existing
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulationView } from '../../src/report/machine.js';
import { leftoversIn, reportFromJson, runCli, tempHome } from '../helpers/cli.js';
import { createGitRepo, type GitRepo } from '../helpers/gitRepo.js';
import { processesWithMarker } from '../helpers/processes.js';

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>\n`;

const home = tempHome();
let repo: GitRepo;

beforeAll(async () => {
  repo = await createGitRepo({
    files: {
      'index.html': page(
        'Shop',
        '<h1>Shop</h1><a href="/app.html">Dashboard</a> <a href="/reports.html">Reports</a>',
      ),
      'app.html': page('Dashboard', '<div id="root"></div><script src="/app.js"></script>'),
      'app.js':
        "const root = document.querySelector('#root');\nif (root) root.innerHTML = '<h1>Dashboard</h1><p>3 open orders</p>';\n",
      'reports.html': page(
        'Reports',
        '<svg width="40" height="40"><circle cx="20" cy="20" r="16" stroke="#888" stroke-width="4" fill="none"/></svg>',
      ),
    },
    branches: {
      'feature/mount': {
        'app.html': page('Dashboard', '<div id="app"></div><script src="/app.js"></script>'),
      },
    },
  });
});
afterAll(async () => {
  await repo?.cleanup();
  home.cleanup();
});

describe('simulate reports pages that show nothing', () => {
  it('a page the change blanks is a new warning, one blank on both sides pre-existing', async () => {
    const r = await runCli(
      ['simulate', repo.path, '--head', 'feature/mount', '--base', 'main', '--json', '--no-agent'],
      { home: home.dir, timeoutMs: 240_000 },
    );
    const report = reportFromJson(r.stdout);
    expect(report.error).toBeUndefined();
    // Warnings do not fail a run: the page may be meant to look empty.
    expect(report).toMatchObject({ status: 'completed', verdict: 'pass' });
    expect(r.code).toBe(0);

    const blank = report.findings.filter((f) => f.kind === 'blank-page');
    expect(blank.map((f) => [f.key, f.origin, f.severity]).sort()).toEqual([
      ['blank|/app.html', 'new', 'warning'],
      ['blank|/reports.html', 'pre-existing', 'warning'],
    ]);
    expect(report.findings.filter((f) => f.kind !== 'blank-page')).toEqual([]);
    const app = blank.find((f) => f.page === '/app.html');
    expect(app?.title).toBe('/app.html stayed blank');
    expect(app?.detail).toMatch(
      /^\/app\.html answered HTTP 200 but showed nothing \d+ s after it was opened/,
    );
    // The base's page did render: its screenshot is not the head's.
    const headPage = report.pages.find((p) => p.path === '/app.html');
    expect(headPage?.blank).toBeDefined();
    expect(app?.evidence[0]).toBe(headPage?.screenshot);

    // Every face shows it: report.md, report.html, the terminal summary, the machine view (MCP's too).
    const dir = report.artifacts.dir;
    expect(readFileSync(path.join(dir, 'report.md'), 'utf8')).toContain('/app.html stayed blank');
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('/app.html stayed blank');
    const shown = await runCli(['show', report.id], { home: home.dir });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('/app.html stayed blank');
    const view = JSON.parse(
      (await runCli(['show', report.id, '--json'], { home: home.dir })).stdout,
    ) as SimulationView;
    expect(view.findings?.map((f) => [f.kind, f.page, f.origin])).toEqual(
      expect.arrayContaining([
        ['blank-page', '/app.html', 'new'],
        ['blank-page', '/reports.html', 'pre-existing'],
      ]),
    );
    expect(view.counts).toMatchObject({ new: 1, pre_existing: 1 });

    expect(processesWithMarker(report.id)).toEqual([]);
    expect(leftoversIn(home.dir)).toEqual([]);
  }, 300_000);
});
