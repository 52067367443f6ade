import { z } from 'zod';
import { cleanRef, staleRef } from '../agentTab.js';
import { renderPart } from '../snapshotDiff.js';
import { refParam } from './refActions.js';
import { defineTool, ToolError } from './tool.js';

export const snapshotTool = defineTool({
  name: 'browser_snapshot',
  description:
    'The accessibility snapshot of the whole current page (on a long page, parts are shown as one-line outlines naming what they hide), or, with `ref`, of one element and everything inside it (e.g. a part shown as an outline). Actions already return what changed, so call this only when you need the full picture.',
  schema: z
    .object({ ref: refParam.optional().describe('Optional: only this element and its contents.') })
    .strict(),
  observe: (params) => (params.ref === undefined ? 'full' : 'none'),
  async handle(tab, { ref }, response) {
    if (ref === undefined) {
      response.addText('Snapshot of the whole page:');
      return;
    }
    const id = cleanRef(ref);
    const tree = await tab.currentTree();
    const part = renderPart(tree, id, tab.limits.part);
    if (!part) throw new ToolError(staleRef(id));
    response.addText(`Snapshot of ${id} and what is inside it:\n${part.text}`);
    response.sent = { kind: 'part', fullChars: tree.chars, chars: part.text.length };
    tab.measured(part.text, 'part');
  },
});
