import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { CoworkerError } from '../errors.js';
import { createGit, type GitOptions } from './client.js';

/**
 * A cached bare mirror per source repository, kept between jobs so the second simulation of a repo
 * only fetches what changed. Jobs never check out into it: each gets its own detached worktree.
 */
export interface RepoCache {
  dir: string;
  lockPath: string;
}

export function repoCacheFor(reposDir: string, key: string, label: string): RepoCache {
  const safeLabel = label.replace(/[^A-Za-z0-9._-]+/g, '-').slice(-60) || 'repo';
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 12);
  const dir = path.join(reposDir, `${safeLabel}-${hash}.git`);
  return { dir, lockPath: `${dir}.lock` };
}

// simple-git waits a fixed 50 ms after any git command that printed nothing; the commands on the
// checkout path are chosen to print (`--verbose`, `cat-file -t`) so a cached checkout stays near-instant.

/** Clone the mirror on first use, otherwise fetch every ref incrementally. Call under the repo lock. */
export async function syncMirror(
  cache: RepoCache,
  source: string,
  opts: GitOptions,
): Promise<'cloned' | 'fetched'> {
  const exists = await stat(path.join(cache.dir, 'HEAD')).then(
    () => true,
    () => false,
  );
  try {
    if (exists) {
      await createGit(cache.dir, opts).raw(['fetch', '--prune', '--verbose', 'origin']);
      return 'fetched';
    }
    // Clone beside the final place and rename, so a crash mid-clone never leaves a half mirror.
    const parent = path.dirname(cache.dir);
    await mkdir(parent, { recursive: true });
    const partial = `${cache.dir}.partial-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    try {
      await createGit(parent, opts).raw(['clone', '--mirror', '--quiet', '--', source, partial]);
      await rm(cache.dir, { recursive: true, force: true });
      await rename(partial, cache.dir);
    } finally {
      await rm(partial, { recursive: true, force: true });
    }
    return 'cloned';
  } catch (err) {
    throw gitError(`Could not ${exists ? 'update the cached copy of' : 'clone'} ${source}`, err);
  }
}

/** Whether the mirror already holds every one of these commits (then there is nothing to fetch). */
export async function mirrorHas(cache: RepoCache, shas: string[], opts: GitOptions): Promise<boolean> {
  const exists = await stat(path.join(cache.dir, 'HEAD')).then(
    () => true,
    () => false,
  );
  if (!exists) return false;
  const git = createGit(cache.dir, opts);
  for (const sha of shas) {
    const has = await git
      .raw(['cat-file', '-t', `${sha}^{commit}`])
      .then(() => true)
      .catch(() => false);
    if (!has) return false;
  }
  return true;
}

/** Make sure a commit is present in the mirror (e.g. a detached commit on no branch). */
export async function ensureCommit(cache: RepoCache, sha: string, opts: GitOptions): Promise<void> {
  if (await mirrorHas(cache, [sha], opts)) return;
  await createGit(cache.dir, opts)
    .raw(['fetch', '--quiet', 'origin', '--end-of-options', sha])
    .catch((err) => {
      throw gitError(`Commit ${sha.slice(0, 12)} could not be fetched into the cache`, err);
    });
}

export function gitError(what: string, err: unknown): CoworkerError {
  if (err instanceof CoworkerError) return err;
  const detail = err instanceof Error ? err.message.trim().split('\n').slice(-3).join(' ') : String(err);
  return new CoworkerError(
    'GIT_FAILED',
    `${what}: ${detail}`,
    'Check that git works for this repository (try `git fetch` there) and that the disk is not full.',
    { cause: err },
  );
}
