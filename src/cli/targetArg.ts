import { parseTarget } from '../github/targetParse.js';
import type { TargetSpec } from '../jobs/request.js';

/**
 * The target argument of `simulate`: a pull request (URL, OWNER/REPO#N, HOST/OWNER/REPO#N) or a local
 * repository path. The parser lives in src/github/ so the MCP server accepts exactly the same inputs.
 */
export function parseTargetArg(input: string, refs: { head?: string; base?: string }): TargetSpec {
  return parseTarget(input, refs);
}
