import { z } from 'zod';
import { findInTree } from '../snapshotFind.js';
import { defineTool } from './tool.js';

export const findTool = defineTool({
  name: 'browser_find',
  description:
    'Search the whole current page — element names, texts, placeholders and link targets, also inside parts shown only as outlines — for a word or phrase (case-insensitive). Returns the matching elements with their refs and the headings they are under. Use it to go straight to something on a long page.',
  schema: z
    .object({
      text: z.string().min(1).max(200).describe('The word or phrase to look for, e.g. "refund".'),
      role: z
        .string()
        .min(1)
        .max(40)
        .optional()
        .describe('Optional: only elements with this role, e.g. "button", "link", "heading", "textbox".'),
    })
    .strict(),
  observe: 'none',
  async handle(tab, { text, role }, response) {
    const tree = await tab.currentTree();
    const found = findInTree(tree, text, role);
    response.addText(found.text);
    response.sent = { kind: 'find', fullChars: tree.chars, chars: found.text.length };
    tab.measured(found.text, 'find');
  },
});
