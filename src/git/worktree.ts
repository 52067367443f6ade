import { rm } from 'node:fs/promises';
import { gitError } from './cache.js';
import { createGit, type GitOptions } from './client.js';
import { withRepoLock } from './repoLock.js';

/** A detached worktree of the cached mirror at one commit, for one job. */
export async function addWorktree(
  mirrorDir: string,
  worktreeDir: string,
  sha: string,
  opts: GitOptions,
): Promise<void> {
  try {
    await createGit(mirrorDir, opts).raw([
      'worktree',
      'add',
      '--detach',
      '--force',
      '--quiet',
      worktreeDir,
      sha,
    ]);
  } catch (err) {
    throw gitError(`Could not check out ${sha.slice(0, 12)}`, err);
  }
}

/** Remove a job's worktree; safe to call twice, and when the folder is already gone. */
export async function removeWorktree(mirrorDir: string, worktreeDir: string): Promise<void> {
  // Deleting the folder and pruning is what `worktree remove --force --force` does, minus a git call,
  // and it also handles a half-created or locked worktree.
  await rm(worktreeDir, { recursive: true, force: true, maxRetries: 3 });
  await pruneWorktrees(mirrorDir);
}

/** Forget worktrees whose folders were deleted (after a crash). */
export async function pruneWorktrees(mirrorDir: string): Promise<void> {
  await createGit(mirrorDir, { idleTimeoutMs: 60_000 })
    .raw(['worktree', 'prune'])
    .catch(() => {});
}

/**
 * One more worktree of a job's mirror at another commit (the base commit a job compares with), added and
 * removed under the mirror's lock like the job's own.
 */
export async function addExtraWorktree(
  mirrorDir: string,
  worktreeDir: string,
  sha: string,
  signal?: AbortSignal,
): Promise<{ remove(): Promise<void> }> {
  const lockPath = `${mirrorDir}.lock`;
  await withRepoLock(
    lockPath,
    () => addWorktree(mirrorDir, worktreeDir, sha, signal ? { signal } : {}),
    signal,
  );
  return { remove: () => withRepoLock(lockPath, () => removeWorktree(mirrorDir, worktreeDir)) };
}
