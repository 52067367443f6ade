// Replaying the agent's recorded steps without the model (src/browser/replay.ts), as a job does on the
// base commit to tell a new failure from one that was already there: steps recorded on one server of the
// demo's feature/stats (where "Clear search" throws) are stored as JSON and replayed on other servers —
// another copy of the buggy branch, a fixed copy, and main, where the search box does not exist.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoRepo } from '../../fixtures/buildDemoRepo.js';
import { git } from '../../fixtures/isolatedGit.js';
import { parseToolCall, runBrowserTool } from '../../src/agent/tools.js';
import { openAgentTab, type ToolOutcome } from '../../src/browser/agentTab.js';
import { discoverBrowser } from '../../src/browser/discover.js';
import { type ReplayInputStep, replayRecordedSteps } from '../../src/browser/replay.js';
import { openBrowserSession } from '../../src/browser/session.js';
import type { BrowserExecutable } from '../../src/browser/types.js';
import { serveDemoCheckout } from '../helpers/demoServer.js';

const CLEAR_SEARCH_ERROR = "TypeError: Cannot set properties of null (setting 'value')";

describe('replaying recorded steps on another app', () => {
  let work: string;
  let repo: string;
  let executable: BrowserExecutable;
  const servers: ChildProcess[] = [];
  let stored: string;

  async function checkout(ref: string, name: string): Promise<string> {
    const dir = path.join(work, name);
    await git(repo, ['worktree', 'add', '--quiet', '--detach', dir, ref]);
    return dir;
  }

  const serve = (dir: string): Promise<string> => serveDemoCheckout(dir, servers);

  /** Open a page of a fresh session on `origin` and replay the stored steps there. */
  async function replayOn(origin: string) {
    const session = await openBrowserSession({ executable, origin });
    try {
      const page = await session.newPage();
      const steps = JSON.parse(stored) as ReplayInputStep[];
      return await replayRecordedSteps(page, steps, { baseUrl: `${origin}/` });
    } finally {
      await session.close();
    }
  }

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'myfav-test-replay-'));
    repo = (await buildDemoRepo(path.join(work, 'demo'))).repoPath;
    executable = await discoverBrowser();

    // The agent's run, recorded on one server of the branch.
    const recordedOn = await serve(await checkout('feature/stats', 'recorded'));
    const session = await openBrowserSession({ executable, origin: recordedOn });
    try {
      const tab = await openAgentTab(session, `${recordedOn}/`, { artifactDir: work });
      const actions: { n: number; outcome: ToolOutcome }[] = [{ n: 0, outcome: tab.initial }];
      const run = async (n: number, name: string, input: Record<string, unknown>) => {
        const last = actions[actions.length - 1]!.outcome.text;
        const filled = Object.fromEntries(
          Object.entries(input).map(([k, v]) => [
            k,
            v instanceof RegExp
              ? new RegExp(`${v.source} \\[ref=(\\w+)\\]`).exec(`${tab.initial.text}\n${last}`)![1]
              : v,
          ]),
        );
        const parsed = parseToolCall(name, filled);
        if (parsed.kind !== 'browser') throw new Error(JSON.stringify(parsed));
        actions.push({
          n,
          outcome: await runBrowserTool(tab, parsed.name, parsed.input, { label: `step-${n}` }),
        });
      };
      await run(1, 'browser_type', {
        ref: /searchbox "Search notes"/,
        element: 'Search notes',
        text: 'stand',
      });
      await run(2, 'browser_click', { ref: /button "Clear search"/, element: 'Clear search' });
      await tab.close();
      expect(actions[2]!.outcome.problems.pageErrors[0]).toContain(CLEAR_SEARCH_ERROR);
      // What a job would store: plain JSON, paths rather than URLs.
      stored = JSON.stringify(actions.map(({ n, outcome }) => ({ n, action: outcome.action })));
    } finally {
      await session.close();
    }
    expect(stored).not.toContain(recordedOn);
  }, 120_000);

  afterAll(() => {
    for (const s of servers) s.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });

  it('stores steps as plain JSON: a path to open, locators as code', () => {
    expect(JSON.parse(stored)).toEqual([
      { n: 0, action: { tool: 'browser_navigate', args: { path: '/' } } },
      {
        n: 1,
        action: {
          tool: 'browser_type',
          args: {
            locator: "getByRole('searchbox', { name: 'Search notes' })",
            element: 'Search notes',
            text: 'stand',
            submit: false,
          },
        },
      },
      {
        n: 2,
        action: {
          tool: 'browser_click',
          args: { locator: "getByRole('button', { name: 'Clear search' })", element: 'Clear search' },
        },
      },
    ]);
  });

  it('sees the failure again on another server of the same branch, after the step that causes it', async () => {
    const result = await replayOn(await serve(await checkout('feature/stats', 'again')));
    expect(result.steps.map((s) => `${s.n} ${s.tool} ${s.ok}`)).toEqual([
      '0 browser_navigate true',
      '1 browser_type true',
      '2 browser_click true',
    ]);
    expect(result.steps[1]!.pageErrors).toEqual([]);
    expect(result.steps[2]!.pageErrors).toEqual([expect.stringContaining(CLEAR_SEARCH_ERROR)]);
    expect(result.pageErrors).toEqual(result.steps[2]!.pageErrors);
  });

  it('sees no failure once the bug is fixed', async () => {
    const dir = await checkout('feature/stats', 'fixed');
    const appJs = path.join(dir, 'public', 'app.js');
    writeFileSync(
      appJs,
      readFileSync(appJs, 'utf8').replace(
        "document.querySelector('#search')",
        "document.querySelector('#note-search')",
      ),
    );
    const result = await replayOn(await serve(dir));
    expect(result.steps.every((s) => s.ok)).toBe(true);
    expect(result.steps).toHaveLength(3);
    expect(result.pageErrors).toEqual([]);
  });

  it('stops at the first step that cannot be done where the feature does not exist', async () => {
    const result = await replayOn(await serve(await checkout('main', 'base')));
    expect(result.steps.map((s) => `${s.tool} ${s.ok}`)).toEqual([
      'browser_navigate true',
      'browser_type false',
    ]);
    expect(result.steps[1]!.error).toMatch(/timed out after 5 s/);
    expect(result.pageErrors).toEqual([]);
  });

  it('refuses a stored step that would leave the app', async () => {
    const session = await openBrowserSession({ executable, origin: 'http://127.0.0.1:9' });
    try {
      const page = await session.newPage();
      const result = await replayRecordedSteps(
        page,
        [{ n: 0, action: { tool: 'browser_navigate', args: { path: 'http://example.com/' } } }],
        { baseUrl: 'http://127.0.0.1:9/' },
      );
      expect(result.steps).toEqual([
        {
          n: 0,
          tool: 'browser_navigate',
          ok: false,
          error: 'http://example.com/ is not a path on the app',
          pageErrors: [],
        },
      ]);
    } finally {
      await session.close();
    }
  });
});
