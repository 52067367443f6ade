// The user's trusted repositories and owners, kept in the user config (`trustedRepos`, `trustedOwners`)
// and changed only by the user: `myfav-coworker trust OWNER/REPO`, `trust --owner OWNER`, `untrust …`.

import { loadUserConfig, updateUserConfig } from '../config/userConfig.js';
import { CoworkerError } from '../errors.js';
import { defaultHost, normalizeHost } from '../github/endpoints.js';
import { ownerPattern, repoPattern } from '../github/targetParse.js';
import { displayOwner, displayRepo, listEntryKey, type TrustLists } from './policy.js';

export async function loadTrustLists(configDir: string): Promise<TrustLists> {
  const config = await loadUserConfig(configDir);
  return { repos: config.trustedRepos ?? [], owners: config.trustedOwners ?? [] };
}

export interface TrustEntry {
  kind: 'repo' | 'owner';
  /** As stored and shown: OWNER/REPO (github.com) or HOST/OWNER/REPO; OWNER or HOST/OWNER. */
  name: string;
}

/**
 * `OWNER/REPO` or `HOST/OWNER/REPO` (with kind repo), `OWNER` or `HOST/OWNER` (kind owner). Without a
 * host the entry is for `host` (GH_HOST, the config's githubHost, else github.com).
 */
export function parseTrustEntry(input: string, kind: 'repo' | 'owner', host = defaultHost): TrustEntry {
  const text = input
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
  const parts = text.split('/');
  const bare = kind === 'repo' ? 2 : 1;
  const example =
    kind === 'repo' ? 'acme/web or github.example.com/acme/web' : 'acme or github.example.com/acme';
  const bad = (why: string) =>
    new CoworkerError(
      'INVALID_INPUT',
      `${JSON.stringify(input.slice(0, 200))} is not a ${kind === 'repo' ? 'repository' : 'repository owner'}: ${why}.`,
      kind === 'repo'
        ? `Name it as OWNER/REPO, e.g. ${example} (an owner's every repository: --owner OWNER).`
        : `Name it as OWNER, e.g. ${example}.`,
    );
  if (parts.length !== bare && parts.length !== bare + 1) {
    throw bad(kind === 'repo' ? 'expected OWNER/REPO or HOST/OWNER/REPO' : 'expected OWNER or HOST/OWNER');
  }
  const entryHost = parts.length > bare ? normalizeHost(parts[0] ?? '') : host;
  if (!entryHost) throw bad(`"${parts[0]}" is not a host name`);
  const [owner = '', repo = ''] = parts.slice(parts.length - bare);
  if (!ownerPattern.test(owner)) throw bad(`"${owner}" is not a valid GitHub owner name`);
  if (kind === 'repo' && (!repoPattern.test(repo) || repo === '.' || repo === '..'))
    throw bad(`"${repo}" is not a valid repository name`);
  return {
    kind,
    name: kind === 'repo' ? displayRepo(entryHost, `${owner}/${repo}`) : displayOwner(entryHost, owner),
  };
}

/** Add an entry (no duplicates, whatever the spelling); false when it was already there. */
export async function addTrusted(configDir: string, entry: TrustEntry): Promise<boolean> {
  const field = entry.kind === 'repo' ? 'trustedRepos' : 'trustedOwners';
  const current = (await loadUserConfig(configDir))[field] ?? [];
  const key = listEntryKey(entry.name, entry.kind);
  if (current.some((e) => listEntryKey(e, entry.kind) === key)) return false;
  await updateUserConfig(configDir, { [field]: [...current, entry.name] });
  return true;
}

/** Remove an entry, whatever its spelling; false when it was not there. */
export async function removeTrusted(configDir: string, entry: TrustEntry): Promise<boolean> {
  const field = entry.kind === 'repo' ? 'trustedRepos' : 'trustedOwners';
  const current = (await loadUserConfig(configDir))[field] ?? [];
  const key = listEntryKey(entry.name, entry.kind);
  const kept = current.filter((e) => listEntryKey(e, entry.kind) !== key);
  if (kept.length === current.length) return false;
  await updateUserConfig(configDir, { [field]: kept });
  return true;
}
