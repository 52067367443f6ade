import { Command, CommanderError } from 'commander';
import { createDeps, type Deps } from '../deps.js';
import { toCoworkerError } from '../errors.js';
import { exitCodeFor, exitProcess, type Outcome } from '../exit.js';
import { redactSecrets } from '../redact.js';
import { productVersion as version } from '../version.js';
import { colorEnabled, styler } from './output.js';

/** A command registers itself; when it ends with anything but success it says so through `settle`. */
type Register = (program: Command, deps: () => Deps, settle: (outcome: Outcome) => void) => void;

// Each command's module is imported only when that command runs (all of them for --help): the MCP
// handshake, `--version` and `jobs` must not pay for Octokit, zod schemas or the pipeline.
const commands: Record<string, () => Promise<Register>> = {
  simulate: () => import('./commands/simulate.js').then((m) => m.registerSimulate),
  jobs: () => import('./commands/jobs.js').then((m) => m.registerJobs),
  show: () => import('./commands/show.js').then((m) => m.registerShow),
  login: () => import('./commands/login.js').then((m) => m.registerLogin),
  logout: () => import('./commands/logout.js').then((m) => m.registerLogout),
  whoami: () => import('./commands/whoami.js').then((m) => m.registerWhoami),
  doctor: () => import('./commands/doctor.js').then((m) => m.registerDoctor),
  mcp: () => import('./commands/mcp.js').then((m) => m.registerMcp),
  trust: () => import('./commands/trust.js').then((m) => m.registerTrust),
  untrust: () => import('./commands/trust.js').then((m) => m.registerUntrust),
};

function commandsNeeded(argv: string[]): string[] {
  const first = argv[2];
  if (first === '--version' || first === '-v') return [];
  return first && first in commands ? [first] : Object.keys(commands);
}

async function buildProgram(
  deps: () => Deps,
  argv: string[],
  settle: (outcome: Outcome) => void,
): Promise<Command> {
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
  for (const name of commandsNeeded(argv)) (await commands[name]!())(program, deps, settle);
  return program;
}

async function main(argv: string[]): Promise<Outcome> {
  let deps: Deps | undefined;
  let outcome: Outcome = { kind: 'done' };
  const settle = (o: Outcome) => {
    outcome = o;
  };
  const getDeps = () => {
    deps ??= createDeps();
    return deps;
  };
  try {
    if (argv.length <= 2) {
      // Bare invocation: an MCP client (stdin is a pipe) gets the server, a person at a terminal the help.
      if (process.stdin.isTTY) {
        (await buildProgram(getDeps, argv, settle)).outputHelp();
        return outcome;
      }
      argv = [...argv, 'mcp'];
    }
    const program = await buildProgram(getDeps, argv, settle);
    await program.parseAsync(argv);
    return outcome;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help / --version exit 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? { kind: 'done' } : { kind: 'usage' };
    }
    const error = toCoworkerError(err);
    if (argv.includes('--json')) {
      // Masked like the same message on stderr below (a mistyped target may be a pasted token).
      // `{ error }` alone, as an MCP tool that fails answers (no job was made).
      const body = { error: error.toJSON() };
      process.stdout.write(`${redactSecrets(JSON.stringify(body, null, 2))}\n`);
    }
    const style = styler(colorEnabled(process.stderr));
    process.stderr.write(`${style('red', 'error:')} ${redactSecrets(error.message)}\n`);
    if (error.hint) process.stderr.write(`${redactSecrets(error.hint)}\n`);
    if (error.code === 'INTERNAL' && process.env.MYFAV_DEBUG)
      process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    return { kind: 'error', error };
  } finally {
    deps?.close();
  }
}

// Every command ends here: its outcome becomes the exit code in one place (src/exit.ts).
exitProcess(exitCodeFor(await main(process.argv)));
