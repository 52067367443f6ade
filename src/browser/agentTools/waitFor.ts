import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { z } from 'zod';
import { defineTool, MAX_WAIT_SECONDS, ToolError } from './tool.js';

/**
 * "Shown" and "gone" mean the same live, in the replay and in the generated test: some element with the
 * text is visible / none is (a text that is only hidden, still in the DOM, is gone).
 */
function waitForText(page: Page, text: string, gone: boolean, timeoutMs: number): Promise<void> {
  return page
    .getByText(text)
    .filter({ visible: true })
    .first()
    .waitFor({ state: gone ? 'hidden' : 'visible', timeout: timeoutMs });
}

/** A replay waits as long as the agent could have: the machine may be slower than the agent's was. */
const REPLAY_WAIT_MS = MAX_WAIT_SECONDS * 1000;

export const waitForTool = defineTool({
  name: 'browser_wait_for',
  description: `Wait until a text appears, or disappears, or for a number of seconds (at most ${MAX_WAIT_SECONDS}). Checking that a text is shown or gone also becomes an assertion of the generated test.`,
  schema: z
    .object({
      text: z.string().min(1).max(500).optional().describe('Wait until this text is visible.'),
      textGone: z.string().min(1).max(500).optional().describe('Wait until this text is no longer visible.'),
      seconds: z
        .number()
        .min(0)
        .max(MAX_WAIT_SECONDS)
        .optional()
        .describe(`Seconds to wait (alone), or the longest wait for the text (default ${MAX_WAIT_SECONDS}).`),
    })
    .strict()
    .refine((i) => i.text !== undefined || i.textGone !== undefined || i.seconds !== undefined, {
      message: 'give text, textGone or seconds',
    }),
  async handle(tab, params, response) {
    const seconds = Math.min(Math.max(params.seconds ?? MAX_WAIT_SECONDS, 0), MAX_WAIT_SECONDS);
    const text = params.text ?? params.textGone;
    if (text === undefined) {
      await sleep(seconds * 1000);
      response.addText(`Waited ${seconds} s.`);
      return;
    }
    const gone = params.text === undefined;
    const quoted = JSON.stringify(text);
    await waitForText(tab.page, text, gone, Math.max(seconds, 0.1) * 1000).catch(() => {
      throw new ToolError(
        gone
          ? `The text ${quoted} was still shown after ${seconds} s.`
          : `The text ${quoted} did not appear within ${seconds} s.`,
      );
    });
    response.addText(gone ? `The text ${quoted} is gone.` : `The text ${quoted} is on the page.`);
    response.record(gone ? `Check that ${quoted} is no longer shown` : `Check that ${quoted} is shown`, {
      text,
      gone,
    });
  },
  replay: {
    code: (args) => [
      `await page.getByText(${JSON.stringify(String(args.text))}).filter({ visible: true }).first().waitFor({ state: '${args.gone ? 'hidden' : 'visible'}', timeout: ${REPLAY_WAIT_MS} });`,
    ],
    run: (page, args) => waitForText(page, String(args.text), args.gone === true, REPLAY_WAIT_MS),
  },
});
