import type { Command } from 'commander';
import type { Deps } from '../../deps.js';
import type { Outcome } from '../../exit.js';

export function registerMcp(program: Command, deps: () => Deps, settle: (outcome: Outcome) => void): void {
  program
    .command('mcp')
    .description(
      'Run as an MCP server on stdio, for Claude Desktop, Claude Code and other MCP clients (also what a bare `myfav-coworker` does when stdin is not a terminal)',
    )
    .action(async () => {
      // Loaded only here: the MCP SDK and zod schemas are no cost to the other commands.
      const { runStdioServer } = await import('../../mcp/stdio.js');
      settle(
        await runStdioServer({
          deps: deps(),
          version: program.version() ?? '0.0.0',
        }),
      );
    });
}
