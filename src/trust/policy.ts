// Who decides that a pull request's code may run on this machine. Running a PR runs its author's
// install scripts and dev server with the user's rights, so it runs without asking only when the user
// already lets that code in: they can push to the base repository and the head branch lives there, or
// the repository (or its owner) the code comes from is on their own list. Everything else needs consent
// from the user themself (a terminal prompt, --trust, MCP elicitation) — never from a model's flag.

import { defaultHost } from '../github/endpoints.js';

/** What the policy looks at, all from GitHub's answer about the PR. */
export interface PullRequestOrigin {
  host: string;
  /** OWNER/REPO of the base. */
  baseRepo: string;
  /** OWNER/REPO the head branch lives in; null when the fork was deleted. */
  headRepo: string | null;
  isFork: boolean;
  /** The user's push permission on the base repository; null when GitHub did not say (no token). */
  canPushToBase: boolean | null;
}

/** The user's own list (`trustedRepos`, `trustedOwners` in the user config), entries as written. */
export interface TrustLists {
  repos: string[];
  owners: string[];
}

export type TrustDecision =
  | { trusted: true; reason: 'push-access' | 'trusted-repo' | 'trusted-owner'; detail: string }
  | { trusted: false; reason: 'fork' | 'no-push-access' | 'access-unknown'; detail: string };

/**
 * The decision for one PR. The list names where the code comes from (the head repository and its
 * owner), so trusting acme/web does not run a stranger's fork of it.
 */
export function decideTrust(origin: PullRequestOrigin, lists: TrustLists): TrustDecision {
  const source = origin.headRepo;
  if (source) {
    const repoKey = canonicalRepo(origin.host, source);
    const ownerKey = canonicalOwner(origin.host, source.split('/')[0] ?? '');
    if (lists.repos.some((entry) => listEntryKey(entry, 'repo') === repoKey)) {
      return {
        trusted: true,
        reason: 'trusted-repo',
        detail: `${displayRepo(origin.host, source)} is on your trusted list`,
      };
    }
    if (lists.owners.some((entry) => listEntryKey(entry, 'owner') === ownerKey)) {
      return {
        trusted: true,
        reason: 'trusted-owner',
        detail: `${displayOwner(origin.host, source.split('/')[0] ?? '')} is on your trusted owners list`,
      };
    }
  }
  if (origin.isFork) {
    return {
      trusted: false,
      reason: 'fork',
      detail: source
        ? `it comes from the fork ${source}, not from ${origin.baseRepo}`
        : `it comes from a fork of ${origin.baseRepo} that has since been deleted`,
    };
  }
  if (origin.canPushToBase === true) {
    return { trusted: true, reason: 'push-access', detail: `you can push to ${origin.baseRepo}` };
  }
  if (origin.canPushToBase === false) {
    return { trusted: false, reason: 'no-push-access', detail: `you cannot push to ${origin.baseRepo}` };
  }
  return {
    trusted: false,
    reason: 'access-unknown',
    detail: `without a GitHub token it is not known whether you can push to ${origin.baseRepo}`,
  };
}

/** "OWNER/REPO" for github.com, "HOST/OWNER/REPO" elsewhere: how the list and messages spell a repository. */
export function displayRepo(host: string, fullName: string): string {
  return host === defaultHost ? fullName : `${host}/${fullName}`;
}

export function displayOwner(host: string, owner: string): string {
  return host === defaultHost ? owner : `${host}/${owner}`;
}

/** Lower-case HOST/OWNER/REPO: GitHub's names are case-insensitive. */
function canonicalRepo(host: string, fullName: string): string {
  return `${host}/${fullName}`.toLowerCase();
}

function canonicalOwner(host: string, owner: string): string {
  return `${host}/${owner}`.toLowerCase();
}

/** The canonical key of a list entry; an entry without a host means github.com. */
export function listEntryKey(entry: string, kind: 'repo' | 'owner'): string {
  const parts = entry.trim().split('/').filter(Boolean);
  const bare = kind === 'repo' ? 2 : 1;
  return (parts.length > bare ? parts.join('/') : [defaultHost, ...parts].join('/')).toLowerCase();
}
