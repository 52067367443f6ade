import { z } from 'zod';
import { playwrightMessage } from '../playwrightErrors.js';
import { defineTool, ToolError } from './tool.js';

export const navigateTool = defineTool({
  name: 'browser_navigate',
  description:
    'Open a page of the app, by path ("/settings") or URL. Only the app\'s own origin can be opened; anything else is refused.',
  schema: z.object({ url: z.string().min(1).max(2000).describe('Path or URL on the app.') }).strict(),
  async handle(tab, { url }, response) {
    const target = tab.appUrl(url);
    const shown = tab.display(target);
    const answer = await tab.page.goto(target, { waitUntil: 'load' }).catch((err: unknown) => {
      throw new ToolError(`Could not open ${shown}: ${playwrightMessage(err)}`);
    });
    const status = answer?.status();
    response.addText(
      status && status >= 400 ? `Opened ${shown}: the server answered HTTP ${status}.` : `Opened ${shown}.`,
    );
    // The path, not the URL: a replay runs on another server (another port, the base commit's app).
    response.record(`Open ${shown}`, { path: shown });
  },
  replay: {
    code: (args) => [`await page.goto(${JSON.stringify(String(args.path))});`],
    async run(page, args, ctx) {
      await page.goto(ctx.url(String(args.path)), { waitUntil: 'load' });
    },
  },
});
