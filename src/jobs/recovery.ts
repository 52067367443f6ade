import { access, rm } from 'node:fs/promises';
import { killJobProcesses, killProcessGroup } from '../app/processGroup.js';
import { hasProcFs, isRunning, readStat } from '../app/procfs.js';
import type { Logger } from '../log.js';
import type { JobRecord, JobStore } from './store.js';

/**
 * After a crash (kill -9, power loss, a closed terminal), jobs stay `running` in the history with
 * their app processes, worktrees and temp dirs still around. On start-up we mark them `interrupted`
 * and clean up what they left. Jobs owned by another live process (a second MCP server) are left alone.
 */
export async function recoverInterruptedJobs(
  store: JobStore,
  logger: Logger,
  /** Override for the liveness check, e.g. to treat this process's own stale pid as dead at start-up. */
  isOwnerAlive: (pid: number) => boolean = isProcessAlive,
): Promise<JobRecord[]> {
  const orphans = store.markInterrupted(isOwnerAlive);
  for (const job of orphans) {
    logger.debug(`cleaning up interrupted job ${job.id}`);
    // On Linux the marker in the environment finds every process of the job, even ones that left the
    // group, and cannot hit an unrelated process that reused the pgid. Elsewhere the stored group is all we have.
    await killJobProcesses(job.id).catch(() => []);
    if (job.appPgid && process.platform !== 'linux') await killProcessGroup(job.appPgid).catch(() => false);
    await removeLeftoverDirs(job);
    store.clearLeftovers(job.id);
  }
  if (orphans.length > 0) {
    logger.warn(
      `${orphans.length} job(s) interrupted by an earlier crash were marked 'interrupted' and cleaned up.`,
    );
  }
  // Finished jobs whose teardown could not remove a folder in time (a huge node_modules on a busy machine):
  // their processes were stopped by that teardown; only folders are left.
  for (const job of store.finishedWithLeftovers()) {
    if ((await exists(job.worktreeDir)) || (await exists(job.tempDir))) {
      logger.debug(`removing what job ${job.id} left behind`);
      await removeLeftoverDirs(job);
    }
    if (!(await exists(job.worktreeDir)) && !(await exists(job.tempDir))) store.clearLeftovers(job.id);
  }
  return orphans;
}

/**
 * After a job's teardown: when its worktree and temp dir are gone, the history forgets them; when a
 * cleanup step could not remove one, it stays recorded and the next start-up removes it.
 */
export async function forgetRemovedLeftovers(store: JobStore, id: string): Promise<void> {
  const job = store.get(id);
  if (job && !(await exists(job.worktreeDir)) && !(await exists(job.tempDir))) store.clearLeftovers(id);
}

async function removeLeftoverDirs(job: JobRecord): Promise<void> {
  if (job.worktreeDir && job.mirrorDir) {
    // git (simple-git) loads only when there is a worktree to remove: not on every start-up.
    const { removeWorktree } = await import('../git/worktree.js');
    await removeWorktree(job.mirrorDir, job.worktreeDir).catch(() => {});
  } else if (job.worktreeDir) await rm(job.worktreeDir, { recursive: true, force: true }).catch(() => {});
  if (job.tempDir) await rm(job.tempDir, { recursive: true, force: true }).catch(() => {});
}

const exists = async (dir: string | null): Promise<boolean> =>
  dir !== null &&
  (await access(dir).then(
    () => true,
    () => false,
  ));

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else — alive, and not ours to judge.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process stays a zombie until its parent reaps it, and signal 0 still reaches a zombie:
  // where /proc tells, a zombie owner is dead.
  return !hasProcFs() || isRunning(readStat(pid));
}
