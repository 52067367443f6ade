import { describe, expect, it } from 'vitest';
import type { Finding, PageResult, TargetInfo } from '../../src/report/model.js';
import { decideVerdict, type SummaryInput, summarize } from '../../src/report/verdict.js';

function finding(severity: Finding['severity'], title: string): Finding {
  return { severity, kind: 'note', title, detail: title, evidence: [], source: 'crawl' };
}

function pages(count: number): PageResult[] {
  return Array.from({ length: count }, (_, i) => ({
    url: `http://127.0.0.1:4000/p${i}`,
    path: `/p${i}`,
    status: 200,
    title: '',
    via: 'link',
    loadMs: 10,
    pageErrors: [],
    consoleErrors: [],
    failedRequests: [],
    links: [],
  }));
}

const headSha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const target: TargetInfo = {
  kind: 'github',
  input: 'https://github.com/acme/web/pull/42',
  repo: 'github.com/acme/web',
  headRef: 'feature/stats',
  headSha,
  baseRef: 'main',
  baseSha: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
  changedFiles: ['public/stats.html'],
  pr: {
    number: 42,
    url: 'https://github.com/acme/web/pull/42',
    title: 'Add a stats page',
    body: '',
    author: 'octocat',
    state: 'open',
    draft: false,
    headRepo: 'acme/web',
    isFork: false,
  },
};

function input(overrides: Partial<SummaryInput> = {}): SummaryInput {
  return { status: 'completed', verdict: 'pass', target, findings: [], pages: pages(3), ...overrides };
}

describe('decideVerdict', () => {
  it('passes when nothing was found', () => {
    expect(decideVerdict([])).toBe('pass');
    expect(decideVerdict([], {})).toBe('pass');
  });

  it('passes with warnings only: console noise is evidence, not a verdict', () => {
    expect(decideVerdict([finding('warning', 'Console error: x'), finding('info', 'note')])).toBe('pass');
  });

  it('fails on any error-severity finding, even when the run was incomplete', () => {
    expect(decideVerdict([finding('warning', 'w'), finding('error', 'e')])).toBe('fail');
    expect(decideVerdict([finding('error', 'e')], { incompleteReason: 'the step budget ran out' })).toBe(
      'fail',
    );
  });

  it('is inconclusive when nothing broke but the run was incomplete', () => {
    expect(decideVerdict([], { incompleteReason: 'the entry page never loaded' })).toBe('inconclusive');
    expect(decideVerdict([finding('warning', 'w')], { incompleteReason: 'budget' })).toBe('inconclusive');
  });
});

describe('summarize', () => {
  it('says what was tested, the verdict, counts and the top problems of a failed run', () => {
    const text = summarize(
      input({
        verdict: 'fail',
        findings: [
          finding('warning', 'Console error: noise'),
          finding('error', 'GET /api/stats returned HTTP 500'),
          finding('error', 'Uncaught TypeError: x is undefined'),
          finding('error', '/old.html returned HTTP 404'),
          finding('info', 'A note'),
        ],
        agent: { ran: false, reason: 'No Anthropic API key (ANTHROPIC_API_KEY) is set' },
      }),
    );
    expect(text).toContain('PR #42 “Add a stats page”');
    expect(text).toContain('feature/stats @ a1b2c3d');
    expect(text).not.toContain(headSha);
    expect(text).toContain('base main @ 9f8e7d6');
    expect(text).toContain('visited 3 pages');
    expect(text).toContain('Verdict: fail.');
    expect(text).toContain('3 errors, 1 warning and 1 note');
    // Errors first, in the order given, then "and N more".
    expect(text).toContain(
      'GET /api/stats returned HTTP 500; Uncaught TypeError: x is undefined; /old.html returned HTTP 404; and 1 more.',
    );
    expect(text).toContain('No AI exploration ran: no Anthropic API key (ANTHROPIC_API_KEY) is set.');
    expect(text).not.toContain('\n');
  });

  it('says a clean run passed and found nothing', () => {
    const text = summarize(
      input({ target: { ...target, pr: undefined, kind: 'local', repo: '/home/me/web' } }),
    );
    expect(text).toBe(
      'Tested feature/stats @ a1b2c3d, base main @ 9f8e7d6 in /home/me/web and visited 3 pages. ' +
        'Verdict: pass. No problems were found. No AI exploration ran.',
    );
  });

  it('gives the reason of an inconclusive verdict', () => {
    const text = summarize(
      input({ verdict: 'inconclusive', pages: [], incompleteReason: 'the entry page never loaded' }),
    );
    expect(text).toContain('could not visit any page');
    expect(text).toContain('Verdict: inconclusive (the entry page never loaded).');
  });

  it('mentions the AI exploration when it ran', () => {
    const text = summarize(
      input({
        agent: {
          ran: true,
          verdict: 'pass',
          usage: {
            model: 'claude-sonnet-5-5',
            steps: 14,
            inputTokens: 1,
            outputTokens: 1,
            cacheReadTokens: 0,
            cacheWriteTokens: 0,
            costUsd: 0.12,
          },
        },
      }),
    );
    expect(text).toContain("An AI agent also explored the app (14 steps); the agent's own verdict was pass.");
    expect(text).not.toContain('No AI exploration');
  });

  it('says what failed when the pipeline itself errored, with what to do', () => {
    const text = summarize(
      input({
        status: 'error',
        verdict: null,
        pages: [],
        error: {
          code: 'INSTALL_FAILED',
          message: 'npm ci exited with code 1 in apps/web\nnpm ERR! missing package-lock.json',
          hint: 'Run npm ci in apps/web yourself to see the full error',
        },
      }),
    );
    expect(text).toBe(
      'Could not finish testing PR #42 “Add a stats page” (feature/stats @ a1b2c3d, base main @ 9f8e7d6) in github.com/acme/web: ' +
        'npm ci exited with code 1 in apps/web (INSTALL_FAILED). What to do: Run npm ci in apps/web yourself to see the full error.',
    );
    expect(text).not.toContain('Verdict');
  });

  it('says a cancelled run has no verdict', () => {
    expect(summarize(input({ status: 'cancelled', verdict: null, pages: pages(1) }))).toContain(
      'was cancelled before it finished (visited 1 page so far); there is no verdict.',
    );
  });
});
