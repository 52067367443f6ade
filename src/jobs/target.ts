import { type Checkout, checkoutLocal } from '../git/localCheckout.js';
import type { GithubDeps } from '../github/deps.js';
import type { ChangedFile } from '../github/pullRequest.js';
import type { TargetInfo } from '../report/model.js';
import type { TrustGrant } from '../trust/consent.js';
import { checkoutGithubTarget } from './githubTarget.js';
import type { TargetSpec } from './request.js';

export interface TargetCheckout {
  target: TargetInfo;
  worktree: string;
  mirrorDir: string;
  cache: Checkout['cache'];
  remove(): Promise<void>;
  /** Pull requests: the changed files with patches as GitHub lists them (capped), for the agent. */
  changes?: ChangedFile[];
}

export interface TargetCheckoutContext {
  reposDir: string;
  worktreeDir: string;
  signal?: AbortSignal;
  /** Tokens and endpoints for pull requests (required for GitHub targets). */
  github?: GithubDeps;
  /** The user's consent to run a pull request the trust policy does not run by itself. */
  consent?: TrustGrant;
  onProgress?: (message: string) => void;
}

/** Resolve a target to commits and check the head out into the job's worktree. */
export async function checkoutTarget(spec: TargetSpec, ctx: TargetCheckoutContext): Promise<TargetCheckout> {
  if (spec.kind === 'github') return checkoutGithubTarget(spec, ctx);
  const checkout = await checkoutLocal(
    {
      repoPath: spec.repoPath,
      ...(spec.headRef ? { headRef: spec.headRef } : {}),
      ...(spec.baseRef ? { baseRef: spec.baseRef } : {}),
    },
    ctx,
  );
  return {
    target: {
      kind: 'local',
      input: spec.repoPath,
      repo: checkout.repo,
      headRef: checkout.headRef,
      headSha: checkout.headSha,
      ...(checkout.baseRef ? { baseRef: checkout.baseRef } : {}),
      ...(checkout.baseSha ? { baseSha: checkout.baseSha } : {}),
      changedFiles: checkout.changedFiles,
      commits: checkout.commits,
    },
    worktree: checkout.worktree,
    mirrorDir: checkout.mirrorDir,
    cache: checkout.cache,
    remove: checkout.remove,
  };
}
