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
