// What a job that was asked to (`--comment`, `--status`, MCP `comment: true`) writes to its pull
// request: a pending status while it runs, then the verdict. A failure here never changes the verdict: it is recorded beside
// it (report.published), and the faces say it failed.

import { CoworkerError, toCoworkerError } from '../errors.js';
import type { GithubClient } from '../github/octokit.js';
import { type CommitState, commentMarker, setCommitStatus, upsertPullComment } from '../github/prFeedback.js';
import type { GithubTarget } from '../github/targetParse.js';
import type { Logger } from '../log.js';
import { outcomeLabel, outcomeOf } from '../report/format.js';
import type { Published, Report } from '../report/model.js';
import { renderPrComment } from '../report/prComment.js';
import { productVersion } from '../version.js';
import type { SimulationRequest } from './request.js';
import type { GithubDeps } from './targetCheckout.js';

type Wanted = NonNullable<SimulationRequest['publish']>;

/**
 * The job's feedback to its pull request. Once the job knows the commit it tests, `started` marks it
 * `pending` (GitHub shows the check as running); `finish` writes the verdict — the comment and the
 * final status. A job that ends without a verdict (cancelled) still replaces the pending status it set,
 * so no commit is left "running" by a run that stopped.
 */
export interface PullRequestFeedback {
  started(headSha: string): void;
  finish(report: Report): Promise<Published | undefined>;
}

export function pullRequestFeedback(
  request: SimulationRequest,
  deps: { github?: GithubDeps | undefined; logger: Logger },
): PullRequestFeedback {
  const want = request.publish;
  const target = request.target;
  let client: Promise<GithubClient> | undefined;
  const clientFor = (pr: GithubTarget) => {
    client ??= (async () => {
      if (!deps.github) throw new Error('pullRequestFeedback: pull requests need deps.github');
      return deps.github.github(pr.host).client({ maxRateLimitWaitMs: 30_000 });
    })();
    return client;
  };
  /** The pending status in flight (true once set): awaited before the final one, so they arrive in order. */
  let pending: Promise<boolean> | undefined;

  return {
    started(headSha) {
      if (!want?.status || target.kind !== 'github' || pending) return;
      const status = { state: 'pending' as const, description: 'Trying the change in a browser…' };
      pending = clientFor(target)
        .then((c) => setCommitStatus(c, shaOf(target, headSha), withLink(status, want)))
        .then(
          () => true,
          (err: unknown) => {
            // Not the verdict: the final status is tried again (and its failure reported) at the end.
            deps.logger.warn(`could not mark the commit as pending: ${toCoworkerError(err).message}`);
            return false;
          },
        );
    },
    async finish(report) {
      const wasPending = (await pending) === true;
      if (!want?.comment && !want?.status) return undefined;
      if (report.status === 'cancelled') {
        // A cancelled run has nothing to say to reviewers (the user stopped it on purpose); only the
        // pending status it set is taken back.
        const sha = report.target?.headSha;
        if (!wasPending || !sha || target.kind !== 'github') return undefined;
        return { status: await finalStatus(await clientFor(target), target, want, report, sha) };
      }
      if (target.kind !== 'github') return notAPullRequest(want);
      return publishVerdict(report, target, want, () => clientFor(target), deps.logger);
    },
  };
}

async function publishVerdict(
  report: Report,
  target: GithubTarget,
  want: Wanted,
  client: () => Promise<GithubClient>,
  logger: Logger,
): Promise<Published> {
  const published: Published = {};
  let c: GithubClient;
  try {
    c = await client();
  } catch (err) {
    if (want.comment) published.comment = failed(err);
    if (want.status) published.status = failed(err);
    return published;
  }
  if (want.comment) {
    try {
      const body = renderPrComment(report, {
        marker: commentMarker,
        productVersion,
        ...(want.reportUrl ? { reportUrl: want.reportUrl } : {}),
      });
      const pr = { owner: target.owner, repo: target.repo, number: target.number };
      published.comment = await upsertPullComment(c, pr, body);
      logger.debug(`comment ${published.comment.action}: ${published.comment.url}`);
    } catch (err) {
      published.comment = failed(err);
    }
  }
  // The status belongs on the commit that was tested: without one (the job stopped before checkout)
  // there is nothing to mark.
  const sha = report.target?.headSha;
  if (want.status) {
    published.status = sha
      ? await finalStatus(c, target, want, report, sha)
      : {
          error: new CoworkerError(
            'GITHUB_FAILED',
            'No commit status was set: the job stopped before it knew which commit it tests.',
            'See the error above; the next run sets it.',
          ).toJSON(),
        };
  }
  return published;
}

async function finalStatus(
  c: GithubClient,
  target: GithubTarget,
  want: Wanted,
  report: Report,
  sha: string,
): Promise<NonNullable<Published['status']>> {
  const state = commitState(report);
  const description =
    report.status === 'cancelled'
      ? 'Cancelled before a verdict.'
      : `${outcomeLabel[outcomeOf(report)]}: ${report.summary}`;
  try {
    const outcome = await setCommitStatus(c, shaOf(target, sha), withLink({ state, description }, want));
    return { ...outcome, state };
  } catch (err) {
    return failed(err);
  }
}

function notAPullRequest(want: Wanted): Published {
  const error = new CoworkerError(
    'INVALID_INPUT',
    'Nothing was written to GitHub: --comment and --status need a pull request as the target.',
    'Simulate the PR itself (e.g. `myfav-coworker simulate OWNER/REPO#N --comment`).',
  ).toJSON();
  return { ...(want.comment ? { comment: { error } } : {}), ...(want.status ? { status: { error } } : {}) };
}

const shaOf = (target: GithubTarget, sha: string) => ({ owner: target.owner, repo: target.repo, sha });
const withLink = <T extends object>(status: T, want: Wanted) =>
  want.reportUrl ? { ...status, targetUrl: want.reportUrl } : status;
const failed = (err: unknown) => ({ error: toCoworkerError(err).toJSON() });

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
