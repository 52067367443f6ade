// Small throwaway git repositories for tests: a `main` commit and, per branch, one commit on top.
// Commits use a fixed identity and dates and ignore the user's git config (see fixtures/isolatedGit.js),
// so the same input always gives the same SHAs.
import { mkdir, mkdtemp, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { git } from '../../fixtures/isolatedGit.js';

export interface GitRepoOptions {
  /** Files of the `main` commit: repo-relative path (with `/`) → content. */
  files: Record<string, string>;
  /** Branches made from `main`, one commit each: path → new content, or `null` to delete the file. */
  branches?: Record<string, Record<string, string | null>>;
  /** Where to create the repo (created if missing, must be empty). Default: a new `myfav-test-*` temp dir. */
  dir?: string;
}

export interface GitRepo {
  /** Real absolute path of the repository; `main` is checked out. */
  path: string;
  /** Remove the repository directory (also a `dir` you passed in). Safe to call twice. */
  cleanup(): Promise<void>;
  /** Full commit SHA of a ref ('main', 'feature/x', 'main~1', …). */
  sha(ref: string): Promise<string>;
}

const MAIN_DATE = '2025-01-01T12:00:00Z';
const BRANCH_DATE = '2025-01-02T12:00:00Z';

/** Resolve a repo-relative path, refusing anything that would land outside the repo. */
function fileIn(repo: string, relPath: string): string {
  const target = path.resolve(repo, relPath);
  if (path.isAbsolute(relPath) || !target.startsWith(repo + path.sep)) {
    throw new Error(`createGitRepo: file path "${relPath}" must be relative and inside the repository.`);
  }
  return target;
}

async function writeFiles(repo: string, files: Record<string, string | null>): Promise<void> {
  for (const [relPath, content] of Object.entries(files)) {
    const target = fileIn(repo, relPath);
    if (content === null) {
      await rm(target, { force: true });
    } else {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }
  }
}

async function prepareDir(dir: string | undefined): Promise<string> {
  if (dir === undefined) return realpath(await mkdtemp(path.join(tmpdir(), 'myfav-test-')));
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) throw new Error(`createGitRepo: ${dir} is not empty.`);
  return realpath(dir);
}

export async function createGitRepo(opts: GitRepoOptions): Promise<GitRepo> {
  const repo = await prepareDir(opts.dir);
  const cleanup = () => rm(repo, { recursive: true, force: true });
  try {
    await git(repo, ['init', '--quiet']);
    await writeFiles(repo, opts.files);
    await git(repo, ['add', '--all']);
    // --allow-empty: `files: {}` still gives a main commit that branches can start from.
    await git(repo, ['commit', '--quiet', '--no-verify', '--allow-empty', '-m', 'Initial commit'], {
      date: MAIN_DATE,
    });
    for (const [branch, changes] of Object.entries(opts.branches ?? {})) {
      await git(repo, ['checkout', '--quiet', '-b', branch, 'main']);
      await writeFiles(repo, changes);
      await git(repo, ['add', '--all']);
      await git(
        repo,
        ['commit', '--quiet', '--no-verify', '--allow-empty', '-m', `Change files on ${branch}`],
        {
          date: BRANCH_DATE,
        },
      );
    }
    await git(repo, ['checkout', '--quiet', 'main']);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    path: repo,
    cleanup,
    sha: async (ref) => (await git(repo, ['rev-parse', '--verify', `${ref}^{commit}`])).trim(),
  };
}
