// Consent for a pull request's code in MCP. The model's `trust: true` is the model's word — and a PR
// body can put words in its mouth — so it never decides. When the policy does not let the code run by
// itself (src/trust/policy.ts), the user is asked through the client (elicitation/create) with the same
// facts as in a terminal; a client that cannot ask gets an error telling the user what to run.

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CoworkerError } from '../errors.js';
import type { GithubTarget } from '../github/targetParse.js';
import { prUrl } from '../github/targetParse.js';
import { resolvePullRequest } from '../jobs/githubTarget.js';
import {
  consentFacts,
  consentQuestion,
  oneOffCommand,
  type TrustGrant,
  trustCommand,
} from '../trust/consent.js';
import type { McpContext } from './context.js';
import { errorResult } from './results.js';

/** How long the user may take to answer (the client shows the question until then). */
const ANSWER_TIMEOUT_MS = 10 * 60_000;

export type ConsentOutcome =
  /** The policy lets it run (`grant` absent) or the user agreed (`grant`); `note` says which, for the result. */
  { run: true; grant?: TrustGrant; note: string } | { run: false; result: CallToolResult };

interface ToolExtra {
  signal: AbortSignal;
  requestId: string | number;
}

export async function consentForPullRequest(
  server: McpServer,
  ctx: McpContext,
  spec: GithubTarget,
  modelSaysUserAsked: boolean,
  extra: ToolExtra,
): Promise<ConsentOutcome> {
  if (!ctx.pullRequests) {
    throw new CoworkerError(
      'INVALID_INPUT',
      'This server cannot simulate GitHub pull requests.',
      'Simulate a local repository instead.',
    );
  }
  const { pr, decision } = await resolvePullRequest(spec, ctx.pullRequests, { signal: extra.signal });
  if (decision.trusted) return { run: true, note: `It runs without asking: ${decision.detail}.` };

  const refusal = (lead: string) => {
    const trust = trustCommand(spec.host, pr);
    const text = [
      lead,
      modelSaysUserAsked
        ? "`trust: true` was passed, but that is the assistant's word, not the user's consent: it does not run untrusted code."
        : '',
      `Only the user can agree, in a terminal: \`${oneOffCommand(prUrl(spec))}\` runs it once` +
        (trust ? `; \`${trust}\` trusts ${pr.headRepo} from now on (then call simulate_pr again).` : '.'),
      `Tell the user this, and suggest they read the changes first: ${pr.url}/files`,
    ]
      .filter(Boolean)
      .join('\n');
    return errorResult(new CoworkerError('UNTRUSTED_CODE', text, ''));
  };

  const what = `Pull request #${pr.number} of ${pr.baseRepo} by @${pr.author} was not run: ${decision.detail}.`;
  if (!server.server.getClientCapabilities()?.elicitation?.form) {
    return {
      run: false,
      result: refusal(
        `${what} Its code would run on the user's machine, and this client cannot ask the user.`,
      ),
    };
  }

  const message = [
    consentQuestion(pr),
    '',
    ...consentFacts(pr, decision),
    '',
    modelSaysUserAsked ? 'The assistant says you asked to run it.' : '',
    'Agree only if you have read the changes and trust them.',
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n');
  let answer: Awaited<ReturnType<typeof server.server.elicitInput>>;
  try {
    answer = await server.server.elicitInput(
      {
        mode: 'form',
        message,
        requestedSchema: {
          type: 'object',
          properties: {
            run: {
              type: 'boolean',
              title: "Run this pull request's code on my machine",
              description: `PR #${pr.number} at ${pr.headSha.slice(0, 12)}`,
              default: false,
            },
          },
          required: ['run'],
        },
      },
      { signal: extra.signal, timeout: ANSWER_TIMEOUT_MS, relatedRequestId: extra.requestId },
    );
  } catch (err) {
    if (extra.signal.aborted) throw err;
    return {
      run: false,
      result: refusal(`${what} Asking the user through the client failed (${(err as Error).message}).`),
    };
  }
  if (answer.action === 'accept' && answer.content?.run === true) {
    return {
      run: true,
      grant: { headSha: pr.headSha, how: 'elicitation' },
      note: `The user agreed to run it (asked through the client): ${decision.detail}.`,
    };
  }
  const how =
    answer.action === 'accept'
      ? 'the user answered without ticking "run"'
      : answer.action === 'decline'
        ? 'the user declined'
        : 'the user dismissed the question';
  return {
    run: false,
    result: errorResult(
      new CoworkerError(
        'UNTRUSTED_CODE',
        `Not run: ${how}. ${what}`,
        'Nothing was checked out or started. Respect the answer; ask the user before trying again.',
      ),
    ),
  };
}
