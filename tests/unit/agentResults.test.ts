// The agent's run as findings: the agent's word, plus what the browser itself saw after its actions.
import { describe, expect, it } from 'vitest';
import type { AgentAction, AgentRunResult } from '../../src/agent/loop.js';
import { buildPlaywrightConfig, buildReproduceSpec } from '../../src/agent/reproduce.js';
import { agentFindings, agentIncompleteReason } from '../../src/agent/results.js';
import type { StepProblems } from '../../src/browser/agentTab.js';
import { findingKeys } from '../../src/report/identity.js';
import type { Finding } from '../../src/report/model.js';

const origin = 'http://127.0.0.1:4123';
const none: StepProblems = {
  pageErrors: [],
  consoleErrors: [],
  failedRequests: [],
  blockedRequests: [],
  dialogs: [],
};
const thrown = (message: string): StepProblems => ({ ...none, pageErrors: [message] });

const actions: AgentAction[] = [
  {
    n: 0,
    action: { tool: 'browser_navigate', args: { path: '/' } },
    step: 'Open /',
    problems: none,
    page: '/',
  },
  {
    n: 1,
    action: {
      tool: 'browser_click',
      args: { locator: "getByRole('button', { name: 'Clear' })", element: 'Clear button' },
    },
    step: 'Click Clear button',
    problems: thrown("TypeError: Cannot set properties of null (setting 'value') (at /app.js:9:3)"),
    page: '/',
  },
  {
    n: 2,
    action: { tool: 'browser_navigate', args: { path: '/stats.html' } },
    step: 'Open /stats.html',
    problems: {
      ...thrown("TypeError: Cannot read properties of undefined (reading 'notes') (at /stats.js:5:67)"),
      failedRequests: [{ method: 'GET', url: `${origin}/api/stats`, status: 500 }],
    },
    page: '/stats.html',
  },
];

const run = (report: AgentRunResult['report'], extra: Partial<AgentRunResult> = {}): AgentRunResult => ({
  report,
  stoppedBy: report ? 'report' : 'steps',
  turns: [],
  usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
  actions: actions.slice(1),
  problems: [],
  screenshots: [],
  durationMs: 0,
  ...extra,
});

const crawl: Finding[] = [
  {
    severity: 'error',
    kind: 'page-error',
    title: "Uncaught TypeError: Cannot read properties of undefined (reading 'notes') (at /stats.js:5:67)",
    detail: '',
    evidence: [],
    source: 'crawl',
    // The crawl saw it while the page loaded, at another line of the same file (a rebuilt bundle).
    key: findingKeys.pageError(
      "TypeError: Cannot read properties of undefined (reading 'notes') (at /stats.js:7:12)",
    ),
  },
  {
    severity: 'error',
    kind: 'failed-request',
    title: 'GET /api/stats returned HTTP 500',
    detail: '',
    evidence: [],
    source: 'crawl',
    key: findingKeys.request('GET', 'http://127.0.0.1:5999/api/stats', 503, ['http://127.0.0.1:5999']),
  },
];

describe('agentFindings', () => {
  it('turns an error seen after an action into a finding with the steps that led to it, skipping what the crawl saw', () => {
    const findings = agentFindings({
      run: run(null, { reason: 'the step budget (3 steps) ran out' }),
      actions,
      crawlFindings: crawl,
      appOrigin: origin,
    });
    expect(findings).toEqual([
      {
        severity: 'error',
        kind: 'page-error',
        title: "Uncaught TypeError: Cannot set properties of null (setting 'value') (at /app.js:9:3)",
        page: '/',
        detail:
          "Uncaught TypeError: Cannot set properties of null (setting 'value') (at /app.js:9:3) was thrown after: Click Clear button. The browser saw it while the AI agent explored the app.",
        evidence: ["Page error: TypeError: Cannot set properties of null (setting 'value') (at /app.js:9:3)"],
        steps: [
          'Open /',
          'Click Clear button',
          "Observe the uncaught error in the browser console: TypeError: Cannot set properties of null (setting 'value') (at /app.js:9:3)",
        ],
        source: 'agent',
        key: "page-error|TypeError: Cannot set properties of null (setting 'value') (at /app.js)",
      },
    ]);
    expect(agentIncompleteReason(run(null, { reason: 'the step budget (3 steps) ran out' }))).toBe(
      'the step budget (3 steps) ran out',
    );
  });

  it("joins the observed error to the agent's own finding about it, with the app origin cut from its texts", () => {
    const findings = agentFindings({
      run: run({
        verdict: 'fail',
        summary: 'Clear is broken.',
        findings: [
          {
            severity: 'error',
            title: 'Clear throws',
            detail: `On ${origin}/ clicking Clear throws "Cannot set properties of null".`,
            steps: [`Open ${origin}/`, 'Click Clear'],
            evidence: ['agent/step-02.png', 'agent/step-02.png'],
          },
        ],
      }),
      actions,
      crawlFindings: crawl,
      appOrigin: origin,
    });
    expect(findings).toEqual([
      {
        severity: 'error',
        kind: 'agent',
        title: 'Clear throws',
        detail: 'On / clicking Clear throws "Cannot set properties of null".',
        steps: ['Open /', 'Click Clear'],
        evidence: [
          'agent/step-02.png',
          "Page error: TypeError: Cannot set properties of null (setting 'value') (at /app.js:9:3)",
        ],
        source: 'agent',
        key: 'agent|clear throws',
      },
    ]);
  });

  it('says why a run without a verdict of its own is incomplete', () => {
    expect(
      agentIncompleteReason(run({ verdict: 'inconclusive', summary: 'Needs a login.\nMore.', findings: [] })),
    ).toBe('the AI agent could not decide: Needs a login.');
    expect(agentIncompleteReason(run({ verdict: 'pass', summary: 'ok', findings: [] }))).toBeUndefined();
  });
});

describe('reproduce.spec.ts', () => {
  it('puts page and model text into the file only as string literals', () => {
    const evil = `x"); require('child_process').execSync('touch /tmp/pwned'); ("`;
    const spec = buildReproduceSpec({
      actions: [
        actions[0]!,
        {
          n: 1,
          action: { tool: 'browser_type', args: { locator: null, element: evil, text: evil, submit: true } },
          step: `Type into ${evil}`,
          problems: none,
          page: '/',
        },
        {
          n: 2,
          action: { tool: 'browser_press_key', args: { key: evil } },
          step: 'Press',
          problems: none,
          page: '/',
        },
        {
          n: 3,
          action: { tool: 'browser_wait_for', args: { text: evil, gone: false } },
          step: 'Check',
          problems: none,
          page: '/',
        },
      ],
      title: evil,
      jobId: 'job\nrequire("x")',
      target: 'feature/x',
    });
    // Every occurrence is inside a JSON string literal, so none can end it.
    for (const line of spec.split('\n')) {
      if (!line.includes('execSync')) continue;
      expect(line).toContain(JSON.stringify(evil).slice(1, -1));
    }
    expect(spec).toContain('No stable locator for');
    expect(spec).not.toMatch(/^require/m);
    expect(spec.split('\n')[0]).toBe(
      '// Generated by myfav-coworker (job job require("x")) from the AI agent\'s steps on feature/x.',
    );
  });

  it('writes a config that needs BASE_URL and falls back from a missing browser', () => {
    const config = buildPlaywrightConfig('/no/such/chrome');
    expect(config).toContain("if (!baseURL) throw new Error('Set BASE_URL");
    expect(config).toContain('const browser = process.env.MYFAV_BROWSER_PATH || "/no/such/chrome";');
    expect(config).toContain(
      '...(browser && existsSync(browser) ? { launchOptions: { executablePath: browser } } : {})',
    );
  });
});
