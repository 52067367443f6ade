// The change as a diff, file by file, for the AI agent's prompt (the agent trims it to its token budget).

import { createGit, type GitOptions } from './client.js';

export interface FilePatch {
  path: string;
  /** The file's part of `git diff` (from its `diff --git` line), '' when git shows no text diff. */
  patch: string;
  binary: boolean;
  /** Why there is no patch to show (e.g. GitHub lists none for huge files). */
  omitted?: string;
}

/** Beyond this much diff text the rest is not read (a vendored bundle or a lockfile rewrite). */
const MAX_DIFF_CHARS = 4_000_000;

/**
 * `git diff base...head`, split per file. Read from any git directory that has both commits (the job's
 * worktree). External diff drivers and textconv filters of the repository are never run.
 */
export async function readPatches(
  repoDir: string,
  baseSha: string,
  headSha: string,
  opts: GitOptions = {},
): Promise<FilePatch[]> {
  const git = createGit(repoDir, opts);
  const args = ['diff', '--no-color', '--no-ext-diff', '--no-textconv', '-U3', '--find-renames'];
  // Three dots: what the branch changed since it left base (like a pull request shows it).
  const out = await git
    .raw([...args, `${baseSha}...${headSha}`, '--'])
    .catch(() => git.raw([...args, baseSha, headSha, '--']));
  return splitPatches(out.slice(0, MAX_DIFF_CHARS));
}

export function splitPatches(diff: string): FilePatch[] {
  const patches: FilePatch[] = [];
  for (const part of diff.split(/^(?=diff --git )/m)) {
    if (!part.startsWith('diff --git ')) continue;
    const header = part.slice(0, part.indexOf('\n') === -1 ? part.length : part.indexOf('\n'));
    // "diff --git a/x b/x": the b/ side is the file as it is on the branch.
    const plusLine = /^\+\+\+ b\/(.*)$/m.exec(part)?.[1];
    const renameTo = /^rename to (.*)$/m.exec(part)?.[1];
    const fromHeader = / b\/(.*)$/.exec(header)?.[1];
    const path = (plusLine ?? renameTo ?? fromHeader ?? header).trim();
    const binary = /^Binary files .* differ$/m.test(part) || /^GIT binary patch$/m.test(part);
    patches.push({ path, patch: part.trimEnd(), binary });
  }
  return patches;
}
