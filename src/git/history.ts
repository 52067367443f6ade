import type { CommitInfo } from '../report/model.js';
import type { RepoCache } from './cache.js';
import { createGit, type GitOptions } from './client.js';

/** Commits in base..head, newest first, capped at 50: what the change says it does. */
export async function commitsBetween(
  cache: RepoCache,
  baseSha: string,
  headSha: string,
  opts: GitOptions,
): Promise<CommitInfo[]> {
  const out = await createGit(cache.dir, opts)
    .raw(['log', '--format=%H%x09%s', '-n', '50', `${baseSha}..${headSha}`, '--'])
    .catch(() => '');
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [sha = '', ...subject] = line.split('\t');
      return { sha, subject: subject.join('\t') };
    });
}
