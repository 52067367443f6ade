// The agent's conversation: a plain loop over `messages.create`, one model turn per step.
//
// Why not the SDK's tool runner (`client.beta.messages.toolRunner`)? It runs tools and counts iterations,
// but this loop needs, between every two turns: the token and wall-clock budgets checked against the next
// request's projected size, a per-request abort at the time budget, the rolling prompt-cache breakpoint
// moved to the newest message, a budget note for the model when little is left, every call recorded for
// the transcript and the replayable test, and a stop as soon as `report` is called. That is most of the
// loop; a runner would be wrapped more than used.
//
// Caching: the prefix that never changes during a run — tools, system prompt, the context message with
// the change and the start page — carries cache breakpoints (the system prompt's covers the tools), and a
// third, rolling breakpoint sits on the newest tool results so each turn re-reads the previous turns from
// the cache (at a tenth of the price) instead of paying for them again.

import type {
  ContentBlockParam,
  Message,
  MessageParam,
  TextBlockParam,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages';
import type { AgentTab, ObservationSize, StepProblems, ToolOutcome } from '../browser/agentTab.js';
import type { RecordedStep } from '../browser/agentTools/tool.js';
import { clip } from '../clip.js';
import { type CoworkerError, throwIfCancelled } from '../errors.js';
import type { Logger } from '../log.js';
import { type AnthropicClient, describeApiFailure } from './client.js';
import type { TokenCounts } from './pricing.js';
import type { AgentBudgets } from './settings.js';
import { estimateImageTokens, estimateTokens } from './tokens.js';
import { type AgentReport, parseToolCall, runBrowserTool, toolDefinitions } from './tools.js';

export type StopCause =
  | 'report'
  | 'steps'
  | 'tokens'
  | 'time'
  | 'no-report'
  | 'refusal'
  | 'context-full'
  | 'error';

export interface TranscriptCall {
  /** 1-based over the whole run. */
  n: number;
  tool: string;
  input: unknown;
  ok: boolean;
  /** What the model was sent (text, trimmed for the transcript). */
  result: string;
  screenshot?: string;
  step?: string;
  observation?: ObservationSize;
  /** What went wrong on the page right after this call (uncaught errors, failed requests, …), short. */
  problems?: string[];
}

export interface TranscriptTurn {
  turn: number;
  /** What the model said besides its tool calls (trimmed). */
  thought?: string;
  stopReason: string | null;
  usage: TokenCounts;
  calls: TranscriptCall[];
}

export interface AgentAction {
  /** The call that did it (0: opening the start page). */
  n: number;
  /** Plain JSON: replayed by its tool's definition (src/browser/replay.ts). */
  action: RecordedStep;
  step: string;
  problems: StepProblems;
  /** The page after the step. */
  page: string;
}

export interface AgentRunResult {
  report: AgentReport | null;
  stoppedBy: StopCause;
  /** Why the run ended without a report, in words for the report. */
  reason?: string;
  error?: CoworkerError;
  turns: TranscriptTurn[];
  usage: TokenCounts;
  /** Successful actions in order (steps to reproduce, the replay test). */
  actions: AgentAction[];
  /** Problems seen after steps that were not actions (navigation failures, waits), in order. */
  problems: { n: number; problems: StepProblems; page: string }[];
  screenshots: string[];
  durationMs: number;
}

export interface AgentLoopOptions {
  client: AnthropicClient;
  model: string;
  browser: AgentTab;
  system: string;
  /** The first user message: the change, the crawl's findings, the app, the start page. */
  context: string;
  budgets: AgentBudgets;
  signal: AbortSignal;
  logger: Logger;
  /** For error messages: how many retries the client makes. */
  maxRetries: number;
  /** Longest reply per turn (max_tokens). */
  maxOutputTokens?: number;
  onProgress?: (message: string) => void;
}

const EPHEMERAL = { type: 'ephemeral' } as const;
const MAX_NUDGES = 2;
const TRANSCRIPT_TEXT = 4_000;
/** When this share of a budget is used, the model is told to wrap up. */
const WRAP_UP_SHARE = 0.8;

export async function runAgentLoop(opts: AgentLoopOptions): Promise<AgentRunResult> {
  const started = Date.now();
  const deadline = started + opts.budgets.maxSeconds * 1000;
  const maxOutput = opts.maxOutputTokens ?? 4096;
  const tools = toolDefinitions();
  const system: TextBlockParam[] = [{ type: 'text', text: opts.system, cache_control: EPHEMERAL }];
  const messages: MessageParam[] = [
    { role: 'user', content: [{ type: 'text', text: opts.context, cache_control: EPHEMERAL }] },
  ];
  const usage: TokenCounts = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  const result: AgentRunResult = {
    report: null,
    stoppedBy: 'no-report',
    turns: [],
    usage,
    actions: [],
    problems: [],
    screenshots: [],
    durationMs: 0,
  };
  const used = () => usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  // The next request re-reads everything so far; before the first one, estimate it.
  let projected =
    estimateTokens(opts.system) +
    estimateTokens(JSON.stringify(tools)) +
    estimateTokens(opts.context) +
    maxOutput;
  let rolling: { cache_control?: unknown } | null = null;
  let nudges = 0;
  let calls = 0;
  const stop = (cause: StopCause, reason?: string) => {
    result.stoppedBy = cause;
    if (reason) result.reason = reason;
  };

  for (;;) {
    throwIfCancelled(opts.signal);
    const b = opts.budgets;
    if (result.turns.length >= b.maxSteps) {
      stop('steps', `the step budget (${b.maxSteps} steps) ran out before the agent reported`);
      break;
    }
    if (Date.now() >= deadline) {
      stop('time', `the time budget (${b.maxSeconds} s) ran out before the agent reported`);
      break;
    }
    if (used() + projected > b.maxTokens) {
      stop(
        'tokens',
        `the token budget (${b.maxTokens.toLocaleString('en-US')} tokens) ran out before the agent reported ` +
          `(${used().toLocaleString('en-US')} used; the next step needed about ${projected.toLocaleString('en-US')})`,
      );
      break;
    }

    let response: Message;
    try {
      response = await opts.client.messages.create(
        { model: opts.model, max_tokens: maxOutput, system, tools, messages },
        { signal: AbortSignal.any([opts.signal, AbortSignal.timeout(Math.max(1, deadline - Date.now()))]) },
      );
    } catch (err) {
      throwIfCancelled(opts.signal);
      const failure = await describeApiFailure(err, opts.client.baseURL, opts.model, opts.maxRetries);
      if (failure === 'aborted') {
        stop('time', `the time budget (${b.maxSeconds} s) ran out while waiting for the model`);
      } else if (failure === 'context-full') {
        stop('context-full', "the conversation outgrew the model's context window before the agent reported");
      } else {
        stop('error', failure.message);
        result.error = failure;
      }
      break;
    }

    const turnUsage = addUsage(usage, response.usage);
    const thought = response.content
      .flatMap((block) => (block.type === 'text' && block.text.trim() ? [block.text.trim()] : []))
      .join('\n');
    const turn: TranscriptTurn = {
      turn: result.turns.length + 1,
      ...(thought ? { thought: clip(thought, TRANSCRIPT_TEXT) } : {}),
      stopReason: response.stop_reason,
      usage: turnUsage,
      calls: [],
    };
    result.turns.push(turn);
    const assistant = response.content.flatMap(toParam);
    if (assistant.length) messages.push({ role: 'assistant', content: assistant });
    const uses = response.content.filter((block) => block.type === 'tool_use');

    if (uses.length === 0) {
      if (response.stop_reason === 'refusal') {
        stop('refusal', 'the model declined to continue');
        break;
      }
      if (response.stop_reason === 'model_context_window_exceeded') {
        stop('context-full', "the conversation outgrew the model's context window before the agent reported");
        break;
      }
      if (++nudges > MAX_NUDGES) {
        stop('no-report', 'the agent stopped without calling report');
        break;
      }
      const note =
        response.stop_reason === 'max_tokens'
          ? 'Your reply was cut off at the output limit. Keep replies short: one or two tool calls, no long explanations; call report when you have evidence.'
          : 'Continue testing with the tools, and call report when you have evidence. (This note is from myfav-coworker, not from the page.)';
      pushUser(messages, [{ type: 'text', text: note }]);
      rolling = moveBreakpoint(messages, rolling);
      projected = turnInput(turnUsage) + turnUsage.outputTokens + estimateTokens(note);
      continue;
    }
    nudges = 0;

    const results: ContentBlockParam[] = [];
    let added = 0;
    for (const use of uses) {
      const n = ++calls;
      const parsed = parseToolCall(use.name, use.input);
      const record = (call: Omit<TranscriptCall, 'n' | 'tool' | 'input'>) =>
        turn.calls.push({ n, tool: use.name, input: trimInput(use.input), ...call });
      if (result.report) {
        const text = 'Not run: the run already ended with report.';
        results.push(toolResult(use.id, text, true));
        record({ ok: false, result: text });
        continue;
      }
      if (parsed.kind === 'invalid') {
        results.push(toolResult(use.id, parsed.message, true));
        added += estimateTokens(parsed.message);
        record({ ok: false, result: parsed.message });
        opts.onProgress?.(`step ${n}: ${use.name} → invalid (${clip(parsed.message, 80)})`);
        continue;
      }
      if (parsed.kind === 'report') {
        result.report = parsed.report;
        results.push(toolResult(use.id, 'Report received. The run is over.', false));
        record({ ok: true, result: 'Report received.' });
        opts.onProgress?.(`step ${n}: report → ${parsed.report.verdict}`);
        continue;
      }
      let outcome: ToolOutcome;
      try {
        outcome = await runBrowserTool(opts.browser, parsed.name, parsed.input, {
          label: `step-${String(n).padStart(2, '0')}`,
        });
      } catch (err) {
        throwIfCancelled(opts.signal);
        throw err;
      }
      const content: Exclude<ToolResultBlockParam['content'], string | undefined> = [
        { type: 'text', text: outcome.text },
      ];
      if (outcome.image) {
        content.push({
          type: 'image',
          source: { type: 'base64', media_type: outcome.image.mediaType, data: outcome.image.data },
        });
        added += estimateImageTokens(1024, 640);
      }
      results.push({
        type: 'tool_result',
        tool_use_id: use.id,
        content,
        ...(outcome.ok ? {} : { is_error: true }),
      });
      added += estimateTokens(outcome.text);
      if (outcome.screenshot) result.screenshots.push(outcome.screenshot);
      if (outcome.action && outcome.step) {
        result.actions.push({
          n,
          action: outcome.action,
          step: outcome.step,
          problems: outcome.problems,
          page: outcome.page,
        });
      } else if (hasProblems(outcome.problems)) {
        result.problems.push({ n, problems: outcome.problems, page: outcome.page });
      }
      record({
        ok: outcome.ok,
        result: clip(outcome.text, TRANSCRIPT_TEXT),
        observation: outcome.observation,
        ...(outcome.screenshot ? { screenshot: outcome.screenshot } : {}),
        ...(outcome.step ? { step: outcome.step } : {}),
        ...(hasProblems(outcome.problems) ? { problems: shortProblems(outcome.problems) } : {}),
      });
      opts.onProgress?.(
        `step ${n}: ${use.name}${describeInput(parsed.input)} → ${outcome.ok ? 'ok' : clip(firstLine(outcome.text), 80)}`,
      );
    }
    if (result.report) {
      stop('report');
      break;
    }

    const note = budgetNote(opts.budgets, result.turns.length, used(), Date.now() - started);
    if (note) results.push({ type: 'text', text: note });
    pushUser(messages, results);
    rolling = moveBreakpoint(messages, rolling);
    projected = turnInput(turnUsage) + turnUsage.outputTokens + added + (note ? estimateTokens(note) : 0);
  }

  result.durationMs = Date.now() - started;
  if (result.stoppedBy !== 'report') opts.logger.debug(`agent stopped: ${result.reason ?? result.stoppedBy}`);
  return result;
}

/** Adds a response's usage to the run's; returns the turn's own counts. */
function addUsage(total: TokenCounts, u: Message['usage']): TokenCounts {
  const turn: TokenCounts = {
    inputTokens: u.input_tokens ?? 0,
    outputTokens: u.output_tokens ?? 0,
    cacheReadTokens: u.cache_read_input_tokens ?? 0,
    cacheWriteTokens: u.cache_creation_input_tokens ?? 0,
  };
  total.inputTokens += turn.inputTokens;
  total.outputTokens += turn.outputTokens;
  total.cacheReadTokens += turn.cacheReadTokens;
  total.cacheWriteTokens += turn.cacheWriteTokens;
  return turn;
}

function turnInput(u: TokenCounts): number {
  return u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens;
}

/** The model's reply as it goes back into the conversation (text and tool calls; nothing else is enabled). */
function toParam(block: Message['content'][number]): ContentBlockParam[] {
  if (block.type === 'text') return block.text ? [{ type: 'text', text: block.text }] : [];
  if (block.type === 'tool_use')
    return [{ type: 'tool_use', id: block.id, name: block.name, input: block.input }];
  return [block as unknown as ContentBlockParam];
}

function toolResult(id: string, text: string, isError: boolean): ToolResultBlockParam {
  return { type: 'tool_result', tool_use_id: id, content: text, ...(isError ? { is_error: true } : {}) };
}

/** A user turn after the model's; when the model said nothing, the note joins the previous user turn. */
function pushUser(messages: MessageParam[], content: ContentBlockParam[]): void {
  const last = messages[messages.length - 1];
  if (last?.role === 'user' && Array.isArray(last.content)) {
    last.content.push(...content);
    return;
  }
  messages.push({ role: 'user', content });
}

/**
 * The rolling cache breakpoint goes on the last block of the newest message (the API allows four in all:
 * system, context, this one). The previous one is removed: the cache still finds that prefix, since it
 * looks back up to 20 blocks from a breakpoint.
 */
function moveBreakpoint(
  messages: MessageParam[],
  previous: { cache_control?: unknown } | null,
): { cache_control?: unknown } | null {
  if (previous) delete previous.cache_control;
  const last = messages[messages.length - 1];
  if (!last || !Array.isArray(last.content) || last.content.length === 0) return null;
  const block = last.content[last.content.length - 1] as { cache_control?: unknown };
  // The context message keeps its own breakpoint.
  if (messages.length === 1) return null;
  block.cache_control = EPHEMERAL;
  return block;
}

function budgetNote(b: AgentBudgets, turns: number, tokens: number, elapsedMs: number): string | null {
  const stepsLeft = b.maxSteps - turns;
  const parts: string[] = [];
  if (stepsLeft <= 2) parts.push(`${stepsLeft} step${stepsLeft === 1 ? '' : 's'} left`);
  if (tokens >= b.maxTokens * WRAP_UP_SHARE)
    parts.push(`${Math.round((tokens / b.maxTokens) * 100)}% of the token budget used`);
  if (elapsedMs >= b.maxSeconds * 1000 * WRAP_UP_SHARE) {
    parts.push(`${Math.max(0, Math.round(b.maxSeconds - elapsedMs / 1000))} s of the time budget left`);
  }
  if (!parts.length) return null;
  return `Budget: ${parts.join(', ')}. Call report now with what you have found (myfav-coworker note).`;
}

/** "uncaught TypeError: …", "POST /api/save → 500", "console error: …" (at most 5). */
function shortProblems(p: StepProblems): string[] {
  return [
    ...p.pageErrors.map((e) => `uncaught ${clip(e, 200)}`),
    ...p.failedRequests.map((r) => `${r.method} ${clip(r.url, 150)} → ${r.status ?? r.failure ?? 'failed'}`),
    ...p.consoleErrors.map((e) => `console error: ${clip(e, 200)}`),
  ].slice(0, 5);
}

function hasProblems(p: StepProblems): boolean {
  return p.pageErrors.length + p.consoleErrors.length + p.failedRequests.length > 0;
}

function describeInput(input: unknown): string {
  if (!input || typeof input !== 'object') return '';
  const i = input as Record<string, unknown>;
  const what = i.element ?? i.url ?? i.key ?? i.text ?? i.textGone;
  return typeof what === 'string' ? ` ${JSON.stringify(clip(what, 60))}` : '';
}

/** Tool input for the transcript: long strings cut. */
function trimInput(input: unknown): unknown {
  return JSON.parse(JSON.stringify(input ?? {}, (_k, v) => (typeof v === 'string' ? clip(v, 500) : v)));
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
