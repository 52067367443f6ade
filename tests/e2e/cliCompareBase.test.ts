// The change's own verdict (issue 8): the base commit runs too, and a PR fails only for what it introduced.
// Real binary, real git, real apps (the demo's server and a tiny server written here), real Chromium.
//
// The simulations are independent of one another (each checks what it left behind by its own job id),
// so the tests run concurrently, two simulations at a time; the one run that must come after another
// (a base run cached by an earlier branch) waits for it.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoRepo } from '../../fixtures/buildDemoRepo.js';
import { discoverBrowser } from '../../src/browser/discover.js';
import type { Finding, Report } from '../../src/report/model.js';
import {
  allText,
  type FakeAnthropic,
  refIn,
  reply,
  startFakeAnthropic,
  type Turn,
  toolUse,
} from '../fakes/fakeAnthropic.js';
import {
  collect,
  leftoversIn,
  leftoversOf,
  reportFromJson,
  runCli,
  spawnCli,
  tempHome,
} from '../helpers/cli.js';
import { once, slots } from '../helpers/concurrency.js';
import { createGitRepo, type GitRepo } from '../helpers/gitRepo.js';
import { processesWithMarker } from '../helpers/processes.js';

let work: string;
let demo: string;
/** Another browser executable: a wrapper script around the one this machine has. */
let otherBrowser: string;
const home = tempHome();

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'myfav-test-compare-'));
  demo = (await buildDemoRepo(path.join(work, 'demo'))).repoPath;
  // The one the CLI finds (its environment has no MYFAV_* variables).
  const browser = await discoverBrowser({ ...process.env, MYFAV_BROWSER_PATH: undefined });
  mkdirSync(path.join(work, 'other-browser'));
  otherBrowser = path.join(work, 'other-browser', 'chrome');
  writeFileSync(otherBrowser, `#!/bin/sh\nexec ${JSON.stringify(browser.path)} "$@"\n`);
  chmodSync(otherBrowser, 0o755);
});
afterAll(() => {
  // Nothing of any job is left once they have all ended.
  const left = leftoversIn(home.dir);
  rmSync(work, { recursive: true, force: true });
  home.cleanup();
  expect(left).toEqual([]);
});

// Two at a time: each runs two apps and a Chromium on a 2-core machine.
const simulation = slots(2);

async function simulate(
  repo: string,
  head: string,
  base: string,
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<{ code: number | null; report: Report; stderr: string }> {
  const r = await simulation(() =>
    runCli(['simulate', repo, '--head', head, '--base', base, '--json', '--no-agent', ...extra], {
      home: home.dir,
      env,
      timeoutMs: 180_000,
    }),
  );
  expect(r.stdout.trim().startsWith('{'), r.stderr).toBe(true);
  const report = reportFromJson(r.stdout);
  // Both apps, both worktrees and both browser contexts are gone, whatever the outcome.
  expect(processesWithMarker(report.id)).toEqual([]);
  expect(leftoversOf(home.dir, report.id)).toEqual([]);
  return { code: r.code, report, stderr: r.stderr };
}

const titles = (findings: Finding[], origin: Finding['origin']) =>
  findings.filter((f) => f.origin === origin).map((f) => f.title);

// Each simulation here runs two apps and crawls both sides, and may wait for a free slot first: more
// time than the suite's default per test.
const slow = { timeout: 600_000 };

describe('comparing with the base', { concurrent: true, ...slow }, () => {
  // feature/stats against main: its base run is cached for the agent's run of the same branch below.
  const featureStats = once(() => simulate(demo, 'feature/stats', 'main'));

  describe('the bundled demo against its base', () => {
    // The base release/1.1 as fix/changelog ran it: the cached run docs/contributing then uses.
    const fixChangelog = once(() => simulate(demo, 'fix/changelog', 'release/1.1'));

    it('fails feature/stats for its three new errors, each classified new', async () => {
      const { code, report, stderr } = await featureStats();
      expect(code).toBe(1);
      expect(report.verdict).toBe('fail');
      const errors = report.findings.filter((f) => f.severity === 'error');
      expect(errors).toHaveLength(3);
      expect(errors.every((f) => f.origin === 'new')).toBe(true);
      expect(report.comparison).toMatchObject({ baseRef: 'main', cached: false });
      expect(report.comparison?.pages.map((p) => p.path)).toEqual(
        expect.arrayContaining(['/', '/about.html', '/stats.html']),
      );
      // The base app was started beside the head's, and the base was crawled at the head's pages.
      expect(stderr).toContain('base: starting');
      expect(stderr).toMatch(/base page \d: \/stats\.html → 404/);
      expect(report.summary.startsWith('3 new problems.')).toBe(true);
    });

    it('passes a branch that fixes the base’s broken link, and reports it fixed', async () => {
      const { code, report } = await fixChangelog();
      expect(report.verdict).toBe('pass');
      expect(code).toBe(0);
      expect(titles(report.findings, 'fixed')).toEqual([expect.stringContaining('/changelog.html')]);
      expect(titles(report.findings, 'new')).toEqual([]);
      expect(report.summary).toContain('1 fixed by this change');
    });

    // After fixChangelog, whose base run it uses; the run with another browser waits for it (at the same
    // time, the same request would join this job).
    const docsContributing = once(async () => {
      await fixChangelog();
      return simulate(demo, 'docs/contributing', 'release/1.1');
    });

    it('passes a branch that changes nothing visible, listing the base’s 404 as pre-existing — from the cached base run', async () => {
      const { code, report, stderr } = await docsContributing();
      expect(report.verdict).toBe('pass');
      expect(code).toBe(0);
      expect(titles(report.findings, 'pre-existing')).toEqual([expect.stringContaining('/changelog.html')]);
      expect(report.findings.filter((f) => f.origin === 'new' && f.severity === 'error')).toEqual([]);
      expect(report.summary).toContain('1 already on release/1.1');
      // The first branch ran this base: this time its app was never started.
      expect(report.comparison).toMatchObject({ cached: true, timings: {} });
      expect(stderr).not.toContain('base: starting');
      expect(stderr).toContain('using the cached run');
    });

    it('runs the base again when another browser takes the screenshots', async () => {
      await docsContributing();
      // Full Chromium and its headless shell render text a pixel apart: a base run the other one took
      // would make untouched pages look changed.
      const { report, stderr } = await simulate(demo, 'docs/contributing', 'release/1.1', [], {
        MYFAV_BROWSER_PATH: otherBrowser,
      });
      expect(report.comparison?.cached).toBe(false);
      expect(stderr).toContain('base: starting');
      expect(stderr).not.toContain('using the cached run');
      expect(report.verdict).toBe('pass');
    });

    it('runs the base again with --refresh-base', async () => {
      const { report, stderr } = await simulate(demo, 'docs/contributing', 'release/1.1', ['--refresh-base']);
      expect(report.comparison?.cached).toBe(false);
      expect(stderr).toContain('base: starting');
      expect(report.verdict).toBe('pass');
    });

    it('judges the head alone with --no-compare-base, and says so', async () => {
      const { code, report } = await simulate(demo, 'docs/contributing', 'release/1.1', [
        '--no-compare-base',
      ]);
      expect(report.verdict).toBe('fail');
      expect(code).toBe(1);
      expect(report.comparison).toBeUndefined();
      expect(report.comparisonNote).toContain('--no-compare-base');
      expect(report.findings.every((f) => f.origin === undefined)).toBe(true);
    });

    it('compares nothing when head and base are the same commit, with a note', async () => {
      const { report } = await simulate(demo, 'main', 'main');
      expect(report.verdict).toBe('pass');
      expect(report.comparison).toBeUndefined();
      expect(report.comparisonNote).toContain('same commit');
    });
  });

  // Four problems, one per section: on base only (fixed), on head only (new), on both (pre-existing), and one
  // that happens on the first load only (flaky). Each page throws from an inline script when it is broken.
  const page = (name: string, script = '') =>
    `<!doctype html><html><head><title>${name}</title></head><body><h1>${name}</h1>` +
    `<p><a href="/">home</a></p>${script ? `<script>${script}</script>` : ''}</body></html>\n`;
  const SERVER = `
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
let flakyLoads = 0;
http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/flaky.js') {
    // Broken the first time only: a problem that does not come back.
    flakyLoads++;
    res.writeHead(200, { 'content-type': 'text/javascript' });
    return res.end(flakyLoads === 1 ? "throw new Error('flaky bug')" : 'void 0');
  }
  const file = path.join(__dirname, 'public', url.pathname === '/' ? 'index.html' : url.pathname);
  fs.readFile(file, (err, body) => {
    if (err) { res.writeHead(404, { 'content-type': 'text/html' }); return res.end('<h1>Not found</h1>'); }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(body);
  });
}).listen(Number(process.env.PORT), process.env.HOST, () => console.log('listening'));
`;
  const index = (pages: string[]) =>
    `<!doctype html><html><head><title>Home</title></head><body><h1>Home</h1><ul>${pages
      .map((p) => `<li><a href="/${p}.html">${p}</a></li>`)
      .join('')}</ul></body></html>\n`;

  describe('a base-only, a head-only, a shared and a flaky failure', () => {
    let repo: GitRepo;
    beforeAll(async () => {
      repo = await createGitRepo({
        dir: path.join(work, 'four'),
        files: {
          'package.json': JSON.stringify({
            name: 'four',
            private: true,
            scripts: { start: 'node server.js' },
          }),
          // The four page errors are what this checks; accessibility has tests of its own.
          '.myfav-coworker.json': JSON.stringify({ accessibility: 'off' }),
          'server.js': SERVER,
          'public/index.html': index(['old', 'both']),
          'public/old.html': page('old', "throw new Error('old bug')"),
          'public/both.html': page('both', "throw new Error('shared bug')"),
        },
        branches: {
          'feature/four': {
            'public/index.html': index(['old', 'both', 'new', 'flaky']),
            'public/old.html': page('old'),
            'public/new.html': page('new', "throw new Error('new bug')"),
            'public/flaky.html': `${page('flaky')}<script src="/flaky.js"></script>\n`,
          },
          // Its app exits at once, while the base's starts fine beside it.
          'feature/broken': { 'server.js': "console.error('boom'); process.exit(3);\n" },
        },
      });
    });
    afterAll(() => repo.cleanup());

    it('puts each in its section and fails only for the new one', async () => {
      const { code, report } = await simulate(repo.path, 'feature/four', 'main', ['--no-install']);
      expect(report.verdict).toBe('fail');
      expect(code).toBe(1);
      const section = (needle: string) => report.findings.find((f) => f.title.includes(needle));
      expect(section('new bug')).toMatchObject({ origin: 'new', severity: 'error', page: '/new.html' });
      expect(section('shared bug')).toMatchObject({ origin: 'pre-existing', page: '/both.html' });
      expect(section('old bug')).toMatchObject({ origin: 'fixed', page: '/old.html' });
      // Seen on the first load only: a warning marked flaky, with both observations.
      expect(section('flaky bug')).toMatchObject({ origin: 'new', severity: 'warning', flaky: true });
      expect(section('flaky bug')?.evidence).toEqual(
        expect.arrayContaining([
          expect.stringContaining('flaky bug'),
          'Second load of /flaky.html: not seen',
        ]),
      );
      expect(report.summary).toMatch(/^2 new problems; 1 already on main; 1 fixed by this change; 1 flaky/);
    });

    it('leaves nothing behind when cancelled while the base is compared', async () => {
      const r = await simulation(() => cancelledWhileBaseCompared());
      const report = reportFromJson(r.stdout);
      expect(report).toMatchObject({ status: 'cancelled', verdict: null });
      expect(r.code).toBe(2);
      expect(processesWithMarker(report.id)).toEqual([]);
      expect(leftoversOf(home.dir, report.id)).toEqual([]);
    });

    function cancelledWhileBaseCompared() {
      const child = spawnCli(
        [
          'simulate',
          repo.path,
          '--head',
          'feature/four',
          '--base',
          'main',
          '--json',
          '--no-agent',
          '--no-install',
          '--refresh-base',
        ],
        { home: home.dir },
      );
      let seen = '';
      child.stderr.on('data', (d) => {
        seen += d;
        if (/base page \d|crawling the base/.test(seen) && !child.killed) child.kill('SIGINT');
      });
      return collect(child, undefined, 120_000);
    }

    it('stops the base app too when the head cannot start', async () => {
      const { code, report } = await simulate(repo.path, 'feature/broken', 'main', [
        '--no-install',
        '--refresh-base',
      ]);
      expect(report.status).toBe('error');
      expect(report.error?.message).toContain('boom');
      expect(code).toBe(2);
    });
  });

  // Fake, and written in two parts so no committed line has a real token's shape (secret scanners).
  const API_KEY = `sk-ant-${'compare-test-key-0123456789'}`;

  describe('an agent finding replayed on the base, without the model', () => {
    const fakes: FakeAnthropic[] = [];
    let repo: GitRepo;
    beforeAll(async () => {
      // The base already has a button that throws when clicked; the branch only rewords the heading.
      const boom = (heading: string) =>
        `<!doctype html><html><head><title>Boom</title></head><body><h1>${heading}</h1>` +
        `<button onclick="document.querySelector('#missing').value = 1">Save</button></body></html>\n`;
      repo = await createGitRepo({
        dir: path.join(work, 'boom'),
        files: { 'index.html': boom('Settings') },
        branches: { 'feature/wording': { 'index.html': boom('Your settings') } },
      });
    });
    afterAll(async () => {
      await Promise.all(fakes.map((f) => f.close()));
      await repo.cleanup();
    });

    async function withAgent(
      target: string,
      head: string,
      base: string,
      turns: Turn[],
      extra: string[] = ['--refresh-base'],
    ) {
      const fake = await startFakeAnthropic({ apiKey: API_KEY });
      fakes.push(fake);
      fake.script(turns);
      const r = await simulation(() =>
        runCli(['simulate', target, '--head', head, '--base', base, '--json', ...extra], {
          home: home.dir,
          env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.url },
          timeoutMs: 180_000,
        }),
      );
      expect(r.stdout.trim().startsWith('{'), r.stderr).toBe(true);
      const report = reportFromJson(r.stdout);
      expect(processesWithMarker(report.id)).toEqual([]);
      expect(leftoversOf(home.dir, report.id)).toEqual([]);
      return { code: r.code, report, fake };
    }

    const clickAndReport = (button: RegExp, element: string, title: string): Turn[] => [
      (req) => reply(toolUse('browser_click', { ref: refIn(allText(req), button), element })),
      () =>
        reply(
          toolUse('report', {
            verdict: 'fail',
            summary: `${element} throws.`,
            findings: [
              {
                severity: 'error',
                title,
                // Quoting the error the browser saw ties the agent's finding to it (and so to the replay).
                detail: `Clicking ${element} throws TypeError: Cannot set properties of null (setting 'value').`,
                steps: [`Click ${element}`],
                evidence: [],
              },
            ],
          }),
        ),
    ];

    it('finds the failure already on the base: pre-existing, and the change passes', async () => {
      const turns = clickAndReport(/button "Save"/, 'Save button', 'Save throws a TypeError');
      const { code, report, fake } = await withAgent(repo.path, 'feature/wording', 'main', turns);
      const finding = report.findings.find((f) => f.title === 'Save throws a TypeError');
      expect(finding).toMatchObject({ origin: 'pre-existing', source: 'agent' });
      expect(finding?.evidence).toEqual(
        expect.arrayContaining([expect.stringContaining('Replayed on the base')]),
      );
      expect(report.comparison?.replays).toEqual([expect.objectContaining({ reproducedOnBase: true })]);
      expect(report.verdict).toBe('pass');
      expect(code).toBe(0);
      // The replay cost no model request: only the two scripted turns were asked for.
      expect(fake.requests).toHaveLength(turns.length);
    });

    it('finds the failure new where the base has no such feature: the change fails', async () => {
      const turns: Turn[] = [
        (req) =>
          reply(
            toolUse('browser_type', {
              ref: refIn(allText(req), /searchbox "Search notes"/),
              element: 'Search notes box',
              text: 'stand',
            }),
          ),
        ...clickAndReport(/button "Clear search"/, 'Clear search button', 'Clear search throws'),
      ];
      // The base's crawl is the one cached by the crawl-only run of this branch: its app starts for
      // the replay alone.
      await featureStats();
      const { code, report, fake } = await withAgent(demo, 'feature/stats', 'main', turns, []);
      expect(report.comparison?.cached).toBe(true);
      const finding = report.findings.find((f) => f.title === 'Clear search throws');
      expect(finding).toMatchObject({ origin: 'new', severity: 'error' });
      expect(report.comparison?.replays).toEqual([expect.objectContaining({ reproducedOnBase: false })]);
      expect(report.comparison?.replays?.[0]?.detail).toContain('cannot be done on the base');
      expect(report.verdict).toBe('fail');
      expect(code).toBe(1);
      expect(fake.requests).toHaveLength(turns.length);
    });
  });
});
