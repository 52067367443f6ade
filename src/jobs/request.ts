import type { AgentOptions } from '../agent/settings.js';
import type { SettingOverrides } from '../config/schema.js';
import type { TargetSpec } from '../github/targetParse.js';
import type { TrustGrant } from '../trust/consent.js';

// Defined beside their producers (the target parser, the agent's settings), used by every job.
export type { AgentOptions, TargetSpec };

/** Everything needed to run a job; stored with it (no secrets: tokens are looked up when it runs). */
export interface SimulationRequest {
  /** The target as the user wrote it. */
  input: string;
  target: TargetSpec;
  settings: SettingOverrides;
  agent: AgentOptions;
  /**
   * The user's consent to run a PR the trust policy does not run by itself (GitHub targets), bound to
   * the head commit they agreed to. Never set from a model's word (MCP `trust: true`).
   */
  consent?: TrustGrant;
  /** Run the base commit again even when a cached run of it exists (`--refresh-base`). */
  refreshBase?: boolean;
  /**
   * Write the verdict back to the pull request (GitHub targets): one comment, updated on later runs
   * (`--comment`), and a commit status on the head SHA (`--status`).
   */
  publish?: { comment?: boolean; status?: boolean; reportUrl?: string };
}

/**
 * Two requests for the same thing at the same head share a job (MCP clients retry). The key includes
 * the trust decision: a job run with the user's consent and one left to the policy never merge, so a
 * call can only join a job that was allowed to run the way it asked.
 */
export function dedupeKey(
  target: TargetSpec,
  headSha?: string,
  consent?: TrustGrant,
  publish?: SimulationRequest['publish'],
): string {
  const where =
    target.kind === 'local'
      ? `local:${target.repoPath}:${target.headRef ?? 'HEAD'}:${target.baseRef ?? ''}`
      : `github:${target.host}/${target.owner}/${target.repo}#${target.number}`;
  const key = headSha ? `${where}@${headSha}` : where;
  // A job that writes to the PR and one that does not are different jobs: joining one would post
  // where the caller did not ask, or not post where it did.
  const writes = [publish?.comment ? 'comment' : '', publish?.status ? 'status' : ''].filter(Boolean);
  const suffix = writes.length ? `:writes=${writes.join('+')}` : '';
  return target.kind === 'github' ? `${key}:${consent ? 'consented' : 'policy'}${suffix}` : key;
}
