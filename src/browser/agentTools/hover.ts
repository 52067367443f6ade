import type { Locator } from 'playwright-core';
import { z } from 'zod';
import { elementParam, refParam, refReplay, targetOf } from './refActions.js';
import { defineTool } from './tool.js';

const hover = (locator: Locator) => locator.hover();

export const hoverTool = defineTool({
  name: 'browser_hover',
  description: 'Move the mouse over an element (menus, tooltips).',
  schema: z.object({ ref: refParam, element: elementParam }).strict(),
  async handle(tab, params, response) {
    const { locator, what, code } = await targetOf(tab, params);
    await hover(locator);
    response.addText(`Hovered over ${what}.`);
    response.record(`Hover over ${what}`, { locator: code, element: what });
  },
  replay: refReplay(() => ['hover()'], hover),
});
