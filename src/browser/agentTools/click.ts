import type { Locator } from 'playwright-core';
import { z } from 'zod';
import { elementParam, refParam, refReplay, targetOf } from './refActions.js';
import { defineTool } from './tool.js';

const click = (locator: Locator) => locator.click();

export const clickTool = defineTool({
  name: 'browser_click',
  description: 'Click an element. Returns what changed on the page, and any errors since the last step.',
  schema: z.object({ ref: refParam, element: elementParam }).strict(),
  async handle(tab, params, response) {
    const { locator, what, code } = await targetOf(tab, params);
    await click(locator);
    response.addText(`Clicked ${what}.`);
    response.record(`Click ${what}`, { locator: code, element: what });
  },
  replay: refReplay(() => ['click()'], click),
});
