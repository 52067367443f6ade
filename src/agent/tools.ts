// The agent's tools: names, input schemas (zod → JSON Schema for the API, and the same zod schema to
// validate what the model sends), and their execution on the agent's browser. The names are a contract:
// cached replays and exported tests rely on them.
//
// There is deliberately nothing here but the browser and `report`: no shell, files, network or GitHub.

import { z } from 'zod';
import type { AgentBrowser, ToolOutcome } from '../browser/agentBrowser.js';

const ref = z
  .string()
  .min(1)
  .max(40)
  .describe('Exact ref of the element from the latest snapshot of the page, e.g. "e12" or "f1e3".');
const element = z
  .string()
  .min(1)
  .max(200)
  .describe('What the element is, in words (e.g. "Save button"): used in the steps to reproduce.');

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

interface ToolSpec<S extends z.ZodType> {
  description: string;
  schema: S;
  run(browser: AgentBrowser, input: z.infer<S>, call: { label: string }): Promise<ToolOutcome>;
}

const empty = z.object({}).strict();

function tool<S extends z.ZodType>(spec: ToolSpec<S>): ToolSpec<S> {
  return spec;
}

const browserTools = {
  browser_navigate: tool({
    description:
      'Open a page of the app, by path ("/settings") or URL. Only the app\'s own origin can be opened; anything else is refused.',
    schema: z.object({ url: z.string().min(1).max(2000).describe('Path or URL on the app.') }).strict(),
    run: (b, i) => b.navigate(i.url),
  }),
  browser_snapshot: tool({
    description:
      'The accessibility snapshot of the whole current page (on a long page, parts are shown as one-line outlines), or, with `ref`, of one element and everything inside it (e.g. a part shown as an outline). Actions already return what changed, so call this only when you need the full picture.',
    schema: z
      .object({ ref: ref.optional().describe('Optional: only this element and its contents.') })
      .strict(),
    run: (b, i) => b.snapshot(i.ref),
  }),
  browser_click: tool({
    description: 'Click an element. Returns what changed on the page, and any errors since the last step.',
    schema: z.object({ ref, element }).strict(),
    run: (b, i) => b.click(i.ref, i.element),
  }),
  browser_type: tool({
    description:
      'Replace the text of an input or textarea (like a user selecting all and typing), optionally pressing Enter after.',
    schema: z
      .object({
        ref,
        element,
        text: z.string().max(5000).describe('The text to type ("" clears the field).'),
        submit: z.boolean().optional().describe('Press Enter afterwards (submits most forms).'),
      })
      .strict(),
    run: (b, i) => b.type(i.ref, i.element, i.text, i.submit ?? false),
  }),
  browser_select_option: tool({
    description: 'Choose one or more options of a <select> (by value or visible label).',
    schema: z.object({ ref, element, values: z.array(z.string().max(500)).min(1).max(20) }).strict(),
    run: (b, i) => b.selectOption(i.ref, i.element, i.values),
  }),
  browser_press_key: tool({
    description:
      'Press a key or a combination on the focused element, e.g. "Enter", "Escape", "Tab", "ArrowDown", "Control+a".',
    schema: z.object({ key: z.string().min(1).max(40) }).strict(),
    run: (b, i) => b.pressKey(i.key),
  }),
  browser_hover: tool({
    description: 'Move the mouse over an element (menus, tooltips).',
    schema: z.object({ ref, element }).strict(),
    run: (b, i) => b.hover(i.ref, i.element),
  }),
  browser_wait_for: tool({
    description:
      'Wait until a text appears, or disappears, or for a number of seconds (at most 10). Checking that a text is shown also becomes an assertion of the generated test.',
    schema: z
      .object({
        text: z.string().min(1).max(500).optional().describe('Wait until this text is visible.'),
        textGone: z
          .string()
          .min(1)
          .max(500)
          .optional()
          .describe('Wait until this text is no longer visible.'),
        seconds: z
          .number()
          .min(0)
          .max(10)
          .optional()
          .describe('Seconds to wait (alone), or the longest wait for the text (default 10).'),
      })
      .strict()
      .refine((i) => i.text !== undefined || i.textGone !== undefined || i.seconds !== undefined, {
        message: 'give text, textGone or seconds',
      }),
    run: (b, i) => b.waitFor(i),
  }),
  browser_screenshot: tool({
    description:
      'A screenshot of the visible part of the page, saved as evidence (the result names the file to cite). Use it to show a problem; you do not need it to act.',
    schema: empty,
    run: (b, _i, call) => b.screenshot(call.label),
  }),
  browser_console_messages: tool({
    description: "All console messages and uncaught errors since the agent's tab opened.",
    schema: empty,
    run: (b) => b.consoleMessages(),
  }),
  browser_network_requests: tool({
    description: 'The requests of the current page since it loaded, with their status.',
    schema: empty,
    run: (b) => b.networkRequests(),
  }),
} as const;

export const REPORT_TOOL = 'report';

const reportTool = {
  description:
    'Finish: your verdict, a summary and your findings. Call it as soon as you have evidence; it ends the run.',
  schema: reportSchema,
};

export type BrowserToolName = keyof typeof browserTools;
export const TOOL_NAMES = [...Object.keys(browserTools), REPORT_TOOL] as readonly string[];

/** Tool definitions for the Messages API, in a fixed order (part of the cached prompt prefix). */
export function toolDefinitions(): {
  name: string;
  description: string;
  input_schema: { type: 'object'; [key: string]: unknown };
}[] {
  const all: [string, { description: string; schema: z.ZodType }][] = [
    ...(Object.entries(browserTools) as [string, { description: string; schema: z.ZodType }][]),
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
  if (!Object.hasOwn(browserTools, name)) {
    return {
      kind: 'invalid',
      message: `There is no tool named ${JSON.stringify(name)}. The tools are: ${TOOL_NAMES.join(', ')}.`,
    };
  }
  const spec = browserTools[name as BrowserToolName];
  const parsed = spec.schema.safeParse(input);
  return parsed.success
    ? { kind: 'browser', name: name as BrowserToolName, input: parsed.data }
    : { kind: 'invalid', message: `Invalid input for ${name}: ${issues(parsed.error)}` };
}

export function runBrowserTool(
  browser: AgentBrowser,
  name: BrowserToolName,
  input: unknown,
  call: { label: string },
): Promise<ToolOutcome> {
  const spec = browserTools[name] as ToolSpec<z.ZodType>;
  return spec.run(browser, input, call);
}

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`)
    .join('; ');
}
