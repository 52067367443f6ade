import type { Locator } from 'playwright-core';
import { z } from 'zod';
import { elementParam, refParam, refReplay, targetOf } from './refActions.js';
import { defineTool } from './tool.js';

async function type(locator: Locator, args: { text: string; submit: boolean }): Promise<void> {
  await locator.fill(args.text);
  if (args.submit) await locator.press('Enter');
}

export const typeTool = defineTool({
  name: 'browser_type',
  description:
    'Replace the text of an input or textarea (like a user selecting all and typing), optionally pressing Enter after.',
  schema: z
    .object({
      ref: refParam,
      element: elementParam,
      text: z.string().max(5000).describe('The text to type ("" clears the field).'),
      submit: z.boolean().optional().describe('Press Enter afterwards (submits most forms).'),
    })
    .strict(),
  async handle(tab, params, response) {
    const { locator, what, code } = await targetOf(tab, params);
    const submit = params.submit ?? false;
    await type(locator, { text: params.text, submit });
    const text = JSON.stringify(params.text);
    response.addText(`Typed ${text} into ${what}${submit ? ' and pressed Enter' : ''}.`);
    response.record(`Type ${text} into ${what}${submit ? ' and press Enter' : ''}`, {
      locator: code,
      element: what,
      text: params.text,
      submit,
    });
  },
  replay: refReplay(
    (args) => [`fill(${JSON.stringify(String(args.text))})`, ...(args.submit ? ["press('Enter')"] : [])],
    (locator, args) => type(locator, { text: String(args.text), submit: args.submit === true }),
  ),
});
