import type { Page } from 'playwright-core';
import { z } from 'zod';
import { defineTool } from './tool.js';

const press = (page: Page, key: string) => page.keyboard.press(key);

export const pressKeyTool = defineTool({
  name: 'browser_press_key',
  description:
    'Press a key or a combination on the focused element, e.g. "Enter", "Escape", "Tab", "ArrowDown", "Control+a".',
  schema: z.object({ key: z.string().min(1).max(40) }).strict(),
  async handle(tab, { key }, response) {
    await press(tab.page, key);
    response.addText(`Pressed ${key}.`);
    response.record(`Press ${key}`, { key });
  },
  replay: {
    code: (args) => [`await page.keyboard.press(${JSON.stringify(String(args.key))});`],
    run: (page, args) => press(page, String(args.key)),
  },
});
