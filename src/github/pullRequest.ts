// What GitHub says about a pull request: its facts, its commits, and its changed files with patches.
// Everything here comes from the API, i.e. from whoever wrote the PR: strings are checked before
// anything uses them (SHAs are SHAs, the clone URL is a plain http(s) URL, branch names carry no control
// characters), and branch names are never passed to git (the checkout fetches pull/N/head and SHAs).

import { CoworkerError } from '../errors.js';
import type { GithubClient } from './octokit.js';
import type { GithubTarget } from './targetParse.js';

export interface ChangedFile {
  path: string;
  status: string;
  additions: number;
  deletions: number;
  previousPath?: string;
  /** Unified diff hunk(s) as GitHub gives them; absent for binary or huge files, or past the cap. */
  patch?: string;
  /** The patch was cut at `maxFilePatchChars`. */
  patchTruncated?: boolean;
}

export interface PullRequestFacts {
  number: number;
  url: string;
  title: string;
  body: string;
  author: string;
  state: 'open' | 'closed' | 'merged';
  draft: boolean;
  headRef: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
  /** OWNER/REPO the head branch lives in ("(deleted fork)" when gone). */
  headRepo: string;
  /** OWNER/REPO of the base (canonical spelling from the API). */
  baseRepo: string;
  isFork: boolean;
  /** The user's push permission on the base repository as the PR answer says it (null: not said, e.g. no token). */
  canPushToBase: boolean | null;
  /** From the API's base repository, never built from the input. */
  cloneUrl: string;
  /** GitHub's count of changed files (may exceed `files.length`). */
  changedFilesCount: number;
  files: ChangedFile[];
  /** Fewer files than the PR changes were kept (GitHub lists at most 3000). */
  filesTruncated: boolean;
  /** Some patches were dropped or cut to keep the total small. */
  patchesTruncated: boolean;
}

export interface PullRequestLimits {
  /** Changed files listed (GitHub's API stops at 3000). */
  maxFiles?: number;
  /** Total patch characters kept across files. */
  maxPatchChars?: number;
  /** Patch characters kept per file. */
  maxFilePatchChars?: number;
}

const defaults: Required<PullRequestLimits> = {
  maxFiles: 3000,
  maxPatchChars: 200_000,
  maxFilePatchChars: 20_000,
};
const maxBodyChars = 20_000;

/** Only the head SHA (one request): for deduplicating requests for the same PR at the same commit. */
export async function fetchHeadSha(client: GithubClient, spec: GithubTarget): Promise<string> {
  const { data } = await client.rest.pulls.get({
    owner: spec.owner,
    repo: spec.repo,
    pull_number: spec.number,
  });
  return sha(data.head?.sha, 'head SHA');
}

/**
 * The user's push permission on a repository (`GET /repos/{owner}/{repo}`), for when the PR's answer
 * did not carry it; null when GitHub does not say (anonymous requests).
 */
export async function fetchCanPush(client: GithubClient, fullName: string): Promise<boolean | null> {
  const [owner = '', repo = ''] = fullName.split('/');
  const { data } = await client.rest.repos.get({ owner, repo });
  return typeof data.permissions?.push === 'boolean' ? data.permissions.push : null;
}

export async function fetchPullRequest(
  client: GithubClient,
  spec: GithubTarget,
  limits: PullRequestLimits = {},
): Promise<PullRequestFacts> {
  const caps = { ...defaults, ...limits };
  const { data: pr } = await client.rest.pulls.get({
    owner: spec.owner,
    repo: spec.repo,
    pull_number: spec.number,
  });
  const baseRepo = pr.base?.repo;
  if (!baseRepo) throw unexpected('the pull request has no base repository');
  const headRepo = pr.head?.repo ?? null;
  const isFork = headRepo === null || headRepo.id !== baseRepo.id;

  const files: ChangedFile[] = [];
  let patchChars = 0;
  let patchesTruncated = false;
  const pages = client.paginate.iterator(client.rest.pulls.listFiles, {
    owner: spec.owner,
    repo: spec.repo,
    pull_number: spec.number,
    per_page: 100,
  });
  outer: for await (const page of pages) {
    for (const f of page.data) {
      if (files.length >= caps.maxFiles) break outer;
      const file: ChangedFile = {
        path: text(f.filename, 'file name'),
        status: String(f.status),
        additions: Number(f.additions) || 0,
        deletions: Number(f.deletions) || 0,
        ...(f.previous_filename ? { previousPath: text(f.previous_filename, 'file name') } : {}),
      };
      if (typeof f.patch === 'string') {
        const room = Math.min(caps.maxFilePatchChars, caps.maxPatchChars - patchChars);
        if (room <= 0) patchesTruncated = true;
        else {
          file.patch = f.patch.slice(0, room);
          if (f.patch.length > room) {
            file.patchTruncated = true;
            patchesTruncated = true;
          }
          patchChars += file.patch.length;
        }
      }
      files.push(file);
    }
  }
  const changedFilesCount = Number(pr.changed_files) || files.length;

  return {
    number: pr.number,
    url: httpUrl(pr.html_url, 'web URL'),
    title: String(pr.title ?? ''),
    body: String(pr.body ?? '').slice(0, maxBodyChars),
    author: String(pr.user?.login ?? '(unknown)'),
    state: pr.merged_at || pr.merged ? 'merged' : pr.state === 'closed' ? 'closed' : 'open',
    draft: pr.draft === true,
    headRef: text(pr.head.ref, 'head branch name'),
    headSha: sha(pr.head.sha, 'head SHA'),
    baseRef: text(pr.base.ref, 'base branch name'),
    baseSha: sha(pr.base.sha, 'base SHA'),
    headRepo: headRepo ? text(headRepo.full_name, 'repository name') : '(deleted fork)',
    baseRepo: text(baseRepo.full_name, 'repository name'),
    isFork,
    canPushToBase: typeof baseRepo.permissions?.push === 'boolean' ? baseRepo.permissions.push : null,
    cloneUrl: httpUrl(baseRepo.clone_url, 'clone URL'),
    changedFilesCount,
    files,
    filesTruncated: files.length < changedFilesCount,
    patchesTruncated,
  };
}

function sha(value: unknown, what: string): string {
  if (typeof value === 'string' && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(value)) return value;
  throw unexpected(`the ${what} is not a commit SHA`);
}

/** Data, never a command line: but no control characters (they would rewrite the user's terminal). */
function text(value: unknown, what: string): string {
  if (typeof value === 'string' && value.length > 0 && value.length <= 1024 && !hasControlChars(value))
    return value;
  throw unexpected(
    `the ${what} ${JSON.stringify(String(value).slice(0, 80))} is empty, too long, or contains control characters`,
  );
}

function hasControlChars(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function httpUrl(value: unknown, what: string): string {
  try {
    const url = new URL(String(value));
    if ((url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password)
      return url.href;
  } catch {
    // fall through
  }
  throw unexpected(`the ${what} is not a plain http(s) URL`);
}

function unexpected(what: string): CoworkerError {
  return new CoworkerError(
    'GITHUB_FAILED',
    `GitHub's answer about the pull request is not usable: ${what}.`,
    'Check the host (and MYFAV_GITHUB_API_URL if you set it); if it is GitHub, try again later.',
  );
}
