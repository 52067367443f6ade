// The agent phase of a job, after the smoke crawl, in the crawl's browser session (so the job's trace
// covers the agent's steps too): decide whether it runs, give Claude the change and the app, let it
// explore within its budgets, and turn the outcome into findings, a summary, a transcript and a
// replayable Playwright test. Only cancellation and a dead browser throw; an API that keeps failing
// comes back as `error`, for the job to end in `error` once the agent's part of the report is recorded.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type AgentTab, openAgentTab } from '../browser/agentTab.js';
import type { ReplayInputStep } from '../browser/replay.js';
import type { BrowserSession } from '../browser/session.js';
import type { CoworkerError } from '../errors.js';
import { type FilePatch, readPatches } from '../git/patches.js';
import type { Logger } from '../log.js';
import { redactSecrets } from '../redact.js';
import { describeHead, firstLine } from '../report/format.js';
import type { AgentSummary, Finding, TargetInfo } from '../report/model.js';
import { createAnthropicClient } from './client.js';
import { type AgentAction, runAgentLoop } from './loop.js';
import { estimateCost } from './pricing.js';
import { buildContext, SYSTEM_PROMPT } from './prompt.js';
import { buildPlaywrightConfig, buildReproduceSpec } from './reproduce.js';
import {
  agentFindings,
  agentIncompleteReason,
  agentSummary,
  type ReplayPoint,
  replayPoints,
} from './results.js';
import type { AgentOptions } from './settings.js';
import { resolveAgentSettings } from './settings.js';

export interface AgentPhaseInput {
  session: BrowserSession;
  /** Where the agent starts (the app's entry URL). */
  appUrl: string;
  target: TargetInfo;
  crawlFindings: readonly Finding[];
  /** --instructions (trusted) and the repository config's `instructions` (part of the branch: a hint). */
  userInstructions?: string | undefined;
  repoInstructions?: string | undefined;
  request: AgentOptions;
  jobId: string;
  artifactDir: string;
  /** The user's config dir (API key and model may be set there). */
  configDir: string;
  /** A git directory with the base and head commits, for the diff. */
  gitDir?: string;
  /** Pull requests: the changed files with patches as GitHub lists them (preferred over `git diff`). */
  changes?: readonly { path: string; patch?: string; patchTruncated?: boolean }[] | undefined;
  /** Browser the generated test should use when run here. */
  browserPath?: string;
  signal: AbortSignal;
  logger: Logger;
  onProgress?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface AgentPhaseResult {
  summary: AgentSummary;
  /** The agent's findings and what the browser saw go wrong after its actions. */
  findings: Finding[];
  /** Screenshots the agent took (relative to the artifact dir). */
  screenshots: string[];
  /** Why the run is incomplete because of the agent (budget ran out, it could not decide). */
  incompleteReason?: string;
  /** The API kept failing: the job ends in error. */
  error?: CoworkerError;
  /**
   * The agent's recorded actions (plain JSON) and, per finding that the browser observed, the step after
   * which it appeared: replayed on the base commit's app without the model (the compare phase).
   */
  replay?: { actions: ReplayInputStep[]; points: ReplayPoint[] };
}

const MAX_RETRIES = 2;

export async function runAgentPhase(input: AgentPhaseInput): Promise<AgentPhaseResult> {
  const decision = await resolveAgentSettings({
    request: input.request,
    configDir: input.configDir,
    logger: input.logger,
    ...(input.env ? { env: input.env } : {}),
  });
  const progress = input.onProgress ?? (() => {});
  if (!decision.run) {
    progress(`not run: ${decision.reason}`);
    return { summary: { ran: false, reason: decision.reason }, findings: [], screenshots: [] };
  }
  const { settings } = decision;
  progress(
    `AI exploration with ${settings.model} (key from ${settings.keySource}; budget ${settings.budgets.maxSteps} steps, ` +
      `${settings.budgets.maxTokens.toLocaleString('en-US')} tokens, ${settings.budgets.maxSeconds} s)`,
  );

  const patches = await diffOf(input);
  const client = await createAnthropicClient({
    apiKey: settings.apiKey,
    logger: input.logger,
    maxRetries: MAX_RETRIES,
  });
  let browser: AgentTab | undefined;
  try {
    browser = await openAgentTab(input.session, input.appUrl, { artifactDir: input.artifactDir });
    const context = buildContext({
      target: input.target,
      patches,
      crawlFindings: [...input.crawlFindings],
      appUrl: input.appUrl,
      userInstructions: input.userInstructions,
      repoInstructions: input.repoInstructions,
      budgets: settings.budgets,
      startPage: browser.initial.text,
    });
    const run = await runAgentLoop({
      client,
      model: settings.model,
      browser,
      system: SYSTEM_PROMPT,
      context,
      budgets: settings.budgets,
      signal: input.signal,
      logger: input.logger,
      maxRetries: MAX_RETRIES,
      onProgress: progress,
    });

    const initial = browser.initial;
    const actions: AgentAction[] = [
      ...(initial.action && initial.step
        ? [
            {
              n: 0,
              action: initial.action,
              step: initial.step,
              problems: initial.problems,
              page: initial.page,
            },
          ]
        : []),
      ...run.actions,
    ];
    const appOrigin = new URL(input.appUrl).origin;
    const findings = agentFindings({ run, actions, crawlFindings: input.crawlFindings, appOrigin });

    // Artifacts: the transcript always, the replayable test when the agent did anything.
    const agentDir = path.join(input.artifactDir, 'agent');
    await mkdir(agentDir, { recursive: true });
    const transcript = 'agent/transcript.json';
    await writeFile(
      path.join(input.artifactDir, transcript),
      `${redactSecrets(
        JSON.stringify(
          {
            model: settings.model,
            budgets: settings.budgets,
            stoppedBy: run.stoppedBy,
            ...(run.reason ? { reason: run.reason } : {}),
            durationMs: run.durationMs,
            usage: { ...run.usage, costUsd: estimateCost(settings.model, run.usage) },
            report: run.report,
            start: { page: initial.page, result: initial.text, observation: initial.observation },
            turns: run.turns,
          },
          null,
          2,
        ),
      )}\n`,
    );
    let reproduce: { spec: string; config: string } | undefined;
    if (actions.length > 1) {
      const main = findings.find((f) => f.severity === 'error') ?? findings[0];
      const spec = buildReproduceSpec({
        actions,
        title: main
          ? `no uncaught errors: ${firstLine(main.title)}`
          : "the AI agent's steps run without uncaught errors",
        jobId: input.jobId,
        target: `${describeHead(input.target)} in ${input.target.repo}`,
      });
      await writeFile(path.join(input.artifactDir, 'reproduce.spec.ts'), redactSecrets(spec));
      await writeFile(
        path.join(input.artifactDir, 'playwright.config.mjs'),
        buildPlaywrightConfig(input.browserPath),
      );
      reproduce = { spec: 'reproduce.spec.ts', config: 'playwright.config.mjs' };
    }
    const incomplete = agentIncompleteReason(run);
    return {
      summary: agentSummary({
        run,
        model: settings.model,
        appOrigin,
        transcript,
        ...(reproduce ? { reproduceSpec: reproduce.spec, reproduceConfig: reproduce.config } : {}),
      }),
      findings,
      screenshots: run.screenshots,
      replay: {
        actions: actions.map((a) => ({ n: a.n, action: a.action })),
        points: replayPoints(findings, { run, actions, appOrigin }),
      },
      ...(incomplete ? { incompleteReason: incomplete } : {}),
      ...(run.error ? { error: run.error } : {}),
    };
  } finally {
    await browser?.close();
  }
}

/**
 * The change's diff, file by file: a pull request's patches as GitHub shows them, else `git diff` of
 * base...head; null when neither is available (the prompt then says so).
 */
async function diffOf(input: AgentPhaseInput): Promise<FilePatch[] | null> {
  if (input.changes?.length) {
    return input.changes.map((c) =>
      c.patch === undefined
        ? { path: c.path, patch: '', binary: false, omitted: 'GitHub shows no patch for it' }
        : {
            path: c.path,
            patch: `diff --git a/${c.path} b/${c.path}\n${c.patch}${c.patchTruncated ? '\n… (GitHub cut this patch)' : ''}`,
            binary: false,
          },
    );
  }
  const t = input.target;
  if (!input.gitDir || !t.baseSha) return null;
  try {
    return await readPatches(input.gitDir, t.baseSha, t.headSha, { signal: input.signal });
  } catch (err) {
    input.logger.debug(`no diff for the agent: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}
