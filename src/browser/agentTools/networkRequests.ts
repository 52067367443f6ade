import type { Frame, Request } from 'playwright-core';
import { z } from 'zod';
import { requestOutcome } from '../agentTab.js';
import { defineTool } from './tool.js';

const MAX_LISTED = 50;

export const networkRequestsTool = defineTool({
  name: 'browser_network_requests',
  description: 'The requests of the current page since it loaded, with their status.',
  schema: z.object({}).strict(),
  observe: 'none',
  async handle(tab, _params, response) {
    // Playwright keeps the page's last 100 requests; "this page" starts at its last main-frame document.
    const all = await tab.page.requests();
    const main = tab.page.mainFrame();
    let start = 0;
    all.forEach((r, i) => {
      if (r.isNavigationRequest() && frameOf(r) === main) start = i;
    });
    const requests = all.slice(start);
    const shown = requests.slice(-MAX_LISTED);
    const cut = requests.length - shown.length;
    const lines = await Promise.all(
      shown.map(async (r) => `${r.method()} ${tab.display(r.url())} → ${await requestOutcome(r)}`),
    );
    response.addText(
      lines.length
        ? `Requests since this page loaded${cut ? ` (last ${shown.length} of ${requests.length})` : ''}:\n${lines.join('\n')}`
        : 'No requests since this page loaded.',
    );
  },
});

/** A service worker's requests have no frame (Playwright throws). */
function frameOf(request: Request): Frame | null {
  try {
    return request.frame();
  } catch {
    return null;
  }
}
