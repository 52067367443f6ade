import { Command, CommanderError } from 'commander';
import { createDeps, type Deps } from '../deps.js';
import { ExitCode, toCoworkerError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import { registerDoctor } from './commands/doctor.js';
import { registerJobs } from './commands/jobs.js';
import { registerLogin } from './commands/login.js';
import { registerLogout } from './commands/logout.js';
import { registerMcp } from './commands/mcp.js';
import { registerShow } from './commands/show.js';
import { registerSimulate } from './commands/simulate.js';
import { registerWhoami } from './commands/whoami.js';
import { colorEnabled, styler } from './output.js';

const version = '0.1.0';

function buildProgram(deps: () => Deps): Command {
  const program = new Command('myfav-coworker')
    .description(
      'A QA coworker for your pull requests: checks the branch out, starts the app, tries it in a real browser and reports back.',
    )
    .version(version, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.configureOutput({
    writeOut: (s) => process.stdout.write(s),
    writeErr: (s) => process.stderr.write(s),
  });
  registerSimulate(program, deps);
  registerJobs(program, deps);
  registerShow(program, deps);
  registerDoctor(program, deps);
  registerLogin(program, deps);
  registerLogout(program, deps);
  registerWhoami(program, deps);
  registerMcp(program, deps);
  return program;
}

async function main(argv: string[]): Promise<number> {
  let deps: Deps | undefined;
  const getDeps = () => {
    deps ??= createDeps();
    return deps;
  };
  const program = buildProgram(getDeps);
  try {
    if (argv.length <= 2) {
      // Bare invocation: an MCP client (stdin is a pipe) gets the server, a person at a terminal the help.
      if (process.stdin.isTTY) {
        program.outputHelp();
        return ExitCode.pass;
      }
      argv = [...argv, 'mcp'];
    }
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.pass;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help / --version exit 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? ExitCode.pass : ExitCode.error;
    }
    const error = toCoworkerError(err);
    if (argv.includes('--json')) {
      process.stdout.write(
        `${JSON.stringify({ id: null, status: 'error', verdict: null, error: error.toJSON() }, null, 2)}\n`,
      );
    }
    const style = styler(colorEnabled(process.stderr));
    process.stderr.write(`${style('red', 'error:')} ${redactSecrets(error.message)}\n`);
    if (error.hint) process.stderr.write(`${redactSecrets(error.hint)}\n`);
    if (error.code === 'INTERNAL' && process.env.MYFAV_DEBUG)
      process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    return error.exitCode;
  } finally {
    deps?.close();
  }
}

// The only process.exit of the program: every command returns its exit code here.
const code = await main(process.argv);
process.exit(code);
