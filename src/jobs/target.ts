import { checkoutLocal } from '../git/localCheckout.js';
import { checkoutGithubTarget } from './githubTarget.js';
import type { TargetSpec } from './request.js';
import type { TargetCheckout, TargetCheckoutContext } from './targetCheckout.js';

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
