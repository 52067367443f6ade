// A pull request as a job target: ask GitHub what it is (facts, SHAs, changed files, clone URL),
// refuse a fork's code unless trusted, then check its head out through the cached repository.

import { CoworkerError, throwIfCancelled } from '../errors.js';
import { checkoutPullRequest } from '../git/prCheckout.js';
import { githubApiError } from '../github/apiErrors.js';
import { githubEndpoints } from '../github/endpoints.js';
import { createGithubClient } from '../github/octokit.js';
import { fetchPullRequest, type PullRequestFacts } from '../github/pullRequest.js';
import { type GithubTarget, prUrl, repoId } from '../github/targetParse.js';
import type { TargetCheckout, TargetCheckoutContext } from './target.js';

export async function checkoutGithubTarget(
  spec: GithubTarget,
  ctx: TargetCheckoutContext,
): Promise<TargetCheckout> {
  const github = ctx.github;
  if (!github) throw new Error('checkoutTarget: GitHub targets need ctx.github');
  const endpoints = githubEndpoints(spec.host, github.env);
  const name = `${spec.owner}/${spec.repo}#${spec.number}`;
  ctx.onProgress?.(`asking ${spec.host} about ${name}`);
  const token = await github.token(spec.host);
  let pr: PullRequestFacts;
  try {
    const client = await createGithubClient({
      apiUrl: endpoints.apiUrl,
      ...(token ? { token: token.token } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(github.logger ? { logger: github.logger } : {}),
      ...(github.maxRateLimitWaitMs !== undefined ? { maxRateLimitWaitMs: github.maxRateLimitWaitMs } : {}),
    });
    pr = await untilAborted(fetchPullRequest(client, spec), ctx.signal);
  } catch (err) {
    throw githubApiError(err, {
      host: spec.host,
      apiUrl: endpoints.apiUrl,
      what: `pull request ${name}`,
      ...(token ? { tokenSource: token.source } : {}),
    });
  }
  const state = [pr.state, pr.draft ? 'draft' : '', pr.isFork ? `from the fork ${pr.headRepo}` : ''].filter(
    Boolean,
  );
  ctx.onProgress?.(
    `PR #${pr.number} by ${pr.author} (${state.join(', ')}): ${pr.changedFilesCount} changed file(s)` +
      (pr.state === 'open' ? '' : ` — the PR is ${pr.state}; simulating its last head anyway`),
  );
  if (pr.isFork && !ctx.trust) {
    throw new CoworkerError(
      'UNTRUSTED_FORK',
      `Pull request #${pr.number} comes from a fork (${pr.headRepo}), not from ${pr.baseRepo}. Simulating it ` +
        "runs that code — its install scripts and its dev server — on this machine with your user's rights " +
        '(your files, your keys, your network), so it is not run unless you say so.',
      `Read the changes first (${pr.url}/files). If you trust them, run again with --trust (MCP: "trust": true).`,
    );
  }
  throwIfCancelled(ctx.signal);

  const repoKey = repoId({
    host: spec.host,
    owner: pr.baseRepo.split('/')[0] ?? spec.owner,
    repo: pr.baseRepo.split('/')[1] ?? spec.repo,
  });
  const checkout = await checkoutPullRequest(
    {
      repoKey,
      number: pr.number,
      cloneUrl: pr.cloneUrl,
      headSha: pr.headSha,
      baseSha: pr.baseSha,
      ...(token ? { token: token.token } : {}),
      authOrigins: endpoints.gitOrigins,
    },
    { reposDir: ctx.reposDir, worktreeDir: ctx.worktreeDir, ...(ctx.signal ? { signal: ctx.signal } : {}) },
  );
  return {
    target: {
      kind: 'github',
      input: prUrl(spec),
      repo: repoKey,
      headRef: pr.headRef,
      headSha: pr.headSha,
      baseRef: pr.baseRef,
      baseSha: pr.baseSha,
      changedFiles: pr.files.map((f) => f.path),
      ...(pr.filesTruncated ? { changedFilesTruncated: true } : {}),
      commits: checkout.commits,
      pr: {
        number: pr.number,
        url: pr.url,
        title: pr.title,
        body: pr.body,
        author: pr.author,
        state: pr.state,
        draft: pr.draft,
        headRepo: pr.headRepo,
        isFork: pr.isFork,
        changedFilesCount: pr.changedFilesCount,
      },
    },
    worktree: checkout.worktree,
    mirrorDir: checkout.mirrorDir,
    cache: checkout.cache,
    remove: checkout.remove,
    changes: pr.files,
    ...(pr.patchesTruncated ? { patchesTruncated: true } : {}),
  };
}

/** Octokit's rate-limit waits cannot be cancelled: stop waiting for them when the job is. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
