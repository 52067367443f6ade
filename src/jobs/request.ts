import type { SettingOverrides } from '../config/schema.js';

/** What to simulate, as parsed from the user's input (CLI argument or MCP call). */
export type TargetSpec =
  | { kind: 'local'; repoPath: string; headRef?: string; baseRef?: string }
  | { kind: 'github'; host: string; owner: string; repo: string; number: number };

export interface AgentOptions {
  /** false: `--no-agent`. */
  enabled: boolean;
  model?: string;
  maxSteps?: number;
  maxTokens?: number;
  maxSeconds?: number;
}

/** Everything needed to run a job; stored with it (no secrets: tokens are looked up when it runs). */
export interface SimulationRequest {
  /** The target as the user wrote it. */
  input: string;
  target: TargetSpec;
  settings: SettingOverrides;
  agent: AgentOptions;
  /** Run code from a fork's PR (GitHub targets). */
  trust?: boolean;
  /** Run the base commit again even when a cached run of it exists (`--refresh-base`). */
  refreshBase?: boolean;
}

/** Two requests for the same thing at the same head share a job (MCP clients retry). */
export function dedupeKey(target: TargetSpec, headSha?: string): string {
  const where =
    target.kind === 'local'
      ? `local:${target.repoPath}:${target.headRef ?? 'HEAD'}:${target.baseRef ?? ''}`
      : `github:${target.host}/${target.owner}/${target.repo}#${target.number}`;
  return headSha ? `${where}@${headSha}` : where;
}
