// The AI QA coworker on the demo, as a user runs it: the real binary, git, the demo's server, Chromium and
// SQLite, and the real Anthropic SDK talking to the fake Messages API (ANTHROPIC_BASE_URL). A scripted
// "Claude" reads refs out of what it is sent, types in the new search box, clicks "Clear search" (which
// throws on feature/stats) and reports. The Playwright test generated from its steps then runs red against
// the buggy branch and green against a fixed copy.
import { type ChildProcess, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoRepo } from '../../fixtures/buildDemoRepo.js';
import { git } from '../../fixtures/isolatedGit.js';
import type { Report } from '../../src/report/model.js';
import {
  allText,
  type FakeAnthropic,
  lastToolResults,
  refIn,
  reply,
  startFakeAnthropic,
  type Turn,
  text,
  toolUse,
} from '../fakes/fakeAnthropic.js';
import { leftoversIn, repoRoot, reportFromJson, runCli, tempHome } from '../helpers/cli.js';
import { serveDemoCheckout } from '../helpers/demoServer.js';
import { processesWithMarker } from '../helpers/processes.js';

// Fake, and written in two parts so no committed line has a real token's shape (secret scanners).
const API_KEY = `sk-ant-${'e2e-test-key-0123456789'}`;
const CLEAR_SEARCH_ERROR = "TypeError: Cannot set properties of null (setting 'value')";

/** On feature/stats: search, clear the search (it throws), look at the console, take a screenshot, report. */
const failScript: Turn[] = [
  (req) =>
    reply(
      text('The change adds a note search. I will search, then clear it.'),
      toolUse('browser_type', {
        ref: refIn(allText(req), /searchbox "Search notes"/),
        element: 'Search notes box',
        text: 'stand',
      }),
    ),
  (req) =>
    reply(
      toolUse('browser_click', {
        ref: refIn(allText(req), /button "Clear search"/),
        element: 'Clear search button',
      }),
    ),
  () => reply(toolUse('browser_console_messages', {})),
  () => reply(toolUse('browser_screenshot', {})),
  (req) => {
    const shot = /saved as (agent\/\S+\.png)/.exec(lastToolResults(req)[0]?.text ?? '')?.[1] ?? 'missing.png';
    return reply(
      toolUse('report', {
        verdict: 'fail',
        summary: 'Searching works, but "Clear search" throws and leaves the search in place.',
        findings: [
          {
            severity: 'error',
            title: '"Clear search" throws a TypeError and does not clear the search',
            detail: `Clicking "Clear search" after searching throws ${CLEAR_SEARCH_ERROR}; the search box keeps its text and the list stays filtered.`,
            steps: ['Open /', 'Type "stand" into "Search notes"', 'Click "Clear search"'],
            evidence: [shot, CLEAR_SEARCH_ERROR],
          },
        ],
      }),
    );
  },
];

/** On main: add a note, check it shows, report pass. */
const passScript: Turn[] = [
  (req) =>
    reply(
      toolUse('browser_type', {
        ref: refIn(allText(req), /textbox "Note"/),
        element: 'Note box',
        text: 'Buy milk',
        submit: true,
      }),
    ),
  () => reply(toolUse('browser_wait_for', { text: 'Buy milk', seconds: 5 })),
  () => reply(toolUse('report', { verdict: 'pass', summary: 'Adding a note works.', findings: [] })),
];

let work: string;
let repo: string;
const home = tempHome();
// The run whose API keeps failing has a history of its own: in one history, a second simulation of
// feature/stats while the first runs is the same job (deduplicated), not a second run.
const brokenHome = tempHome();
const fakes: FakeAnthropic[] = [];
let failing: { code: number | null; report: Report; stderr: string; fake: FakeAnthropic };
let passing: { code: number | null; report: Report; fake: FakeAnthropic };
let broken: { code: number | null; report: Report; fake: FakeAnthropic };

async function simulate(head: string, turns: Turn[], repeatLast = false, homeDir = home.dir) {
  const fake = await startFakeAnthropic({ apiKey: API_KEY });
  fakes.push(fake);
  fake.script(turns, { repeatLast });
  const r = await runCli(['simulate', repo, '--head', head, '--base', 'main', '--json'], {
    home: homeDir,
    env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: fake.url },
    // A guard against a hang, not a speed check: three compared runs with the agent share 2 cores here.
    timeoutMs: 300_000,
  });
  expect(r.stdout.trim().startsWith('{'), r.stderr).toBe(true);
  return { code: r.code, report: reportFromJson(r.stdout), stderr: r.stderr, fake };
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'myfav-test-agent-demo-'));
  repo = (await buildDemoRepo(path.join(work, 'demo'))).repoPath;
  [failing, passing, broken] = await Promise.all([
    simulate('feature/stats', failScript),
    simulate('main', passScript),
    simulate(
      'feature/stats',
      [{ status: 500, type: 'api_error', message: 'Internal server error' }],
      true,
      brokenHome.dir,
    ),
  ]);
}, 330_000);

afterAll(async () => {
  for (const fake of fakes) await fake.close();
  rmSync(work, { recursive: true, force: true });
  home.cleanup();
  brokenHome.cleanup();
});

describe('simulate with the AI agent', () => {
  it('fails feature/stats with the agent finding "Clear search" broken, with steps and evidence', () => {
    const { code, report, stderr, fake } = failing;
    expect(fake.problems).toEqual([]);
    expect(report.error).toBeUndefined();
    expect(code).toBe(1);
    expect(report).toMatchObject({ status: 'completed', verdict: 'fail' });
    const agentFindings = report.findings.filter((f) => f.source === 'agent');
    expect(agentFindings).toEqual([
      expect.objectContaining({
        severity: 'error',
        kind: 'agent',
        title: '"Clear search" throws a TypeError and does not clear the search',
        steps: ['Open /', 'Type "stand" into "Search notes"', 'Click "Clear search"'],
        evidence: [
          'agent/step-04.png',
          CLEAR_SEARCH_ERROR,
          expect.stringMatching(/^Page error: TypeError: Cannot set properties of null/),
          // Replayed on main without the model: main has no search box, so the failure is the change's.
          expect.stringMatching(/^Replayed on the base: The agent's steps cannot be done on the base/),
        ],
        origin: 'new',
      }),
    ]);
    // The crawl's three findings are still there: one verdict from both.
    expect(report.findings.filter((f) => f.source === 'crawl' && f.severity === 'error')).toHaveLength(3);
    expect(report.agent).toMatchObject({
      ran: true,
      verdict: 'fail',
      transcript: 'agent/transcript.json',
      reproduceSpec: 'reproduce.spec.ts',
      reproduceConfig: 'playwright.config.mjs',
      usage: { model: 'claude-sonnet-5-5', steps: 5 },
    });
    expect(report.agent?.usage?.costUsd).toBeGreaterThan(0);
    expect(report.agent?.usage?.cacheReadTokens).toBeGreaterThan(0);
    expect(report.agent?.steps?.map((s) => s.tool)).toEqual([
      'browser_type',
      'browser_click',
      'browser_console_messages',
      'browser_screenshot',
      'report',
    ]);
    expect(report.summary).toMatch(
      /An AI agent also explored the app \(5 steps\); the agent's own verdict was fail\./,
    );
    expect(stderr).toMatch(/agent +step 2: browser_click "Clear search button" → ok/);

    const dir = report.artifacts.dir;
    expect(report.artifacts.screenshots).toContain('agent/step-04.png');
    expect(
      readFileSync(path.join(dir, 'agent', 'step-04.png'))
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<ol class="agent-steps">');
    expect(html).toContain('<img src="agent/step-04.png"');
    // The step that broke it says so, in both reports.
    expect(html).toMatch(
      /<code>browser_click<\/code> Clear search button <span class="status ok">ok<\/span><\/p>\n<p class="muted">Clicked Clear search button\.<\/p>\n<ul class="bad-text"><li>uncaught TypeError: Cannot set properties of null/,
    );
    expect(readFileSync(path.join(dir, 'report.md'), 'utf8')).toMatch(
      /\| 2 \| browser\\_click \| Clear search button \| ok; uncaught TypeError: Cannot set properties of null/,
    );
    expect(processesWithMarker(report.id)).toEqual([]);
    expect(leftoversIn(home.dir)).toEqual([]);
  });

  it('passes main when the agent finds the change works', () => {
    const { code, report, fake } = passing;
    expect(fake.problems).toEqual([]);
    expect(code).toBe(0);
    expect(report).toMatchObject({
      status: 'completed',
      verdict: 'pass',
      agent: { ran: true, verdict: 'pass' },
    });
    expect(report.agent?.steps?.[1]).toMatchObject({ tool: 'browser_wait_for', ok: true });
  });

  it('ends in error with a clear message when the API keeps failing, and leaves nothing running', () => {
    const { code, report, fake } = broken;
    expect(fake.requests).toHaveLength(3);
    expect(code).toBe(2);
    expect(report.status).toBe('error');
    expect(report.error).toMatchObject({
      code: 'AGENT_FAILED',
      message: expect.stringMatching(
        /^The Anthropic API kept failing: HTTP 500 api_error: Internal server error .*3 attempts\.$/,
      ),
      hint: expect.stringContaining('--no-agent'),
    });
    // The crawl's findings are kept.
    expect(report.findings.filter((f) => f.source === 'crawl').length).toBeGreaterThan(0);
    expect(processesWithMarker(report.id)).toEqual([]);
    expect(leftoversIn(brokenHome.dir)).toEqual([]);
  });

  it('never writes the API key into artifacts or the job history', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const p = path.join(dir, entry);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(home.dir);
    walk(brokenHome.dir);
    expect(files.some((f) => f.endsWith('transcript.json'))).toBe(true);
    for (const file of files) expect(readFileSync(file).includes(API_KEY), file).toBe(false);
  });
});

describe('reproduce.spec.ts from the agent steps', () => {
  let specDir: string;
  const servers: ChildProcess[] = [];

  beforeAll(() => {
    specDir = failing.report.artifacts.dir;
  });
  afterAll(() => {
    for (const s of servers) s.kill('SIGKILL');
  });

  /** `node server.js` of a checkout on a free port. */
  const serveCheckout = (dir: string): Promise<string> => serveDemoCheckout(dir, servers);

  async function checkout(ref: string, name: string): Promise<string> {
    const dir = path.join(work, name);
    await git(repo, ['worktree', 'add', '--quiet', '--detach', dir, ref]);
    return dir;
  }

  function runSpec(baseUrl: string): { code: number | null; output: string } {
    const r = spawnSync(
      process.execPath,
      [
        path.join(repoRoot, 'node_modules', '@playwright', 'test', 'cli.js'),
        'test',
        '--config',
        path.join(specDir, 'playwright.config.mjs'),
      ],
      {
        cwd: specDir,
        // The spec imports @playwright/test: resolve it from this checkout, as a project of the user's would.
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          BASE_URL: baseUrl,
          NODE_PATH: path.join(repoRoot, 'node_modules'),
          CI: '1',
        },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    return { code: r.status, output: `${r.stdout}${r.stderr}` };
  }

  it('replays the steps with role-based locators', () => {
    const spec = readFileSync(path.join(specDir, 'reproduce.spec.ts'), 'utf8');
    expect(spec).toContain("await page.getByRole('searchbox', { name: 'Search notes' }).fill(\"stand\");");
    expect(spec).toContain("await page.getByRole('button', { name: 'Clear search' }).click();");
    expect(spec).not.toMatch(/aria-ref|\[ref=/);
  });

  it('fails against feature/stats, where "Clear search" throws', async () => {
    const url = await serveCheckout(await checkout('feature/stats', 'spec-feature'));
    const { code, output } = runSpec(url);
    expect(code, output).toBe(1);
    expect(output).toContain(CLEAR_SEARCH_ERROR);
    expect(output).toMatch(/3\. Click Clear search button/);
  });

  it('passes once the bug is fixed', async () => {
    const dir = await checkout('feature/stats', 'spec-fixed');
    const appJs = path.join(dir, 'public', 'app.js');
    const source = readFileSync(appJs, 'utf8');
    expect(source).toContain("document.querySelector('#search')");
    writeFileSync(
      appJs,
      source.replace("document.querySelector('#search')", "document.querySelector('#note-search')"),
    );
    const url = await serveCheckout(dir);
    const { code, output } = runSpec(url);
    expect(code, output).toBe(0);
    expect(output).toMatch(/1 passed/);
    expect(existsSync(path.join(specDir, 'reproduce.spec.ts'))).toBe(true);
  });
});
