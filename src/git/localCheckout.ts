import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { CoworkerError, throwIfCancelled } from '../errors.js';
import type { CommitInfo } from '../report/model.js';
import { ensureCommit, gitError, mirrorHas, type RepoCache, repoCacheFor, syncMirror } from './cache.js';
import { createGit, type GitOptions } from './client.js';
import { commitsBetween } from './history.js';
import { validateRef } from './refs.js';
import { withRepoLock } from './repoLock.js';
import { addWorktree, removeWorktree } from './worktree.js';

export interface LocalCheckoutRequest {
  repoPath: string;
  /** Default: the branch checked out in the user's repo. */
  headRef?: string;
  /** Default: main, then master (local, then origin/), then origin's default branch (origin/HEAD). */
  baseRef?: string;
}

export interface CheckoutContext {
  /** Folder of cached mirrors. */
  reposDir: string;
  /** Where this job's worktree goes (must not exist). */
  worktreeDir: string;
  signal?: AbortSignal;
}

export interface Checkout {
  repo: string;
  mirrorDir: string;
  worktree: string;
  headRef: string;
  headSha: string;
  baseRef?: string;
  baseSha?: string;
  changedFiles: string[];
  commits: CommitInfo[];
  /** Whether the cached mirror had to be cloned (cold), fetched, or already had the commits. */
  cache: 'cloned' | 'fetched' | 'cached';
  remove(): Promise<void>;
}

const defaultBaseCandidates = ['main', 'master', 'origin/main', 'origin/master'];

/**
 * Check out a branch of a repository on this machine without touching the user's working copy:
 * refs are resolved read-only in their repo, the commits come through a cached mirror, and the job
 * gets a detached worktree of that mirror.
 */
export async function checkoutLocal(req: LocalCheckoutRequest, ctx: CheckoutContext): Promise<Checkout> {
  const gitOpts: GitOptions = ctx.signal ? { signal: ctx.signal } : {};
  const repo = await findRepository(req.repoPath, gitOpts);
  if (req.headRef !== undefined) validateRef(req.headRef, 'head ref');
  if (req.baseRef !== undefined) validateRef(req.baseRef, 'base ref');

  const headRef = req.headRef ?? (await currentBranch(repo, gitOpts));
  const headSha = await resolveCommit(repo, headRef, gitOpts);
  const base = req.baseRef
    ? { ref: req.baseRef, sha: await resolveCommit(repo, req.baseRef, gitOpts) }
    : await defaultBase(repo, gitOpts);

  const cache = repoCacheFor(ctx.reposDir, `local:${repo}`, path.basename(repo));
  const wanted = base ? [headSha, base.sha] : [headSha];
  let cacheState: Checkout['cache'] = 'cached';
  await withRepoLock(
    cache.lockPath,
    async () => {
      // Commits are immutable: when the mirror already has them, there is nothing to fetch.
      if (!(await mirrorHas(cache, wanted, gitOpts))) {
        cacheState = await syncMirror(cache, repo, gitOpts);
        for (const sha of wanted) await ensureCommit(cache, sha, gitOpts);
      }
      throwIfCancelled(ctx.signal);
      await addWorktree(cache.dir, ctx.worktreeDir, headSha, gitOpts);
    },
    ctx.signal,
  );

  const remove = () => withRepoLock(cache.lockPath, () => removeWorktree(cache.dir, ctx.worktreeDir));
  try {
    const changedFiles = base ? await diffNames(cache, base.sha, headSha, gitOpts) : [];
    const commits = base ? await commitsBetween(cache, base.sha, headSha, gitOpts) : [];
    return {
      repo,
      mirrorDir: cache.dir,
      worktree: ctx.worktreeDir,
      headRef,
      headSha,
      ...(base ? { baseRef: base.ref, baseSha: base.sha } : {}),
      changedFiles,
      commits,
      cache: cacheState,
      remove,
    };
  } catch (err) {
    await remove();
    throw err;
  }
}

/** The top folder of the git repository at (or above) `repoPath`, as a real path. */
export async function findRepository(repoPath: string, opts: GitOptions): Promise<string> {
  const absolute = path.resolve(repoPath);
  const info = await stat(absolute).catch(() => null);
  if (!info?.isDirectory()) {
    throw new CoworkerError(
      'NOT_A_GIT_REPO',
      `${absolute} does not exist or is not a folder.`,
      'Pass the path of a local git repository, or a pull request URL.',
    );
  }
  const top = await createGit(absolute, opts)
    .raw(['rev-parse', '--show-toplevel'])
    .then((out) => out.trim())
    .catch((err: Error) => {
      if (/not a git repository/i.test(err.message)) return '';
      throw gitError(`git could not read ${absolute}`, err);
    });
  if (!top) {
    throw new CoworkerError(
      'NOT_A_GIT_REPO',
      `${absolute} is not inside a git repository.`,
      'Pass the folder of a git repository (where `git status` works), or a pull request URL.',
    );
  }
  return realpath(top);
}

export async function currentBranch(repo: string, opts: GitOptions): Promise<string> {
  const name = await createGit(repo, opts)
    .raw(['symbolic-ref', '--short', '-q', 'HEAD'])
    .then((out) => out.trim())
    .catch(() => '');
  return name || 'HEAD';
}

export async function resolveCommit(repo: string, ref: string, opts: GitOptions): Promise<string> {
  const sha = await tryResolve(repo, ref, opts);
  if (sha) return sha;
  const branches = await createGit(repo, opts)
    .raw(['for-each-ref', '--format=%(refname:short)', '--count=8', '--sort=-committerdate', 'refs/heads'])
    .then((out) => out.trim().split('\n').filter(Boolean))
    .catch(() => [] as string[]);
  throw new CoworkerError(
    'UNKNOWN_REF',
    `${JSON.stringify(ref)} is not a branch, tag or commit in ${repo}.`,
    branches.length
      ? `Name one that exists (--head / --base); recent branches there: ${branches.join(', ')}.`
      : 'Check the name with `git branch -a` in that repository.',
  );
}

async function tryResolve(repo: string, ref: string, opts: GitOptions): Promise<string | null> {
  const out = await createGit(repo, opts)
    .raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])
    .catch(() => '');
  const sha = out.trim();
  return /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
}

export async function defaultBase(
  repo: string,
  opts: GitOptions,
): Promise<{ ref: string; sha: string } | undefined> {
  for (const ref of defaultBaseCandidates) {
    const sha = await tryResolve(repo, ref, opts);
    if (sha) return { ref, sha };
  }
  // develop, trunk, …: a clone knows its remote's default branch as origin/HEAD (named, e.g. origin/trunk).
  const originDefault = await createGit(repo, opts)
    .raw(['symbolic-ref', '--short', '-q', 'refs/remotes/origin/HEAD'])
    .then((out) => out.trim())
    .catch(() => '');
  if (originDefault && /^origin\/[A-Za-z0-9][\w./-]*$/.test(originDefault)) {
    const sha = await tryResolve(repo, originDefault, opts);
    if (sha) return { ref: originDefault, sha };
  }
  return undefined;
}

async function diffNames(
  cache: RepoCache,
  baseSha: string,
  headSha: string,
  opts: GitOptions,
): Promise<string[]> {
  const git = createGit(cache.dir, opts);
  // Three dots: what the branch changed since it left base, not what base changed since.
  const out = await git
    .raw(['diff', '--name-only', '-z', `${baseSha}...${headSha}`, '--'])
    .catch(() => git.raw(['diff', '--name-only', '-z', baseSha, headSha, '--']));
  return out.split('\0').filter(Boolean);
}
