// One agent tool = one definition: its name and schema (what the model may send), what it does on the
// agent's tab (`handle`), and how the step it recorded is replayed — as lines of a Playwright test
// (reproduce.spec.ts) and directly on a page (a failure re-checked on the base commit without the model).
// The same file holds all four, the way Playwright MCP's `defineTool` does, so they cannot drift apart.

import type { Page } from 'playwright-core';
import type { z } from 'zod';
import type { AgentTab } from '../agentTab.js';

/** A successful step as stored: plain JSON, origin-independent (paths, not URLs; locators as code). */
export interface RecordedStep {
  /** The tool that did it (its definition replays it). */
  tool: string;
  args: Record<string, unknown>;
}

/** What a tool's handler reports; the tab adds the problems and the observation. */
export class ToolResponse {
  readonly lines: string[] = [];
  image?: { mediaType: 'image/jpeg' | 'image/png'; data: string };
  /** The saved screenshot, relative to the artifact dir. */
  screenshot?: string;
  /** The step in words and as a replayable record (successful actions only). */
  recorded?: { step: string; action: RecordedStep };
  /** A snapshot text the handler sent itself (an expanded part, find results): measured for the budget. */
  sent?: { kind: 'part' | 'find'; fullChars: number; chars: number };

  constructor(private readonly tool: string) {}

  addText(text: string): void {
    this.lines.push(text);
  }

  /** Records the step for "steps to reproduce" and for replay (args as the tool's replay reads them). */
  record(step: string, args: Record<string, unknown>): void {
    this.recorded = { step, action: { tool: this.tool, args } };
  }
}

export interface ReplayContext {
  /** Resolves a stored path against the origin the replay runs on. */
  url(path: string): string;
}

export type Observe = 'changes' | 'full' | 'none';

export interface ToolDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  schema: S;
  /**
   * What the model is shown of the page after the tool ran: 'changes' (default) what changed since the
   * last snapshot, 'full' the whole (fitted) page, 'none' no snapshot (the tool sends its own text).
   */
  observe?: Observe | ((params: z.infer<S>) => Observe);
  handle(tab: AgentTab, params: z.infer<S>, response: ToolResponse, call: { label: string }): Promise<void>;
  /** For tools that record steps: the step as test code, and the same step done on a page. */
  replay?: {
    code(args: Record<string, unknown>): string[];
    run(page: Page, args: Record<string, unknown>, ctx: ReplayContext): Promise<void>;
  };
}

export function defineTool<S extends z.ZodType>(def: ToolDefinition<S>): ToolDefinition<S> {
  return def;
}

/** A failure the model can recover from: sent back as an `is_error` result, the run goes on. */
export class ToolError extends Error {}

/** The longest any wait of the agent lasts (waiting for a text, or for time): the schema says it too. */
export const MAX_WAIT_SECONDS = 10;
