import { z } from 'zod';
import { clip } from '../../clip.js';
import { formatPageError } from '../pageWatch.js';
import { defineTool } from './tool.js';

const MAX_LISTED = 50;

export const consoleMessagesTool = defineTool({
  name: 'browser_console_messages',
  description: "All console messages and uncaught errors since the agent's tab opened.",
  schema: z.object({}).strict(),
  observe: 'none',
  async handle(tab, _params, response) {
    // Playwright keeps the page's recent history (the last 200 of each).
    const [errors, messages] = await Promise.all([
      tab.page.pageErrors({ filter: 'all' }),
      tab.page.consoleMessages({ filter: 'all' }),
    ]);
    const lines = [
      ...errors.map((e) => `[uncaught] ${formatPageError(e, tab.session.origin)}`),
      ...messages.map((m) => `[${m.type()}] ${clip(m.text(), 500)}`),
    ];
    const shown = lines.slice(-MAX_LISTED);
    const cut = lines.length - shown.length;
    response.addText(
      lines.length
        ? `Console messages and uncaught errors since the agent's tab opened${cut ? ` (last ${shown.length} of ${lines.length})` : ''}:\n${shown.join('\n')}`
        : 'No console messages and no uncaught errors so far.',
    );
  },
});
