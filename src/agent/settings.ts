// Whether the agent runs, with which key, model and budgets. Precedence, most specific first:
//   key    ANTHROPIC_API_KEY, else `anthropicApiKey` in the user config file
//   model  --model (request), else MYFAV_MODEL, else `model` in the user config file, else DEFAULT_MODEL
//   budget flags (request), else the defaults below
// The key is registered as a secret at once, so no log, report or error message can carry it.

import { loadUserConfig, userConfigPath } from '../config/userConfig.js';
import type { Logger } from '../log.js';
import { registerSecret } from '../redact.js';

/** The agent as a request asks for it (CLI flags, MCP arguments); stored with the job. */
export interface AgentOptions {
  /** false: `--no-agent`. */
  enabled: boolean;
  model?: string;
  maxSteps?: number;
  maxTokens?: number;
  maxSeconds?: number;
}

/**
 * The current Sonnet of the SDK's model list (@anthropic-ai/sdk 1.12). Not claude-sonnet-4-5: it reaches
 * end of life on 2026-11-30.
 */
export const DEFAULT_MODEL = 'claude-sonnet-5-5';

export interface AgentBudgets {
  /** Model turns (each reply of the model is one step). */
  maxSteps: number;
  /** Tokens processed over the whole run: input (cached or not) plus output. */
  maxTokens: number;
  /** Wall-clock seconds for the whole agent phase. */
  maxSeconds: number;
}

// A thorough exploration of one change takes 10–25 steps; 30 leaves room without letting a confused run
// wander. ~600k tokens is about $0.50 with caching at Sonnet prices (most of it cache reads).
export const DEFAULT_BUDGETS: AgentBudgets = { maxSteps: 30, maxTokens: 600_000, maxSeconds: 300 };

export interface AgentSettings {
  apiKey: string;
  keySource: 'ANTHROPIC_API_KEY' | 'config file';
  model: string;
  budgets: AgentBudgets;
}

export type AgentDecision = { run: true; settings: AgentSettings } | { run: false; reason: string };

export async function resolveAgentSettings(opts: {
  request: AgentOptions;
  configDir: string;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
}): Promise<AgentDecision> {
  const env = opts.env ?? process.env;
  if (!opts.request.enabled) return { run: false, reason: 'Skipped with --no-agent.' };

  let config: Awaited<ReturnType<typeof loadUserConfig>> = {};
  try {
    config = await loadUserConfig(opts.configDir);
  } catch (err) {
    // A broken config file must not cost the user the crawl's results: say why the agent did not run.
    const message = err instanceof Error ? err.message : String(err);
    opts.logger?.warn(message);
    if (!env.ANTHROPIC_API_KEY?.trim()) {
      return { run: false, reason: `Could not read the user config file: ${message}` };
    }
  }

  const envKey = env.ANTHROPIC_API_KEY?.trim();
  const apiKey = envKey || config.anthropicApiKey?.trim();
  if (!apiKey) {
    return {
      run: false,
      reason:
        `No Anthropic API key: set ANTHROPIC_API_KEY, or "anthropicApiKey" in ${userConfigPath(opts.configDir)}, ` +
        'to let Claude explore the change.',
    };
  }
  registerSecret(apiKey);
  const model =
    opts.request.model?.trim() || env.MYFAV_MODEL?.trim() || config.model?.trim() || DEFAULT_MODEL;
  return {
    run: true,
    settings: {
      apiKey,
      keySource: envKey ? 'ANTHROPIC_API_KEY' : 'config file',
      model,
      budgets: {
        maxSteps: opts.request.maxSteps ?? DEFAULT_BUDGETS.maxSteps,
        maxTokens: opts.request.maxTokens ?? DEFAULT_BUDGETS.maxTokens,
        maxSeconds: opts.request.maxSeconds ?? DEFAULT_BUDGETS.maxSeconds,
      },
    },
  };
}
