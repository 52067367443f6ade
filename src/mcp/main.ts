// The MCP face's own entry (dist/mcpMain.js, behind the Node.js check of dist/mcp.js and bin/):
// `myfav-coworker mcp`, or a bare `myfav-coworker` whose stdin is not a terminal, comes here straight
// from bin/ without the CLI's commander program. It answers
// `initialize` first (earlyInitialize.ts) and only then loads the server: the MCP SDK, zod, the job
// service. The job history, git, Playwright and the rest load later still, when something needs them.

import { exitCodeFor, exitProcess, type Outcome } from '../exit.js';
import { productVersion } from '../version.js';
import { answerInitializeEarly } from './earlyInitialize.js';

const early = await answerInitializeEarly(
  process.stdin,
  (line) => process.stdout.write(line),
  productVersion,
);
const [{ createDeps }, { toCoworkerError }, { redactSecrets }, { runStdioServer }] = await Promise.all([
  import('../deps.js'),
  import('../errors.js'),
  import('../redact.js'),
  import('./stdio.js'),
]);
const deps = createDeps();
let outcome: Outcome;
try {
  outcome = await runStdioServer({ deps, version: productVersion, early });
} catch (err) {
  const error = toCoworkerError(err);
  process.stderr.write(`error: ${redactSecrets(error.message)}\n${redactSecrets(error.hint)}\n`);
  outcome = { kind: 'error', error };
} finally {
  deps.close();
}
exitProcess(exitCodeFor(outcome));
