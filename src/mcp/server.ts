// The MCP server without a transport: tools and resources over a JobService. stdio.ts connects it
// to stdin/stdout; tests connect it to an in-memory transport.

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { McpContext } from './context.js';
import { instructions, serverCapabilities, serverInfo } from './identity.js';
import { jobResult } from './jobResult.js';
import { registerReportResources } from './resources.js';
import { JobTaskStore } from './tasks.js';
import { registerGithubTools } from './tools/github.js';
import { registerJobTools } from './tools/jobs.js';
import { registerSimulateTool } from './tools/simulate.js';

export function createServer(ctx: McpContext): McpServer {
  // simulate_pr as an MCP task: each task is a handle on a job (see tasks.ts).
  const tasks = new JobTaskStore({
    service: ctx.service,
    logger: ctx.logger,
    resultOf: (job, fields) => jobResult(ctx, job, { fields }),
  });
  const server = new McpServer(serverInfo(ctx.version), {
    capabilities: serverCapabilities,
    instructions,
    taskStore: tasks,
  });
  registerSimulateTool(server, ctx, tasks);
  registerJobTools(server, ctx);
  registerGithubTools(server, ctx);
  registerReportResources(server, ctx);
  return server;
}
