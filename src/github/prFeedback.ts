// Writing the verdict back to the pull request: one comment, found again by a hidden marker and
// updated in place (never a second one), and a commit status on the head SHA. Each call takes a
// GithubClient, so it works with whichever client the caller built for the host.

import { clip } from '../clip.js';
import { CoworkerError } from '../errors.js';
import { isRequestError } from './apiErrors.js';
import type { GithubClient } from './octokit.js';

export interface PullRef {
  owner: string;
  repo: string;
  number: number;
}

/** The first line of our comment: invisible on GitHub, how the next run finds the comment again. */
export const commentMarker = '<!-- myfav-coworker:verdict -->';

export interface CommentOutcome {
  id: number;
  url: string;
  action: 'created' | 'updated';
}

/**
 * Create our comment on the PR, or update the one an earlier run left (the first comment that starts
 * with the marker and that this token may edit). Comments are read with Octokit's pagination, 100 a page.
 */
export async function upsertPullComment(
  client: GithubClient,
  pr: PullRef,
  body: string,
  marker = commentMarker,
): Promise<CommentOutcome> {
  const text = body.startsWith(marker) ? body : `${marker}\n${body}`;
  const where = `${pr.owner}/${pr.repo}#${pr.number}`;
  try {
    const pages = client.paginate.iterator(client.rest.issues.listComments, {
      owner: pr.owner,
      repo: pr.repo,
      issue_number: pr.number,
      per_page: 100,
    });
    const ours: number[] = [];
    for await (const page of pages) {
      for (const c of page.data) if (c.body?.startsWith(marker)) ours.push(c.id);
    }
    for (const id of ours) {
      try {
        const { data } = await client.rest.issues.updateComment({
          owner: pr.owner,
          repo: pr.repo,
          comment_id: id,
          body: text,
        });
        return { id: data.id, url: data.html_url, action: 'updated' };
      } catch (err) {
        // Someone else's comment that copies the marker: not ours to edit; try the next, else create.
        if (isRequestError(err) && err.status === 403 && !isIntegrationRefusal(err)) continue;
        throw err;
      }
    }
    const { data } = await client.rest.issues.createComment({
      owner: pr.owner,
      repo: pr.repo,
      issue_number: pr.number,
      body: text,
    });
    return { id: data.id, url: data.html_url, action: 'created' };
  } catch (err) {
    throw writeError(err, `comment on ${where}`, 'pull-requests: write');
  }
}

export type CommitState = 'success' | 'failure' | 'error' | 'pending';

export interface StatusOutcome {
  sha: string;
  state: CommitState;
  context: string;
}

/** GitHub's limit on a status description. */
const maxDescription = 140;

export async function setCommitStatus(
  client: GithubClient,
  target: { owner: string; repo: string; sha: string },
  status: { state: CommitState; description: string; targetUrl?: string; context?: string },
): Promise<StatusOutcome> {
  const context = status.context ?? 'myfav-coworker';
  const description = clip(status.description, maxDescription);
  try {
    await client.rest.repos.createCommitStatus({
      owner: target.owner,
      repo: target.repo,
      sha: target.sha,
      state: status.state,
      description,
      context,
      ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
    });
    return { sha: target.sha, state: status.state, context };
  } catch (err) {
    throw writeError(
      err,
      `the commit status on ${target.owner}/${target.repo}@${target.sha.slice(0, 8)}`,
      'statuses: write',
    );
  }
}

function isIntegrationRefusal(err: { response?: { data?: unknown } }): boolean {
  const message = (err.response?.data as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && /not accessible by/i.test(message);
}

/** A write GitHub refused, in words that say which permission the token lacks. */
function writeError(err: unknown, what: string, permission: string): CoworkerError {
  if (err instanceof CoworkerError) return err;
  const hint =
    `The token needs write access: in GitHub Actions \`permissions: ${permission}\`; a fine-grained token ` +
    'the matching "Read and write" permission; a classic token the `repo` (or `public_repo`) scope and push ' +
    'access for statuses.';
  if (isRequestError(err)) {
    const status = err.status;
    const apiMessage = (err.response?.data as { message?: unknown } | undefined)?.message;
    const said = typeof apiMessage === 'string' ? `: ${apiMessage.slice(0, 200)}` : '';
    if (status === 401) {
      return new CoworkerError(
        'AUTH_REQUIRED',
        `Could not write ${what}: GitHub wants a token (HTTP 401${said}).`,
        `Set GITHUB_TOKEN (in Actions: \`github-token: \${{ github.token }}\`) or log in. ${hint}`,
        { cause: err },
      );
    }
    if (status === 403 || status === 404) {
      return new CoworkerError(
        'GITHUB_FAILED',
        `Could not write ${what}: the token may not write there (HTTP ${status}${said}).`,
        hint,
        { cause: err },
      );
    }
    return new CoworkerError(
      'GITHUB_FAILED',
      `Could not write ${what}: GitHub answered HTTP ${status}${said}.`,
      status >= 500 ? 'Try again in a moment.' : hint,
      { cause: err },
    );
  }
  return new CoworkerError(
    'GITHUB_FAILED',
    `Could not write ${what}: ${err instanceof Error ? err.message : String(err)}.`,
    'Check the network connection and MYFAV_GITHUB_API_URL if you set it, then try again.',
    { cause: err },
  );
}
