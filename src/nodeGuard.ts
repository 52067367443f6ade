// The Node.js check every entry a user launches runs before anything else of ours loads: bin/ and the
// tiny dist/cli.js and dist/mcp.js import dist/nodeGuard.js first and load the program (dist/cliMain.js,
// dist/mcpMain.js: its native addons, its newer syntax) only when `nodeSupported`. On a Node.js that
// package.json's engines do not allow, it prints one line on stderr (never stdout: MCP clients read that)
// and the process ends with exit code 2, where the program would crash (better-sqlite3 segfaults
// Node < 22.14, see nodeVersion.ts) or fail to parse.
//
// A program of its own, like the sandbox relay: it sets the exit code itself, before src/exit.ts exists
// (exitCode rather than exit(), so the line is not lost on an asynchronous stderr pipe). scripts/build.js
// bundles it alone, for node12 syntax, with MYFAV_NODE_ENGINES = package.json's engines.node.

import { unsupportedNodeMessage } from './nodeVersion.js';

declare const MYFAV_NODE_ENGINES: string;

export const nodeSupported: boolean = (() => {
  const problem = unsupportedNodeMessage(process.version, process.execPath, MYFAV_NODE_ENGINES);
  if (!problem) return true;
  process.stderr.write(`${problem}\n`);
  process.exitCode = 2;
  return false;
})();
