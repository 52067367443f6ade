import path from 'node:path';
import type { CreateTaskRequestHandlerExtra } from '@modelcontextprotocol/sdk/experimental/tasks/interfaces.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { CoworkerError } from '../../errors.js';
import { parseTarget } from '../../github/targetParse.js';
import type { SimulationRequest } from '../../jobs/request.js';
import { isFinished, type Submitted } from '../../jobs/service.js';
import { simulationView } from '../../report/machine.js';
import { type ConsentOutcome, consentForPullRequest } from '../consent.js';
import type { McpContext } from '../context.js';
import { jobResult } from '../jobResult.js';
import { followUp } from '../render.js';
import { errorResult, guarded, toolResult } from '../results.js';
import { simulateOutput } from '../schemas.js';
import { type JobTaskStore, TASK_POLL_MS } from '../tasks.js';
import { clampWait, MAX_WAIT_SECONDS, type ToolExtra, waitForJob } from './waiting.js';

const description = `Test a pull request the way a careful QA coworker would: check it out on the user's machine, install and start the app, open it in a real headless browser, try the pages it changes (and, when an Anthropic API key is configured, let an AI agent explore them), then report a verdict — pass, fail or inconclusive — with findings, screenshots and steps to reproduce.

A run takes about 1–5 minutes, so this returns a job_id at once. Then call get_simulation with that job_id (it can wait up to ${MAX_WAIT_SECONDS} s per call) until the job has finished, and tell the user the verdict and the findings. Or pass wait_seconds here to wait right away. A client that supports MCP tasks can instead run this tool as a task and get the report through the task.

target is one of:
- a GitHub pull request URL, e.g. https://github.com/OWNER/REPO/pull/12
- OWNER/REPO#12
- the absolute path of a git repository on the user's machine; then head names the branch to test and base what it is compared with.

Asking again for the same target at the same commit while a job for it is queued or running returns that job instead of starting another.

Simulating runs the PR's code on the user's machine. It runs without asking only when the user can push to the repository (and the PR is not from a fork) or has trusted the repository or its owner (\`myfav-coworker trust OWNER/REPO\`). Otherwise the user is asked through this client, if it can ask; if it cannot, the result says what the user can run in a terminal. trust: true only says the user asked for it: it is not consent and never runs untrusted code by itself.`;

export function registerSimulateTool(server: McpServer, ctx: McpContext, tasks: JobTaskStore): void {
  server.experimental.tasks.registerToolTask(
    'simulate_pr',
    {
      title: 'Simulate a pull request',
      description,
      inputSchema: {
        target: z
          .string()
          .min(1)
          .max(2000)
          .describe(
            'PR URL (https://github.com/OWNER/REPO/pull/N), OWNER/REPO#N, or a local repository path.',
          ),
        head: z
          .string()
          .min(1)
          .max(255)
          .optional()
          .describe(
            'Local repositories only: the branch, tag or commit to test (default: the checked-out branch).',
          ),
        base: z
          .string()
          .min(1)
          .max(255)
          .optional()
          .describe(
            "Local repositories only: what the change is compared with (default: main, then master, then the remote's default branch).",
          ),
        instructions: z
          .string()
          .max(4000)
          .optional()
          .describe(
            'What to focus on, in the user\'s words (e.g. "try the new search box with an empty query"). Used by the AI exploration.',
          ),
        app_dir: z
          .string()
          .min(1)
          .max(500)
          .optional()
          .describe(
            'Folder of the app inside the repository (monorepos), when detection picks the wrong one.',
          ),
        routes: z
          .array(z.string().startsWith('/').max(2000))
          .max(20)
          .optional()
          .describe(
            'Pages to visit besides the entry page, e.g. ["/settings", "/#/profile"] (the ones the change affects).',
          ),
        config: z
          .string()
          .min(1)
          .max(2000)
          .optional()
          .describe(
            "Absolute path of a .myfav-coworker.json kept outside the repository (the user's settings for a PR they cannot change).",
          ),
        env_file: z
          .string()
          .min(1)
          .max(2000)
          .optional()
          .describe(
            'Absolute path of a NAME=value file with variables the app needs (secrets: they are masked and never shown to you).',
          ),
        trust: z
          .boolean()
          .optional()
          .describe(
            'The user asked to run this PR. Not sufficient: code the user has not trusted still needs their own consent (asked through the client).',
          ),
        compare_base: z
          .boolean()
          .optional()
          .describe(
            'Default true: the base commit runs too, and only problems the change introduced fail it (the others are listed as already on the base, or fixed). false: judge the head alone.',
          ),
        comment: z
          .boolean()
          .optional()
          .describe(
            'Pull requests only: post the verdict on the PR as one comment (updated in place on later runs). Needs a token that may write; only when the user asked for it, since the whole team sees it.',
          ),
        status: z
          .boolean()
          .optional()
          .describe('Pull requests only: set a commit status (context myfav-coworker) on the head commit.'),
        wait_seconds: z
          .number()
          .min(0)
          .max(3600)
          .optional()
          .describe(
            `Wait up to this many seconds for the result before returning (at most ${MAX_WAIT_SECONDS}; larger values wait ${MAX_WAIT_SECONDS}). Default 0: return the job id at once.`,
          ),
      },
      annotations: {
        title: 'Simulate a pull request',
        readOnlyHint: false,
        destructiveHint: false,
        // Same target at the same commit while it runs: the same job comes back.
        idempotentHint: true,
        // It fetches from GitHub and runs the PR's code.
        openWorldHint: true,
      },
      outputSchema: simulateOutput,
      // Task-aware clients may run it as an MCP task (the report comes through tasks/result); others get
      // the job id at once and follow it with get_simulation, as before.
      execution: { taskSupport: 'optional' },
    },
    {
      createTask: async (args, extra) => {
        let started: { submitted: Submitted; note: string } | undefined;
        let failure: CallToolResult | undefined;
        try {
          const outcome = await submit(server, ctx, args, extra);
          if ('refused' in outcome) failure = outcome.refused;
          else started = outcome;
        } catch (err) {
          failure = errorResult(err, ctx.logger);
        }
        const submitted = started?.submitted;
        const task = await extra.taskStore.createTask({
          ...(extra.taskRequestedTtl !== undefined ? { ttl: extra.taskRequestedTtl } : {}),
          pollInterval: TASK_POLL_MS,
          context: submitted ? { jobId: submitted.job.id, reused: submitted.reused } : {},
        });
        if (!tasks.isTaskRequest(task.taskId)) {
          // A plain call: answer as always (job id at once, or after wait_seconds); the SDK hands it on.
          const result = failure ?? (await guarded(ctx.logger, () => answer(ctx, started!, args, extra)));
          tasks.settle(task.taskId, result);
          return { task: (await tasks.getTask(task.taskId)) ?? task };
        }
        if (failure || !submitted) {
          const result = failure ?? errorResult(undefined);
          // The message in the task's status too: task clients may stop at "failed" without asking for the result.
          await extra.taskStore.updateTaskStatus(task.taskId, 'working', textOf(result));
          await extra.taskStore.storeTaskResult(task.taskId, 'failed', result);
        } else {
          void followAsTask(ctx, task.taskId, submitted, extra);
        }
        return { task: (await tasks.getTask(task.taskId)) ?? task };
      },
      getTask: async (_args, extra) => extra.taskStore.getTask(extra.taskId),
      getTaskResult: async (_args, extra) =>
        (await extra.taskStore.getTaskResult(extra.taskId)) as CallToolResult,
    },
  );
}

type SimulateArgs = {
  target: string;
  head?: string | undefined;
  base?: string | undefined;
  instructions?: string | undefined;
  app_dir?: string | undefined;
  routes?: string[] | undefined;
  config?: string | undefined;
  env_file?: string | undefined;
  trust?: boolean | undefined;
  compare_base?: boolean | undefined;
  comment?: boolean | undefined;
  status?: boolean | undefined;
  wait_seconds?: number | undefined;
};

/** Consent for a PR (asked through the client when needed), then the job; or the answer to give instead. */
async function submit(
  server: McpServer,
  ctx: McpContext,
  args: SimulateArgs,
  extra: ToolExtra,
): Promise<{ submitted: Submitted; note: string } | { refused: CallToolResult }> {
  const refs = {
    ...(args.head ? { head: args.head } : {}),
    ...(args.base ? { base: args.base } : {}),
  };
  const target = parseTarget(args.target, refs);
  if ((args.comment || args.status) && target.kind !== 'github') {
    throw new CoworkerError(
      'INVALID_INPUT',
      `${args.comment ? 'comment' : 'status'}: true writes to a pull request, but ${JSON.stringify(args.target.slice(0, 200))} is a local repository.`,
      'Pass a pull request as the target, or leave comment and status out.',
    );
  }
  let consent: ConsentOutcome | undefined;
  if (target.kind === 'github') {
    consent = await consentForPullRequest(server, ctx, target, args.trust === true, extra);
    if (!consent.run) return { refused: consent.result };
  }
  const request: SimulationRequest = {
    input: args.target.trim(),
    target,
    settings: {
      ...(args.instructions?.trim() ? { instructions: args.instructions.trim() } : {}),
      ...(args.compare_base === false ? { compareBase: false } : {}),
      ...(args.app_dir ? { appDir: args.app_dir } : {}),
      ...(args.routes?.length ? { routes: args.routes } : {}),
      ...(args.config ? { configFile: absolutePath(args.config, 'config') } : {}),
      ...(args.env_file ? { envFile: absolutePath(args.env_file, 'env_file') } : {}),
    },
    agent: { enabled: true },
    ...(consent?.run && consent.grant ? { consent: consent.grant } : {}),
    ...(args.comment || args.status
      ? {
          publish: {
            ...(args.comment ? { comment: true } : {}),
            ...(args.status ? { status: true } : {}),
          },
        }
      : {}),
  };
  const submitted = await ctx.service.submit(request, { signal: extra.signal });
  return { submitted, note: consent?.run ? consent.note : '' };
}

/** The answer to a plain call: the job at once, or as it is after waiting up to wait_seconds. */
async function answer(
  ctx: McpContext,
  { submitted, note }: { submitted: Submitted; note: string },
  args: SimulateArgs,
  extra: ToolExtra,
): Promise<CallToolResult> {
  const lead = [note, describeSubmitted(submitted)].filter(Boolean).join(' ');
  const fields = { reused: submitted.reused };
  const wait = clampWait(args.wait_seconds);
  if (wait === 0) {
    const { job, position } = submitted;
    return toolResult(`${lead}\n${followUp(job.id)}`, {
      ...simulationView(job, undefined, position),
      ...fields,
    });
  }
  const job = await waitForJob(ctx, submitted.job.id, wait, extra);
  return jobResult(ctx, job, { lead, fields });
}

/**
 * A task's job, followed to its end: the result is stored (and the client told, through
 * notifications/tasks/status) when the job finishes, however it finishes.
 */
async function followAsTask(
  ctx: McpContext,
  taskId: string,
  submitted: Submitted,
  extra: CreateTaskRequestHandlerExtra,
): Promise<void> {
  try {
    let job = submitted.job;
    while (!isFinished(job.status)) {
      job = await ctx.service.waitFor(job.id, { timeoutMs: 60 * 60_000 });
    }
    if (job.status === 'cancelled') {
      await extra.taskStore.updateTaskStatus(taskId, 'cancelled', job.error?.message);
      return;
    }
    const result = await jobResult(ctx, job, { fields: { reused: submitted.reused } });
    // Also a job that ended in error: the call worked, its result says why there is no verdict.
    await extra.taskStore.storeTaskResult(taskId, 'completed', result);
  } catch (err) {
    // The task was cancelled meanwhile or has expired, or the client has gone: nothing left to tell.
    ctx.logger.debug(`task ${taskId}: ${(err as Error).message}`);
  }
}

function textOf(result: CallToolResult): string {
  const first = result.content[0];
  return first?.type === 'text' ? first.text : '';
}

/** A server has no working directory the user knows: file arguments must be absolute. */
function absolutePath(value: string, field: string): string {
  if (!path.isAbsolute(value)) {
    throw new CoworkerError(
      'INVALID_INPUT',
      `${field} must be an absolute path, not ${JSON.stringify(value)}.`,
      `Ask the user for the full path of the file (e.g. /home/me/web.myfav-coworker.json).`,
    );
  }
  return path.normalize(value);
}

function describeSubmitted({ job, reused, position }: Submitted): string {
  const head = job.headSha ? ` (${job.headRef ?? 'head'} @ ${job.headSha.slice(0, 7)})` : '';
  if (reused) {
    return `This target at the same commit is already being simulated: job ${job.id} (${job.status}). Returning that job instead of starting another.`;
  }
  const when =
    position === 0
      ? 'It starts now.'
      : position === null
        ? 'It is queued.'
        : `It is queued; ${position === 1 ? 'it starts next' : `${position - 1} job(s) are ahead of it`}.`;
  return `Started simulation job ${job.id} for ${job.targetInput}${head}. ${when}`;
}
