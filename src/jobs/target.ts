import { CoworkerError } from '../errors.js';
import { type Checkout, checkoutLocal } from '../git/localCheckout.js';
import type { TargetInfo } from '../report/model.js';
import type { TargetSpec } from './request.js';

export interface TargetCheckout {
  target: TargetInfo;
  worktree: string;
  mirrorDir: string;
  cache: Checkout['cache'];
  remove(): Promise<void>;
}

export interface TargetCheckoutContext {
  reposDir: string;
  worktreeDir: string;
  signal?: AbortSignal;
}

/** Resolve a target to commits and check the head out into the job's worktree. */
export async function checkoutTarget(spec: TargetSpec, ctx: TargetCheckoutContext): Promise<TargetCheckout> {
  if (spec.kind === 'github') {
    throw new CoworkerError(
      'INVALID_INPUT',
      'Pull request targets are not supported yet.',
      'Simulate a local branch: myfav-coworker simulate ./repo --head <branch>.',
    );
  }
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
