// What the user is asked before a pull request's code runs, the same in a terminal and in an MCP
// client: one question, then the facts to answer it (who wrote it, where the code lives, what it
// changes), and the commands that answer it for good or for once.

import type { PullRequestFacts } from '../github/pullRequest.js';
import { printable } from '../printable.js';
import { displayRepo, type TrustDecision } from './policy.js';

/** A consent given by the user for one PR at one head commit (stored with the job's request). */
export interface TrustGrant {
  /** The head the user agreed to: a push after the question is not covered. */
  headSha: string;
  how: 'prompt' | 'flag' | 'elicitation';
}

// Worded for what exists (README, Safety): on Linux the install and app run in the bubblewrap sandbox
// unless the user turned it off; elsewhere a simulation refuses to run without --no-sandbox.
const howItRuns =
  'It will run in the sandbox (its checkout only: not your files, secrets or network beyond its package registries), unless you turned the sandbox off with --no-sandbox.';

const maxFilesShown = 15;

/** "Run code from the fork octo/web by @mallory on your machine? …" */
export function consentQuestion(pr: PullRequestFacts): string {
  const where = pr.isFork
    ? pr.headRepo === '(deleted fork)'
      ? `a deleted fork of ${pr.baseRepo}`
      : `the fork ${pr.headRepo}`
    : pr.baseRepo;
  return printable(`Run code from ${where} by @${pr.author} on your machine? ${howItRuns}`);
}

/** The facts under the question, one per line. */
export function consentFacts(pr: PullRequestFacts, decision: TrustDecision): string[] {
  const files = pr.files.slice(0, maxFilesShown).map((f) => `  ${f.status.padEnd(8)} ${f.path}`);
  const more = pr.changedFilesCount - files.length;
  const lines = [
    `Pull request #${pr.number}: ${pr.title}`,
    `  ${pr.url}`,
    `Author: @${pr.author}`,
    `Head: ${pr.headRepo} (${pr.headRef} @ ${pr.headSha.slice(0, 12)})${pr.isFork ? ', a fork' : ''}`,
    `Base: ${pr.baseRepo} (${pr.baseRef})`,
    `Asking because ${decision.detail}.`,
    `Changed files (${pr.changedFilesCount}):`,
    ...files,
    ...(more > 0 ? [`  … and ${more} more (${pr.url}/files)`] : []),
  ];
  return lines.map((line) =>
    printable(line)
      .replace(/[\t\n]/g, ' ')
      .slice(0, 300),
  );
}

/** `myfav-coworker trust …` for the repository the code comes from (null: a deleted fork, nothing to trust). */
export function trustCommand(host: string, pr: PullRequestFacts): string | null {
  return pr.headRepo === '(deleted fork)' ? null : `myfav-coworker trust ${displayRepo(host, pr.headRepo)}`;
}

/** The run-once command for the target as the user named it (canonical PR URL). */
export function oneOffCommand(targetUrl: string): string {
  return `myfav-coworker simulate ${targetUrl} --trust`;
}
