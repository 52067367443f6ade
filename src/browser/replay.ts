// The agent's recorded steps, done again on a page without the model: to tell whether a failure the
// agent found on the head commit is new or was already there on the base commit's app. Each step is
// replayed by the definition of the tool that recorded it (agentTools/), the same code the generated
// reproduce.spec.ts runs, and the page is watched the way the crawl and the agent watch theirs.
//
// Steps are plain JSON (storable) and origin-independent: navigation steps hold paths, resolved here
// against the origin of the page the caller opened (another server, another port).

import type { Page } from 'playwright-core';
import { throwIfCancelled } from '../errors.js';
import type { FailedRequest } from '../report/model.js';
import { ACTION_TIMEOUT_MS, watchQuiet } from './agentTab.js';
import { agentTool } from './agentTools/index.js';
import type { RecordedStep } from './agentTools/tool.js';
import { watchPage } from './pageWatch.js';
import { playwrightMessage } from './playwrightErrors.js';

export interface ReplayInputStep {
  /** The agent's call number (0: opening the start page); echoed in the result. */
  n: number;
  action: RecordedStep;
}

export interface ReplayedStep {
  n: number;
  tool: string;
  ok: boolean;
  /** Why the step could not be done (the element is not there, a text did not appear). */
  error?: string;
  /** Uncaught errors right after this step. */
  pageErrors: string[];
}

export interface ReplayResult {
  /** The steps done, in order; the replay stops after the first one that fails. */
  steps: ReplayedStep[];
  pageErrors: string[];
  consoleErrors: string[];
  /** Requests to the allowed origins that failed or answered ≥ 400 (not the page's own document). */
  failedRequests: FailedRequest[];
}

export interface ReplayOptions {
  signal?: AbortSignal;
  /** The app to replay on (its origin is used); default: the page's current URL. */
  baseUrl?: string;
  /** Which requests count as the app's (failed ones are reported); default: the base origin only. */
  isAllowedUrl?: (url: string) => boolean;
  /** Per-action timeout, set as the page's default; default 5 s (as the agent's). */
  timeoutMs?: number;
}

export async function replayRecordedSteps(
  page: Page,
  steps: readonly ReplayInputStep[],
  opts: ReplayOptions = {},
): Promise<ReplayResult> {
  const base = new URL(opts.baseUrl ?? page.url());
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new Error(`replayRecordedSteps needs the app's URL (baseUrl), not ${base.href}`);
  }
  const origin = base.origin;
  const isAllowedUrl =
    opts.isAllowedUrl ?? ((url: string) => URL.canParse(url) && new URL(url).origin === origin);
  const timeoutMs = opts.timeoutMs ?? ACTION_TIMEOUT_MS;
  page.setDefaultTimeout(timeoutMs);
  const watch = watchPage(page, { origin, isAllowedUrl });
  const quiet = watchQuiet(page);
  const result: ReplayResult = { steps: [], pageErrors: [], consoleErrors: [], failedRequests: [] };
  const ctx = {
    url(path: string): string {
      const target = new URL(path, origin);
      // A recorded path never leaves the app; a stored step that would is refused, not followed.
      if (target.origin !== origin) throw new Error(`${path} is not a path on the app`);
      return target.href;
    },
  };
  try {
    for (const { n, action } of steps) {
      throwIfCancelled(opts.signal);
      const replay = agentTool(action.tool)?.replay;
      let error: string | undefined;
      if (!replay) error = `${action.tool} steps cannot be replayed`;
      else {
        try {
          await replay.run(page, action.args, ctx);
          await quiet.settle();
        } catch (err) {
          error = playwrightMessage(err);
        }
      }
      const problems = watch.drain();
      result.pageErrors.push(...problems.pageErrors);
      result.consoleErrors.push(...problems.consoleErrors);
      result.failedRequests.push(...problems.failedRequests);
      result.steps.push({
        n,
        tool: action.tool,
        ok: error === undefined,
        ...(error !== undefined ? { error } : {}),
        pageErrors: problems.pageErrors,
      });
      if (error !== undefined) break;
    }
  } finally {
    watch.stop();
    quiet.stop();
  }
  return result;
}

/** The step as lines of the generated Playwright test (the same replay as above, as code). */
export function replayCode(action: RecordedStep): string[] {
  const replay = agentTool(action.tool)?.replay;
  return replay
    ? replay.code(action.args)
    : [
        `throw new Error(${JSON.stringify(`${action.tool} steps cannot be replayed: do this step by hand.`)});`,
      ];
}
