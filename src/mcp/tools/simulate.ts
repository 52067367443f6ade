import path from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { CoworkerError } from '../../errors.js';
import type { SimulationRequest } from '../../jobs/request.js';
import type { Submitted } from '../../jobs/service.js';
import { type ConsentOutcome, consentForPullRequest } from '../consent.js';
import type { McpContext } from '../context.js';
import { jobResult } from '../jobResult.js';
import { followUp } from '../render.js';
import { guarded, textResult } from '../results.js';
import { clampWait, MAX_WAIT_SECONDS, waitForJob } from './waiting.js';

const description = `Test a pull request the way a careful QA coworker would: check it out on the user's machine, install and start the app, open it in a real headless browser, try the pages it changes (and, when an Anthropic API key is configured, let an AI agent explore them), then report a verdict — pass, fail or inconclusive — with findings, screenshots and steps to reproduce.

A run takes about 1–5 minutes, so this returns a job_id at once. Then call get_simulation with that job_id (it can wait up to ${MAX_WAIT_SECONDS} s per call) until the job has finished, and tell the user the verdict and the findings. Or pass wait_seconds here to wait right away.

target is one of:
- a GitHub pull request URL, e.g. https://github.com/OWNER/REPO/pull/12
- OWNER/REPO#12
- the absolute path of a git repository on the user's machine; then head names the branch to test and base what it is compared with.

Asking again for the same target at the same commit while a job for it is queued or running returns that job instead of starting another.

Simulating runs the PR's code on the user's machine. It runs without asking only when the user can push to the repository (and the PR is not from a fork) or has trusted the repository or its owner (\`myfav-coworker trust OWNER/REPO\`). Otherwise the user is asked through this client, if it can ask; if it cannot, the result says what the user can run in a terminal. trust: true only says the user asked for it: it is not consent and never runs untrusted code by itself.`;

export function registerSimulateTool(server: McpServer, ctx: McpContext): void {
  server.registerTool(
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
    },
    async (args, extra) =>
      guarded(ctx.logger, async () => {
        const refs = {
          ...(args.head ? { head: args.head } : {}),
          ...(args.base ? { base: args.base } : {}),
        };
        const target = ctx.parseTarget(args.target, refs);
        let consent: ConsentOutcome | undefined;
        if (target.kind === 'github') {
          consent = await consentForPullRequest(server, ctx, target, args.trust === true, extra);
          if (!consent.run) return consent.result;
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
        };
        const submitted = await ctx.service.submit(request, { signal: extra.signal });
        const lead = [consent?.run ? consent.note : '', describeSubmitted(submitted)]
          .filter(Boolean)
          .join(' ');
        const wait = clampWait(args.wait_seconds);
        if (wait === 0) return textResult(`${lead}\n${followUp(submitted.job.id)}`);
        const job = await waitForJob(ctx, submitted.job.id, wait, extra);
        return jobResult(ctx, job, lead);
      }),
  );
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
