// Check out a pull request's head from GitHub into a job's worktree, through one cached bare repository
// per HOST/OWNER/REPO that only ever grows by what a PR needs: `refs/pull/N/head` and the base commit,
// fetched by SHA (GitHub serves reachable commits by SHA), and nothing when both are already there.
//
// Authentication: the token travels in the git process's environment as a config setting
// (GIT_CONFIG_COUNT/KEY/VALUE → `http.<origin>/.extraHeader`), scoped to the clone URL's origin. It is
// never written to a config file, never part of a URL, never on a command line (world-readable in
// /proc), and git's own output (which becomes our error messages) never contains it.
// Branch names from the API are never given to git: only `pull/N/head` and SHAs.

import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { CoworkerError, throwIfCancelled } from '../errors.js';
import type { CommitInfo } from '../report/model.js';
import { gitError, type RepoCache, repoCacheFor } from './cache.js';
import { createGit, type GitOptions } from './client.js';
import { commitsBetween } from './history.js';
import { isFullSha } from './refs.js';
import { withRepoLock } from './repoLock.js';
import { addWorktree, removeWorktree } from './worktree.js';

export interface PrCheckoutRequest {
  /** HOST/OWNER/REPO: the key of the cached repository. */
  repoKey: string;
  number: number;
  /** From the API's answer (never built from the input). */
  cloneUrl: string;
  headSha: string;
  baseSha: string;
  /** Sent only to a clone URL on one of `authOrigins`. Omit for public repositories without a login. */
  token?: string;
  authOrigins: string[];
}

export interface PrCheckoutContext {
  reposDir: string;
  /** Where this job's worktree goes (must not exist). */
  worktreeDir: string;
  signal?: AbortSignal;
}

export interface PrCheckout {
  mirrorDir: string;
  worktree: string;
  /** 'cloned': the cache was created; 'fetched': it existed (and got what was missing). */
  cache: 'cloned' | 'fetched';
  /** Whether anything had to be downloaded. */
  downloaded: boolean;
  /** base..head, newest first (capped at 50). */
  commits: CommitInfo[];
  remove(): Promise<void>;
}

const authKeys = ['GIT_CONFIG_COUNT', 'GIT_CONFIG_KEY_0', 'GIT_CONFIG_VALUE_0'];

export async function checkoutPullRequest(
  req: PrCheckoutRequest,
  ctx: PrCheckoutContext,
): Promise<PrCheckout> {
  if (!Number.isInteger(req.number) || req.number <= 0) throw new Error('checkoutPullRequest: bad PR number');
  if (!isFullSha(req.headSha) || !isFullSha(req.baseSha))
    throw new Error('checkoutPullRequest: SHAs expected');
  const url = new URL(req.cloneUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error('checkoutPullRequest: http(s) only');

  const local: GitOptions = ctx.signal ? { signal: ctx.signal } : {};
  const remote = remoteOptions(req, url, ctx.signal);
  const cache = repoCacheFor(
    ctx.reposDir,
    `github:${req.repoKey.toLowerCase()}`,
    req.repoKey.replace(/\//g, '-'),
  );
  const pinned = { head: `refs/myfav/pull/${req.number}/head`, base: `refs/myfav/pull/${req.number}/base` };

  let state: 'cloned' | 'fetched' = 'fetched';
  let downloaded = false;
  await withRepoLock(
    cache.lockPath,
    async () => {
      if (await createBareCache(cache)) state = 'cloned';
      const wants: string[] = [];
      if (!(await hasCommit(cache, req.headSha, local)))
        wants.push(`+refs/pull/${req.number}/head:${pinned.head}`);
      if (!(await hasCommit(cache, req.baseSha, local))) wants.push(`+${req.baseSha}:${pinned.base}`);
      if (wants.length) {
        downloaded = true;
        await fetch(cache, req, remote, wants);
      }
      // The PR may have moved between the API call and the fetch; the commit we resolved is what we test.
      if (!(await hasCommit(cache, req.headSha, local)))
        await fetch(cache, req, remote, [`+${req.headSha}:${pinned.head}`]);
      // Keep both commits referenced, so a later `git gc` cannot drop them from the cache.
      const git = createGit(cache.dir, local);
      await git.raw(['update-ref', pinned.head, req.headSha]);
      await git.raw(['update-ref', pinned.base, req.baseSha]);
      throwIfCancelled(ctx.signal);
      await addWorktree(cache.dir, ctx.worktreeDir, req.headSha, local);
    },
    ctx.signal,
  );

  const remove = () => withRepoLock(cache.lockPath, () => removeWorktree(cache.dir, ctx.worktreeDir));
  try {
    const commits = await commitsBetween(cache, req.baseSha, req.headSha, local);
    return { mirrorDir: cache.dir, worktree: ctx.worktreeDir, cache: state, downloaded, commits, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}

/** git options for talking to the clone URL: the auth header in the environment, only for its origin. */
function remoteOptions(req: PrCheckoutRequest, url: URL, signal: AbortSignal | undefined): GitOptions {
  const base: GitOptions = { ...(signal ? { signal } : {}), idleTimeoutMs: 120_000 };
  if (!req.token) return base;
  if (!req.authOrigins.includes(url.origin)) {
    throw new CoworkerError(
      'GITHUB_FAILED',
      `GitHub gave a clone URL on ${url.origin}, which is not the host the token belongs to (${req.authOrigins.join(', ')}): the token is not sent there.`,
      "If your GitHub Enterprise serves git from another address, set MYFAV_GITHUB_API_URL to that host's API URL.",
    );
  }
  const basic = Buffer.from(`x-access-token:${req.token}`).toString('base64');
  return {
    ...base,
    configInEnv: true,
    allowEnvironment: authKeys,
    env: {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: `http.${url.origin}/.extraHeader`,
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    },
  };
}

/** Create the cached bare repository when missing (beside its place, then renamed). true when created. */
async function createBareCache(cache: RepoCache): Promise<boolean> {
  const exists = await stat(path.join(cache.dir, 'HEAD')).then(
    () => true,
    () => false,
  );
  if (exists) return false;
  await mkdir(path.dirname(cache.dir), { recursive: true });
  const partial = `${cache.dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  try {
    await createGit(path.dirname(cache.dir)).raw(['init', '--bare', '--quiet', '--', partial]);
    await rm(cache.dir, { recursive: true, force: true });
    await rename(partial, cache.dir);
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw gitError('Could not create the repository cache', err);
  }
  return true;
}

async function hasCommit(cache: RepoCache, sha: string, opts: GitOptions): Promise<boolean> {
  return createGit(cache.dir, opts)
    .raw(['cat-file', '-e', `${sha}^{commit}`])
    .then(() => true)
    .catch(() => false);
}

async function fetch(
  cache: RepoCache,
  req: PrCheckoutRequest,
  opts: GitOptions,
  refspecs: string[],
): Promise<void> {
  try {
    await createGit(cache.dir, opts).raw([
      'fetch',
      '--no-tags',
      '--no-write-fetch-head',
      '--quiet',
      '--end-of-options',
      req.cloneUrl,
      ...refspecs,
    ]);
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    const repo = req.repoKey;
    if (
      /could not read Username|Authentication failed|returned error: 40[13]|terminal prompts disabled/i.test(
        text,
      )
    ) {
      throw req.token
        ? new CoworkerError(
            'AUTH_FAILED',
            `GitHub refused the token when fetching ${repo} with git.`,
            'Check that the token can read the repository (a classic token needs the `repo` scope), or log in again with `myfav-coworker login`.',
            { cause: err },
          )
        : new CoworkerError(
            'AUTH_REQUIRED',
            `${repo} cannot be fetched without logging in.`,
            'Log in with `myfav-coworker login` (or set GH_TOKEN) and try again.',
            { cause: err },
          );
    }
    if (/not our ref|couldn't find remote ref|no such remote ref|unadvertised object/i.test(text)) {
      throw new CoworkerError(
        'GITHUB_FAILED',
        `Pull request #${req.number} of ${repo} no longer has the commit GitHub reported (was it force-pushed just now?).`,
        'Run the simulation again.',
        { cause: err },
      );
    }
    throw gitError(`Could not fetch pull request #${req.number} of ${repo}`, err);
  }
}
