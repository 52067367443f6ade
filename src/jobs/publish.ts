// The last step of a job that was asked to (`--comment`, `--status`, MCP `comment: true`): the verdict
// written back to the pull request. A failure here never changes the verdict: it is recorded beside
// it (report.published), and the faces say it failed.

import { CoworkerError, toCoworkerError } from '../errors.js';
import type { GithubClient } from '../github/octokit.js';
import { type CommitState, commentMarker, setCommitStatus, upsertPullComment } from '../github/prFeedback.js';
import type { Logger } from '../log.js';
import { outcomeLabel, outcomeOf } from '../report/format.js';
import type { Published, Report } from '../report/model.js';
import { renderPrComment } from '../report/prComment.js';
import { productVersion } from '../version.js';
import type { SimulationRequest } from './request.js';
import type { GithubDeps } from './targetCheckout.js';

export async function publishToPullRequest(
  report: Report,
  request: SimulationRequest,
  deps: { github?: GithubDeps | undefined; logger: Logger; signal?: AbortSignal },
): Promise<Published | undefined> {
  const want = request.publish;
  if (!want?.comment && !want?.status) return undefined;
  // A cancelled run has nothing to say to reviewers (and the user stopped it on purpose).
  if (report.status === 'cancelled') return undefined;
  const published: Published = {};
  const target = request.target;
  const failed = (err: unknown) => ({ error: toCoworkerError(err).toJSON() });
  if (target.kind !== 'github') {
    const error = new CoworkerError(
      'INVALID_INPUT',
      'Nothing was written to GitHub: --comment and --status need a pull request as the target.',
      'Simulate the PR itself (e.g. `myfav-coworker simulate OWNER/REPO#N --comment`).',
    ).toJSON();
    if (want.comment) published.comment = { error };
    if (want.status) published.status = { error };
    return published;
  }
  let client: GithubClient;
  try {
    if (!deps.github) throw new Error('publishToPullRequest: pull requests need deps.github');
    client = await deps.github.github(target.host).client({
      maxRateLimitWaitMs: 30_000,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
  } catch (err) {
    if (want.comment) published.comment = failed(err);
    if (want.status) published.status = failed(err);
    return published;
  }
  const pr = { owner: target.owner, repo: target.repo, number: target.number };
  if (want.comment) {
    try {
      const body = renderPrComment(report, {
        marker: commentMarker,
        productVersion,
        ...(want.reportUrl ? { reportUrl: want.reportUrl } : {}),
      });
      published.comment = await upsertPullComment(client, pr, body);
      deps.logger.debug(`comment ${published.comment.action}: ${published.comment.url}`);
    } catch (err) {
      published.comment = failed(err);
    }
  }
  // The status belongs on the commit that was tested: without one (the job stopped before checkout)
  // there is nothing to mark.
  const sha = report.target?.headSha;
  if (want.status) {
    if (!sha) {
      published.status = {
        error: new CoworkerError(
          'GITHUB_FAILED',
          'No commit status was set: the job stopped before it knew which commit it tests.',
          'See the error above; the next run sets it.',
        ).toJSON(),
      };
    } else {
      try {
        const state = commitState(report);
        const outcome = await setCommitStatus(
          client,
          { owner: target.owner, repo: target.repo, sha },
          {
            state,
            description: `${outcomeLabel[outcomeOf(report)]}: ${report.summary}`,
            ...(want.reportUrl ? { targetUrl: want.reportUrl } : {}),
          },
        );
        published.status = { ...outcome, state };
      } catch (err) {
        published.status = failed(err);
      }
    }
  }
  return published;
}

/** pass → success; fail and inconclusive → failure (the change is not shown to work); no verdict → error. */
export function commitState(report: Pick<Report, 'status' | 'verdict'>): Exclude<CommitState, 'pending'> {
  if (report.status !== 'completed') return 'error';
  return report.verdict === 'pass' ? 'success' : 'failure';
}

/** The parts that failed, for the faces to report (and exit on). */
export function publishErrors(published: Published | undefined): string[] {
  if (!published) return [];
  const errors: string[] = [];
  for (const part of [published.comment, published.status]) {
    if (part && 'error' in part) errors.push(`${part.error.message} ${part.error.hint}`);
  }
  return errors;
}
