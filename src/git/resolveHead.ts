import { createGit, type GitOptions } from './client.js';
import { currentBranch, findRepository, resolveCommit } from './localCheckout.js';
import { validateRef } from './refs.js';

export interface LocalHead {
  /** Top folder of the repository (real path). */
  repo: string;
  /** The ref that was resolved (the checked-out branch when none was given). */
  headRef: string;
  headSha: string;
}

/**
 * Which commit a local target means, without checking anything out: a few read-only `git rev-parse`
 * calls in the user's repository. The MCP queue uses it before enqueuing, to return the job already
 * running for the same commit and to reject a bad path or ref at once instead of in a queued job.
 * Same resolution as the checkout itself (src/git/localCheckout.ts), so both agree on the SHA.
 */
export async function resolveLocalHead(
  repoPath: string,
  headRef?: string,
  opts: GitOptions = {},
): Promise<LocalHead> {
  const repo = await findRepository(repoPath, opts);
  if (headRef !== undefined) validateRef(headRef, 'head ref');
  const ref = headRef ?? (await currentBranch(repo, opts));
  return { repo, headRef: ref, headSha: await resolveCommit(repo, ref, opts) };
}

/** Whether the user's working copy has changes that a simulation (which tests commits) will not see. */
export async function hasUncommittedChanges(repo: string, opts: GitOptions = {}): Promise<boolean> {
  const out = await createGit(repo, opts)
    .raw(['status', '--porcelain', '--untracked-files=no'])
    .catch(() => '');
  return out.trim().length > 0;
}
