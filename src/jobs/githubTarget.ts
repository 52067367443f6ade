// A pull request as a job target: ask GitHub what it is (facts, SHAs, changed files, clone URL),
// decide whether its code may run (src/trust/), then check its head out through the cached repository.

import type { ResolvedToken } from '../auth/resolveToken.js';
import { anonymousHostNote } from '../auth/tokenHosts.js';
import { loginCommand } from '../config/githubLogin.js';
import { CoworkerError, throwIfCancelled, toCoworkerError } from '../errors.js';
import { checkoutPullRequest } from '../git/prCheckout.js';
import type { GithubEndpoints } from '../github/endpoints.js';
import {
  fetchCanPush,
  fetchHeadSha,
  fetchPullRequest,
  type PullRequestFacts,
} from '../github/pullRequest.js';
import { type GithubTarget, prUrl, repoId } from '../github/targetParse.js';
import { printable } from '../printable.js';
import { oneOffCommand, type TrustGrant, trustCommand } from '../trust/consent.js';
import { decideTrust, type TrustDecision } from '../trust/policy.js';
import type { GithubDeps, TargetCheckout, TargetCheckoutContext } from './targetCheckout.js';

export interface ResolvedPullRequest {
  pr: PullRequestFacts;
  token: ResolvedToken | null;
  endpoints: GithubEndpoints;
  /** Whether the policy lets the PR's code run without asking (src/trust/policy.ts). */
  decision: TrustDecision;
}

/**
 * Ask GitHub about a PR and decide whether its code may run without asking. No token goes to a host
 * the user did not configure (the PR is then asked for anonymously, with a note).
 */
export async function resolvePullRequest(
  spec: GithubTarget,
  github: GithubDeps,
  opts: { signal?: AbortSignal; onProgress?: (message: string) => void } = {},
): Promise<ResolvedPullRequest> {
  const host = github.github(spec.host);
  const name = `${spec.owner}/${spec.repo}#${spec.number}`;
  opts.onProgress?.(`asking ${spec.host} about ${name}`);
  const token = await host.token();
  if (!token && !(await host.isUserHost())) {
    const note = anonymousHostNote(spec.host, github.configFile);
    github.logger?.warn(note);
    opts.onProgress?.(`note: ${note}`);
  }
  const call = { token, ...(opts.signal ? { signal: opts.signal } : {}) };
  const pr = await host.call(`pull request ${name}`, (client) => fetchPullRequest(client, spec), call);
  let canPush = pr.canPushToBase;
  if (canPush === null && token && !pr.isFork) {
    // The PR's answer did not carry the permission: ask for the repository itself.
    try {
      canPush = await host.call(
        `repository ${pr.baseRepo}`,
        (client) => fetchCanPush(client, pr.baseRepo),
        call,
      );
    } catch (err) {
      const error = toCoworkerError(err);
      if (error.code === 'CANCELLED') throw error;
      github.logger?.debug(`push permission of ${pr.baseRepo}: ${error.message}`);
    }
  }
  const decision = decideTrust(
    {
      host: spec.host,
      baseRepo: pr.baseRepo,
      headRepo: pr.isFork && pr.headRepo === '(deleted fork)' ? null : pr.headRepo,
      isFork: pr.isFork,
      canPushToBase: canPush,
    },
    await github.trustLists(),
  );
  return { pr, token, endpoints: host.endpoints, decision };
}

/**
 * The current head commit of a pull request, with one API request (to deduplicate requests for the
 * same PR at the same commit). Uses the host's token when there is one. Throws CoworkerError.
 */
export function resolveHeadSha(
  spec: GithubTarget,
  github: Pick<GithubDeps, 'github'>,
  opts: { signal?: AbortSignal } = {},
): Promise<string> {
  return github
    .github(spec.host)
    .call(`pull request ${spec.owner}/${spec.repo}#${spec.number}`, (client) => fetchHeadSha(client, spec), {
      ...opts,
      maxRateLimitWaitMs: 10_000,
      retries: 1,
    });
}

export async function checkoutGithubTarget(
  spec: GithubTarget,
  ctx: TargetCheckoutContext,
): Promise<TargetCheckout> {
  const github = ctx.github;
  if (!github) throw new Error('checkoutTarget: GitHub targets need ctx.github');
  const { pr, token, endpoints, decision } = await resolvePullRequest(spec, github, {
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
  });
  const state = [pr.state, pr.draft ? 'draft' : '', pr.isFork ? `from the fork ${pr.headRepo}` : ''].filter(
    Boolean,
  );
  ctx.onProgress?.(
    `PR #${pr.number} by ${pr.author} (${state.join(', ')}): ${pr.changedFilesCount} changed file(s)` +
      (pr.state === 'open' ? '' : ` — the PR is ${pr.state}; simulating its last head anyway`),
  );
  if (decision.trusted) ctx.onProgress?.(`runs without asking: ${decision.detail}`);
  else if (!ctx.consent) throw untrustedError(spec, pr, decision);
  else if (ctx.consent.headSha !== pr.headSha) throw movedSinceConsent(spec, pr, ctx.consent);
  else ctx.onProgress?.(`runs with your consent (${consentHow[ctx.consent.how]}): ${decision.detail}`);
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
  };
}

const consentHow: Record<TrustGrant['how'], string> = {
  prompt: 'answered yes',
  flag: '--trust',
  elicitation: 'agreed in the MCP client',
};

/** The refusal of code nobody agreed to run, with the ways to agree. */
export function untrustedError(
  spec: GithubTarget,
  pr: PullRequestFacts,
  decision: TrustDecision,
): CoworkerError {
  const trust = trustCommand(spec.host, pr);
  const login =
    decision.reason === 'access-unknown'
      ? ` If you can push to ${pr.baseRepo}, log in (\`${loginCommand(spec.host)}\`) and it runs without asking.`
      : '';
  return new CoworkerError(
    'UNTRUSTED_CODE',
    `Pull request #${pr.number} of ${pr.baseRepo} by @${printable(pr.author)} was not run: ${decision.detail}. ` +
      "Simulating it runs that code — its install scripts and its dev server — on this machine with your user's " +
      'rights (your files, your keys, your network), so it runs only when you say so.',
    `Read the changes first (${pr.url}/files). To run it once: \`${oneOffCommand(prUrl(spec))}\`` +
      (trust ? `; to trust ${pr.headRepo} from now on: \`${trust}\`.` : '.') +
      login,
  );
}

function movedSinceConsent(spec: GithubTarget, pr: PullRequestFacts, grant: TrustGrant): CoworkerError {
  return new CoworkerError(
    'UNTRUSTED_CODE',
    `Pull request #${pr.number} of ${pr.baseRepo} changed after you agreed to run it: its head is now ` +
      `${pr.headSha.slice(0, 12)}, you agreed to ${grant.headSha.slice(0, 12)}. The new commits were not run.`,
    `Read the new changes (${pr.url}/commits) and simulate it again: \`myfav-coworker simulate ${prUrl(spec)}\`.`,
  );
}
