// What checking a target out gives a job, and what it needs to do so: types shared by the dispatcher
// (target.ts) and the pull-request side (githubTarget.ts), here so neither imports the other for them.

import type { GithubHost } from '../auth/githubHost.js';
import type { Checkout } from '../git/localCheckout.js';
import type { ChangedFile } from '../github/pullRequest.js';
import type { Logger } from '../log.js';
import type { TargetInfo } from '../report/model.js';
import type { TrustGrant } from '../trust/consent.js';
import type { TrustLists } from '../trust/policy.js';

/**
 * What a job needs to simulate a pull request: a GitHub host with the user's token for it (looked up
 * when the job runs, never stored with it), the user's trusted repositories, and where the user config
 * is (for messages). `Deps` (src/deps.ts) is one.
 */
export interface GithubDeps {
  github(host: string): GithubHost;
  trustLists(): Promise<TrustLists>;
  configFile: string;
  logger?: Logger;
}

export interface TargetCheckout {
  target: TargetInfo;
  worktree: string;
  mirrorDir: string;
  cache: Checkout['cache'];
  remove(): Promise<void>;
  /** Pull requests: the changed files with patches as GitHub lists them (capped), for the agent. */
  changes?: ChangedFile[];
}

export interface TargetCheckoutContext {
  reposDir: string;
  worktreeDir: string;
  signal?: AbortSignal;
  /** GitHub hosts, tokens and trust lists for pull requests (required for GitHub targets). */
  github?: GithubDeps;
  /** The user's consent to run a pull request the trust policy does not run by itself. */
  consent?: TrustGrant;
  onProgress?: (message: string) => void;
}
