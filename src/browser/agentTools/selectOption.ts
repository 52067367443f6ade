import type { Locator } from 'playwright-core';
import { z } from 'zod';
import { elementParam, refParam, refReplay, targetOf } from './refActions.js';
import { defineTool } from './tool.js';

const select = (locator: Locator, values: string[]) => locator.selectOption(values);

export const selectOptionTool = defineTool({
  name: 'browser_select_option',
  description: 'Choose one or more options of a <select> (by value or visible label).',
  schema: z
    .object({ ref: refParam, element: elementParam, values: z.array(z.string().max(500)).min(1).max(20) })
    .strict(),
  async handle(tab, params, response) {
    const { locator, what, code } = await targetOf(tab, params);
    const selected = await select(locator, params.values);
    const list = params.values.map((v) => JSON.stringify(v)).join(', ');
    response.addText(
      `Selected ${list} in ${what} (value now: ${selected.map((v) => JSON.stringify(v)).join(', ') || 'none'}).`,
    );
    response.record(`Select ${list} in ${what}`, { locator: code, element: what, values: params.values });
  },
  replay: refReplay(
    (args) => [`selectOption(${JSON.stringify(args.values)})`],
    (locator, args) => select(locator, (args.values as unknown[]).map(String)),
  ),
});
