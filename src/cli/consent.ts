// Consent in a terminal, before a pull request's job exists: the policy (src/trust/policy.ts) lets the
// code run, or --trust answers yes, or a person at a terminal is asked; without a terminal to ask, the
// run is refused with the commands that agree.

import { createInterface } from 'node:readline/promises';
import type { Deps } from '../deps.js';
import { CoworkerError } from '../errors.js';
import { type GithubTarget, prUrl } from '../github/targetParse.js';
import { resolvePullRequest, untrustedError } from '../jobs/githubTarget.js';
import {
  consentFacts,
  consentQuestion,
  oneOffCommand,
  type TrustGrant,
  trustCommand,
} from '../trust/consent.js';
import type { styler } from './output.js';

/** The grant to run with, or undefined when the policy runs it by itself; throws UNTRUSTED_CODE when refused. */
export async function terminalConsent(
  spec: GithubTarget,
  opts: { trustFlag: boolean; deps: Deps; style: ReturnType<typeof styler> },
): Promise<TrustGrant | undefined> {
  // Progress (and the note about a host without a token) is printed by the job itself.
  const { pr, decision } = await resolvePullRequest(spec, opts.deps, { onProgress: () => {} });
  if (decision.trusted) return undefined;
  if (opts.trustFlag) {
    process.stderr.write(
      `${opts.style('yellow', 'note:')} running PR #${pr.number} because of --trust (${decision.detail}).\n`,
    );
    return { headSha: pr.headSha, how: 'flag' };
  }
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    const refused = untrustedError(spec, pr, decision);
    throw new CoworkerError(
      refused.code,
      refused.message,
      `${refused.hint} (There is no terminal to ask you here.)`,
    );
  }
  process.stderr.write(
    `\n${opts.style('bold', consentQuestion(pr))}\n${consentFacts(pr, decision)
      .map((line) => `  ${line}`)
      .join('\n')}\n`,
  );
  const answer = await ask(`${opts.style('bold', 'Run it? [y/N]')} `);
  if (/^\s*y(es)?\s*$/i.test(answer)) return { headSha: pr.headSha, how: 'prompt' };
  const trust = trustCommand(spec.host, pr);
  throw new CoworkerError(
    'UNTRUSTED_CODE',
    `Not run: you answered ${answer.trim() ? JSON.stringify(answer.trim().slice(0, 20)) : 'no'}. Nothing was checked out or started.`,
    `To run it later without being asked: \`${oneOffCommand(prUrl(spec))}\`` +
      (trust ? `, or trust ${pr.headRepo} for good: \`${trust}\`.` : '.'),
  );
}

/** One line from the terminal; Ctrl-C or end of input counts as no. */
async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const controller = new AbortController();
  rl.on('SIGINT', () => controller.abort());
  rl.on('close', () => controller.abort());
  try {
    return await rl.question(question, { signal: controller.signal });
  } catch {
    process.stderr.write('\n');
    return '';
  } finally {
    rl.close();
  }
}
