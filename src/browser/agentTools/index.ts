// The agent's browser tools, in the order the model sees them (part of the cached prompt prefix). The
// names are a contract: transcripts, recorded steps and exported tests rely on them.
import { clickTool } from './click.js';
import { consoleMessagesTool } from './consoleMessages.js';
import { findTool } from './find.js';
import { hoverTool } from './hover.js';
import { navigateTool } from './navigate.js';
import { networkRequestsTool } from './networkRequests.js';
import { pressKeyTool } from './pressKey.js';
import { screenshotTool } from './screenshot.js';
import { selectOptionTool } from './selectOption.js';
import { snapshotTool } from './snapshot.js';
import type { ToolDefinition } from './tool.js';
import { typeTool } from './type.js';
import { waitForTool } from './waitFor.js';

export const AGENT_TOOLS: readonly ToolDefinition[] = [
  navigateTool,
  snapshotTool,
  findTool,
  clickTool,
  typeTool,
  selectOptionTool,
  pressKeyTool,
  hoverTool,
  waitForTool,
  screenshotTool,
  consoleMessagesTool,
  networkRequestsTool,
] as ToolDefinition[];

export function agentTool(name: string): ToolDefinition | undefined {
  return AGENT_TOOLS.find((t) => t.name === name);
}

export { type RecordedStep, ToolError } from './tool.js';
