import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { resolveAgentSettings } from '../../agent/settings.js';
import { installedVersion } from '../../app/pinnedPackageManager.js';
import { authStatus } from '../../auth/index.js';
import { discoverBrowser } from '../../browser/discover.js';
import type { Deps } from '../../deps.js';
import { type CoworkerError, toCoworkerError } from '../../errors.js';
import type { Outcome } from '../../exit.js';
import { unsupportedNodeMessage } from '../../nodeVersion.js';
import { jobsDbPath } from '../../paths.js';
import { sandboxSelfTest } from '../../sandbox/selfTest.js';
import { nodeEngines } from '../../version.js';
import { colorEnabled, styler } from '../output.js';

const run = promisify(execFile);

/**
 * `warn`: works without it, with less (no AI exploration, public repositories only).
 * `info`: optional, nothing is lost without it (a package manager a project may pin runs through npx).
 */
type CheckState = 'ok' | 'warn' | 'fail' | 'info';

interface Check {
  name: string;
  state: CheckState;
  detail: string;
}

/** npm comes with Node; pnpm, yarn and bun only when a project uses them; corepack runs pinned versions. */
function packageManagerChecks(): Check[] {
  return (['npm', 'pnpm', 'yarn', 'bun', 'corepack'] as const).map((name): Check => {
    const version = name === 'corepack' ? corepackVersion() : installedVersion(name);
    if (version) return { name, state: 'ok', detail: version };
    return {
      name,
      state: name === 'npm' ? 'fail' : 'info',
      detail:
        name === 'npm'
          ? 'not found on PATH: it comes with Node.js, and installs need it'
          : name === 'corepack'
            ? 'not found (not needed: a pinned "packageManager" runs through npx)'
            : `not found (a project that uses ${name} runs it through npx: its pinned version, or the one its lockfile needs)`,
    };
  });
}

function corepackVersion(): string | undefined {
  try {
    return execFileSync('corepack', ['--version'], {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

export function registerDoctor(program: Command, deps: () => Deps, settle: (outcome: Outcome) => void): void {
  program
    .command('doctor')
    .description(
      'Check that everything a simulation needs is here (Node, git, a browser, the data dir, the sandbox, GitHub, the AI key)',
    )
    .option(
      '--move-corrupt-history',
      'rename a damaged job history (jobs.sqlite) to jobs.sqlite.corrupt-<time> and start an empty one',
    )
    .action(async (flags: { moveCorruptHistory?: boolean }) => {
      const d = deps();
      if (flags.moveCorruptHistory) {
        if (!(await moveHistoryAside(d))) settle({ kind: 'failed' });
        return;
      }
      const checks: Check[] = [];
      // Always ok from the built CLI (a Node the engines refuse never gets this far): the same range, said.
      const nodeProblem = unsupportedNodeMessage(process.version, process.execPath, nodeEngines);
      checks.push({
        name: 'Node.js',
        state: nodeProblem ? 'fail' : 'ok',
        detail: `${process.version}${nodeProblem ? ` (needs ${nodeEngines})` : ''}`,
      });
      checks.push(
        await run('git', ['--version']).then(
          (r): Check => ({ name: 'git', state: 'ok', detail: r.stdout.trim() }),
          (): Check => ({ name: 'git', state: 'fail', detail: 'not found on PATH: install git' }),
        ),
      );
      checks.push(
        await discoverBrowser().then(
          (b): Check => ({ name: 'browser', state: 'ok', detail: `${b.path} (${b.source})` }),
          (err: CoworkerError): Check => ({
            name: 'browser',
            state: 'fail',
            detail: `${err.message} ${err.hint ?? ''}`,
          }),
        ),
      );
      try {
        const count = (await d.history()).list({ limit: 1000 }).length;
        checks.push({ name: 'job history', state: 'ok', detail: `${d.paths.data} (${count} job(s))` });
      } catch (err) {
        const error = toCoworkerError(err);
        checks.push({
          name: 'job history',
          state: 'fail',
          detail:
            error.code === 'HISTORY_CORRUPT'
              ? `${error.message} ${error.hint}`
              : `${d.paths.data}: ${error.message}`,
        });
      }
      checks.push(...packageManagerChecks());
      // A real sandboxed trial app, reached through the bridge: the sandbox works here, or why not.
      const sandbox = await sandboxSelfTest(d.paths);
      checks.push({
        name: 'sandbox',
        state: sandbox.state === 'off' ? 'warn' : sandbox.state,
        detail: sandbox.detail,
      });
      const github = await authStatus({ paths: d.paths });
      checks.push(
        github.loggedIn
          ? {
              name: 'GitHub',
              state: 'ok',
              detail: `${github.login} on ${github.host} (token from ${github.source}${github.scopes ? `; scopes: ${github.scopes.join(', ') || 'none'}` : ''})`,
            }
          : {
              name: 'GitHub',
              state: 'warn',
              detail: `${github.problem ?? 'not logged in'} ${github.fix ?? ''}`.trim(),
            },
      );
      const agent = await resolveAgentSettings({ request: { enabled: true }, configDir: d.paths.config });
      checks.push(
        agent.run
          ? {
              name: 'AI agent',
              state: 'ok',
              detail: `${agent.settings.model} (key from ${agent.settings.keySource})`,
            }
          : {
              name: 'AI agent',
              state: 'warn',
              detail: `${agent.reason} Simulations still run the smoke crawl.`,
            },
      );
      const style = styler(colorEnabled(process.stdout));
      const mark: Record<CheckState, string> = {
        ok: style('green', '✓'),
        warn: style('yellow', '!'),
        fail: style('red', '✗'),
        info: style('dim', '·'),
      };
      for (const c of checks) process.stdout.write(`${mark[c.state]} ${c.name.padEnd(12)} ${c.detail}\n`);
      if (checks.some((c) => c.state === 'fail')) settle({ kind: 'failed' });
    });
}

/** false: there was a history and it was not damaged (nothing moved, which the user did not expect). */
async function moveHistoryAside(d: Deps): Promise<boolean> {
  const { moveCorruptHistory } = await import('../../jobs/db.js');
  const file = jobsDbPath(d.paths);
  const style = styler(colorEnabled(process.stderr));
  const result = moveCorruptHistory(file);
  if (result.moved) {
    process.stderr.write(
      `${style('green', '✓')} Moved the damaged job history aside: ${result.to.join(', ')}. The next command starts an empty one; the job folders in ${d.paths.data}/jobs stay.\n`,
    );
    return true;
  }
  process.stderr.write(
    result.why === 'missing'
      ? `There is no job history at ${file}: nothing to move.\n`
      : `The job history ${file} is not damaged: nothing was moved.\n`,
  );
  return result.why === 'missing';
}
