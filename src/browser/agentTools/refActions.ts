// What the tools that act on one element by ref (click, hover, type, select) share: the element is
// resolved on the tab, and the step records Playwright's own locator code for it (roles and names first,
// see locatorCode.ts), so the replay and the generated test find the same element on a fresh page. Each
// tool gives its action once, as a function on a Locator, used live and in the replay alike.

import type { Locator } from 'playwright-core';
import { z } from 'zod';
import { type AgentTab, describeElement } from '../agentTab.js';
import { locatorFromCode } from '../locatorCode.js';
import type { ToolDefinition } from './tool.js';

export const refParam = z
  .string()
  .min(1)
  .max(40)
  .describe('Exact ref of the element from the latest snapshot of the page, e.g. "e12" or "f1e3".');
export const elementParam = z
  .string()
  .min(1)
  .max(200)
  .describe('What the element is, in words (e.g. "Save button"): used in the steps to reproduce.');

/** The element behind `ref`, in words for the steps, and its locator code for the replay. */
export async function targetOf(
  tab: AgentTab,
  params: { ref: string; element: string },
): Promise<{ locator: Locator; what: string; code: string | null }> {
  const target = await tab.resolve(params.ref);
  return { locator: target.locator, what: describeElement(params.element, target.line), code: target.code };
}

/**
 * The replay of a ref tool's step: `calls` are the locator method calls as test code, `act` the same on
 * the element the recorded locator finds.
 */
export function refReplay(
  calls: (args: Record<string, unknown>) => string[],
  act: (locator: Locator, args: Record<string, unknown>) => Promise<unknown>,
): NonNullable<ToolDefinition['replay']> {
  return {
    code(args) {
      if (typeof args.locator !== 'string') {
        return [
          `throw new Error(${JSON.stringify(`No stable locator for ${String(args.element)}: do this step by hand.`)});`,
        ];
      }
      const locator = args.locator;
      return calls(args).map((c) => `await page.${locator}.${c};`);
    },
    async run(page, args) {
      if (typeof args.locator !== 'string') {
        throw new Error(`No stable locator for ${String(args.element)}: this step cannot be replayed.`);
      }
      await act(locatorFromCode(page, args.locator) as unknown as Locator, args);
    },
  };
}
