// The agent's tools on a heavy page (fixtures/large-page: an API reference, ~113k characters of
// Playwright snapshot) in real Chromium: the first view outlines the page but names the target inside
// an outline line, browser_find goes straight to it, a scripted model (the real SDK against the fake
// Messages API) clicks it within two steps, and no observation exceeds a quarter of Playwright's full
// snapshot of the same state. A run that checked a text had gone (hidden, still in the DOM) exports a
// reproduce.spec.ts that passes against another copy of the app.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentAction } from '../../src/agent/loop.js';
import { runAgentPhase } from '../../src/agent/phase.js';
import { buildPlaywrightConfig, buildReproduceSpec } from '../../src/agent/reproduce.js';
import { parseToolCall, runBrowserTool } from '../../src/agent/tools.js';
import { startStaticServer } from '../../src/app/staticServer.js';
import type { RunningApp } from '../../src/app/types.js';
import { type AgentTab, openAgentTab, type ToolOutcome } from '../../src/browser/agentTab.js';
import { discoverBrowser } from '../../src/browser/discover.js';
import { type BrowserSession, openBrowserSession } from '../../src/browser/session.js';
import type { BrowserExecutable } from '../../src/browser/types.js';
import { silentLogger } from '../../src/log.js';
import type { TargetInfo } from '../../src/report/model.js';
import {
  allText,
  type FakeAnthropic,
  lastToolResults,
  reply,
  startFakeAnthropic,
  toolUse,
} from '../fakes/fakeAnthropic.js';
import { repoRoot } from '../helpers/cli.js';

const API_KEY = `sk-ant-${'test-large-page-0123456789'}`;
const LARGE_PAGE = path.join(repoRoot, 'fixtures', 'large-page');
/** The observation budget: at most this share of Playwright's full snapshot of the same state. */
const BUDGET = 0.25;
const TARGET = /button "Issue refund" \[ref=([a-z0-9]+)\]/;

function call(tab: AgentTab, name: string, input: unknown, n = 1): Promise<ToolOutcome> {
  const parsed = parseToolCall(name, input);
  if (parsed.kind !== 'browser') throw new Error(`bad call ${name}: ${JSON.stringify(parsed)}`);
  return runBrowserTool(tab, parsed.name, parsed.input, { label: `step-${n}` });
}

function expectWithinBudget(outcome: { observation: ToolOutcome['observation'] }): void {
  const { fullChars, sentChars, kind } = outcome.observation;
  if (kind === 'none') return;
  expect(fullChars).toBeGreaterThan(100_000);
  expect(sentChars, `${kind}: ${sentChars} of ${fullChars}`).toBeLessThanOrEqual(fullChars * BUDGET);
}

describe('the agent on a large page', () => {
  let root: string;
  let executable: BrowserExecutable;
  let app: RunningApp;
  let session: BrowserSession;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'myfav-large-'));
    executable = await discoverBrowser();
    app = await startStaticServer(LARGE_PAGE);
    session = await openBrowserSession({ executable, origin: app.origin });
  });

  afterAll(async () => {
    await session?.close();
    await app?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  describe('tools on the tab', () => {
    let tab: AgentTab;
    beforeEach(async () => {
      tab = await openAgentTab(session, `${app.origin}/`, { artifactDir: root });
    });
    afterEach(async () => {
      await tab?.close();
    });

    it('names the target in an outline line of the first view, and browser_find returns its ref', async () => {
      const first = tab.initial;
      expect(first.ok).toBe(true);
      expect(first.observation.kind).toBe('full');
      expectWithinBudget(first);
      const line = first.text.split('\n').find((l) => TARGET.test(l));
      // Not shown as its own line: named inside the outline of the part that holds it.
      expect(line).toMatch(
        /^\s*- form "Refund a payment" \[ref=\w+\] … \d+ lines inside: .*button "Issue refund"/,
      );
      const outlined = TARGET.exec(line!)![1];

      const found = await call(tab, 'browser_find', { text: 'issue refund' });
      expect(found.ok).toBe(true);
      expect(found.observation.kind).toBe('find');
      expectWithinBudget(found);
      expect(found.text).toMatch(
        /^1 element\(s\) on the page match "issue refund":\n- button "Issue refund" \[ref=(\w+)\] — under .*heading "Refunds"/,
      );
      expect(TARGET.exec(found.text)?.[1]).toBe(outlined);

      // With a role, only that role; many matches are capped and say so.
      const headings = await call(tab, 'browser_find', { text: 'billing', role: 'heading' });
      expect(headings.text).toMatch(/^11 element\(s\) on the page match "billing" with role heading:/);
      expect(headings.text).not.toMatch(/- button/);
      const many = await call(tab, 'browser_find', { text: 'scope' });
      expect(many.text).toMatch(
        /^\d+ element\(s\) .*\(the first 20 shown: narrow the text or give a role\):/,
      );
      expectWithinBudget(many);

      // The part's one ref expands it; a big part is fitted, not sent whole.
      const formRef = /form "Refund a payment" \[ref=(\w+)\]/.exec(first.text)![1];
      const part = await call(tab, 'browser_snapshot', { ref: formRef });
      expect(part.text).toContain(`button "Issue refund" [ref=${outlined}]`);
      const groups = /region "Billing" \[ref=(\w+)\]/.exec(first.text)![1];
      const big = await call(tab, 'browser_snapshot', { ref: groups });
      expect(big.observation.kind).toBe('part');
      expectWithinBudget(big);

      const click = await call(tab, 'browser_click', { ref: outlined, element: 'Issue refund button' });
      expect(click.ok).toBe(true);
      expect(click.text).toContain('Refund issued for pay_1001.');
      expectWithinBudget(click);
    });
  });

  it('a scripted model reaches the target with browser_find and clicks it, every observation within budget', async () => {
    const fake: FakeAnthropic = await startFakeAnthropic({ apiKey: API_KEY });
    const savedBaseUrl = process.env.ANTHROPIC_BASE_URL;
    process.env.ANTHROPIC_BASE_URL = fake.url;
    try {
      let findResult = '';
      fake.script([
        () => reply(toolUse('browser_find', { text: 'refund', role: 'button' })),
        (req) => {
          findResult = lastToolResults(req)[0]!.text;
          return reply(
            toolUse('browser_click', { ref: TARGET.exec(findResult)![1], element: 'Issue refund button' }),
          );
        },
        (req) => {
          expect(allText(req)).toContain('Refund issued for pay_1001.');
          return reply(toolUse('report', { verdict: 'pass', summary: 'Refunds work.', findings: [] }));
        },
      ]);
      const artifactDir = await mkdtemp(path.join(root, 'job-'));
      const target: TargetInfo = {
        kind: 'local',
        input: '/repo',
        repo: '/repo',
        headRef: 'feature/refunds',
        headSha: 'a'.repeat(40),
        changedFiles: ['app.js'],
        commits: [{ sha: 'c'.repeat(40), subject: 'Add the refund form' }],
      };
      const result = await runAgentPhase({
        session,
        appUrl: `${app.origin}/`,
        target,
        crawlFindings: [],
        request: { enabled: true },
        jobId: 'job-large',
        artifactDir,
        configDir: path.join(root, 'no-config'),
        signal: new AbortController().signal,
        logger: silentLogger,
        env: { ANTHROPIC_API_KEY: API_KEY },
      });
      expect(fake.problems).toEqual([]);
      expect(findResult).toMatch(/^2 element\(s\) on the page match "refund" with role button:/);
      expect(result.summary).toMatchObject({ ran: true, verdict: 'pass', usage: { steps: 3 } });
      expect(result.summary.steps?.map((s) => `${s.tool} ${s.ok}`)).toEqual([
        'browser_find true',
        'browser_click true',
        'report true',
      ]);
      const transcript = JSON.parse(
        await readFile(path.join(artifactDir, 'agent', 'transcript.json'), 'utf8'),
      );
      expectWithinBudget(transcript.start);
      for (const turn of transcript.turns)
        for (const c of turn.calls) if (c.observation) expectWithinBudget(c);
      const spec = await readFile(path.join(artifactDir, 'reproduce.spec.ts'), 'utf8');
      expect(spec).toContain("await page.getByRole('button', { name: 'Issue refund' }).click();");
    } finally {
      if (savedBaseUrl === undefined) delete process.env.ANTHROPIC_BASE_URL;
      else process.env.ANTHROPIC_BASE_URL = savedBaseUrl;
      await fake.close();
    }
  });

  it('a text checked gone while still in the DOM (hidden) is gone in reproduce.spec.ts too', async () => {
    const tab = await openAgentTab(session, `${app.origin}/`, { artifactDir: root });
    const actions: AgentAction[] = [];
    const keep = (n: number, o: ToolOutcome) => {
      expect(o.ok, o.text).toBe(true);
      if (o.action && o.step)
        actions.push({ n, action: o.action, step: o.step, problems: o.problems, page: o.page });
    };
    try {
      keep(0, tab.initial);
      const button = /button "Show response schema" \[ref=(\w+)\]/.exec(tab.initial.text)![1];
      keep(1, await call(tab, 'browser_click', { ref: button, element: 'Show response schema' }));
      keep(2, await call(tab, 'browser_wait_for', { text: '"created_at"' }));
      keep(3, await call(tab, 'browser_click', { ref: button, element: 'Show response schema' }));
      // 80 hidden schemas hold the text: "gone" means none is visible.
      keep(4, await call(tab, 'browser_wait_for', { textGone: '"created_at"', seconds: 2 }));
    } finally {
      await tab.close();
    }
    expect(actions.map((a) => a.step)).toEqual([
      'Open /',
      'Click Show response schema',
      'Check that "\\"created_at\\"" is shown',
      'Click Show response schema',
      'Check that "\\"created_at\\"" is no longer shown',
    ]);
    const dir = await mkdtemp(path.join(root, 'spec-'));
    await writeFile(
      path.join(dir, 'reproduce.spec.ts'),
      buildReproduceSpec({ actions, title: 'the schema toggles', jobId: 'job-spec', target: 'large page' }),
    );
    await writeFile(path.join(dir, 'playwright.config.mjs'), buildPlaywrightConfig(executable.path));
    const other = await startStaticServer(LARGE_PAGE);
    try {
      // Asynchronously: the app answering the test runs in this process.
      const r = await promisify(execFile)(
        process.execPath,
        [
          path.join(repoRoot, 'node_modules', '@playwright', 'test', 'cli.js'),
          'test',
          '--config',
          'playwright.config.mjs',
        ],
        {
          cwd: dir,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            BASE_URL: other.origin,
            NODE_PATH: path.join(repoRoot, 'node_modules'),
            CI: '1',
          },
          encoding: 'utf8',
          timeout: 150_000,
        },
      ).catch((err: { stdout?: string; stderr?: string }) => {
        throw new Error(`reproduce.spec.ts failed:\n${err.stdout}${err.stderr}`);
      });
      expect(r.stdout).toMatch(/1 passed/);
    } finally {
      await other.stop();
    }
  }, 180_000);
});
