// The agent's tools as the Messages API sees them: the browser tools (one definition each, with schema,
// behaviour and replay, in src/browser/agentTools/) and `report`. zod → JSON Schema for the API, and the
// same zod schema validates what the model sends. The names are a contract: recorded steps and exported
// tests rely on them.
//
// There is deliberately nothing here but the browser and `report`: no shell, files, network or GitHub.

import { z } from 'zod';
import type { AgentTab, ToolOutcome } from '../browser/agentTab.js';
import { AGENT_TOOLS, agentTool } from '../browser/agentTools/index.js';

const findingSchema = z
  .object({
    severity: z
      .enum(['error', 'warning', 'info'])
      .describe('error: broken for a user; warning: wrong but usable, or suspicious; info: worth knowing.'),
    title: z.string().min(1).max(200).describe('One line: what is wrong, where.'),
    detail: z.string().min(1).max(4000).describe('What you did, what happened, what should have happened.'),
    steps: z
      .array(z.string().min(1).max(500))
      .min(1)
      .max(30)
      .describe(
        'Steps to reproduce, starting from a page path (e.g. "Open /", "Type \\"abc\\" into Search").',
      ),
    evidence: z
      .array(z.string().min(1).max(2000))
      .max(20)
      .describe(
        'Screenshot paths from tool results (e.g. "agent/step-04.png") and exact error/console lines you saw.',
      ),
  })
  .strict();

const reportSchema = z
  .object({
    verdict: z
      .enum(['pass', 'fail', 'inconclusive'])
      .describe(
        'fail: the change breaks something for a user; pass: you exercised it and it works; inconclusive: you could not exercise it.',
      ),
    summary: z.string().min(1).max(4000).describe('A few sentences: what you tested and what you found.'),
    findings: z.array(findingSchema).max(20).describe('One per distinct problem; empty when there is none.'),
  })
  .strict()
  .superRefine((report, ctx) => {
    const errors = report.findings.filter((f) => f.severity === 'error').length;
    if (report.verdict === 'fail' && errors === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['findings'],
        message: 'a "fail" verdict needs at least one finding with severity "error"',
      });
    }
    if (report.verdict === 'pass' && errors > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['verdict'],
        message: 'findings with severity "error" mean the verdict is "fail", not "pass"',
      });
    }
  });

export type AgentReport = z.infer<typeof reportSchema>;
export type AgentReportFinding = z.infer<typeof findingSchema>;

export const REPORT_TOOL = 'report';

const reportTool = {
  description:
    'Finish: your verdict, a summary and your findings. Call it as soon as you have evidence; it ends the run.',
  schema: reportSchema,
};

export type BrowserToolName = string;
export const TOOL_NAMES = [...AGENT_TOOLS.map((t) => t.name), REPORT_TOOL] as readonly string[];

/** Tool definitions for the Messages API, in a fixed order (part of the cached prompt prefix). */
export function toolDefinitions(): {
  name: string;
  description: string;
  input_schema: { type: 'object'; [key: string]: unknown };
}[] {
  const all: [string, { description: string; schema: z.ZodType }][] = [
    ...AGENT_TOOLS.map((t): [string, { description: string; schema: z.ZodType }] => [t.name, t]),
    [REPORT_TOOL, reportTool],
  ];
  return all.map(([name, spec]) => {
    const { $schema: _drop, ...schema } = z.toJSONSchema(spec.schema, { io: 'input' }) as Record<
      string,
      unknown
    >;
    return { name, description: spec.description, input_schema: { ...schema, type: 'object' as const } };
  });
}

export type ParsedCall =
  | { kind: 'browser'; name: BrowserToolName; input: unknown }
  | { kind: 'report'; report: AgentReport }
  | { kind: 'invalid'; message: string };

/** Check a tool call from the model: an unknown tool or invalid input becomes a message it can act on. */
export function parseToolCall(name: string, input: unknown): ParsedCall {
  if (name === REPORT_TOOL) {
    const parsed = reportSchema.safeParse(input);
    return parsed.success
      ? { kind: 'report', report: parsed.data }
      : { kind: 'invalid', message: `Invalid input for report: ${issues(parsed.error)}` };
  }
  const spec = agentTool(name);
  if (!spec) {
    return {
      kind: 'invalid',
      message: `There is no tool named ${JSON.stringify(name)}. The tools are: ${TOOL_NAMES.join(', ')}.`,
    };
  }
  const parsed = spec.schema.safeParse(input);
  return parsed.success
    ? { kind: 'browser', name, input: parsed.data }
    : { kind: 'invalid', message: `Invalid input for ${name}: ${issues(parsed.error)}` };
}

/** Runs a parsed call on the agent's tab (the tool's own definition does the work). */
export function runBrowserTool(
  tab: AgentTab,
  name: BrowserToolName,
  input: unknown,
  call: { label: string },
): Promise<ToolOutcome> {
  const spec = agentTool(name);
  if (!spec) throw new Error(`unknown tool ${name}`);
  return tab.run(spec, input, call);
}

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`)
    .join('; ');
}
