import type { Command } from 'commander';
import { type AuthStatus, authStatus } from '../../auth/index.js';
import type { Deps } from '../../deps.js';
import type { Outcome } from '../../exit.js';
import { describeTokenSource } from '../../github/apiErrors.js';
import { colorEnabled, styler, writeJson } from '../output.js';

interface WhoamiFlags {
  hostname?: string;
  json?: boolean;
}

export function registerWhoami(program: Command, deps: () => Deps, settle: (outcome: Outcome) => void): void {
  const action = async (flags: WhoamiFlags) => {
    const d = deps();
    const status = await authStatus({ paths: d.paths, ...(flags.hostname ? { host: flags.hostname } : {}) });
    if (flags.json) writeJson(status);
    else process.stdout.write(`${renderStatus(status, colorEnabled(process.stdout))}\n`);
    if (!status.loggedIn) settle({ kind: 'not-logged-in' });
  };
  const describe = (cmd: Command) =>
    cmd
      .option('--hostname <host>', 'GitHub Enterprise Server host (default: GH_HOST, else github.com)')
      .option('--json', 'print JSON')
      .action(action);
  describe(
    program
      .command('whoami')
      .description('Show the GitHub login, host, token scopes and where the token comes from'),
  );
  const auth = program.command('auth').description('GitHub authentication (see also login, logout)');
  describe(auth.command('status').description('Same as `whoami`'));
}

function renderStatus(s: AuthStatus, color: boolean): string {
  const style = styler(color);
  const lines = [style('bold', s.host)];
  if (s.loggedIn) {
    lines.push(`  ${style('green', '✓')} Logged in${s.login ? ` as ${style('bold', s.login)}` : ''}`);
  } else {
    lines.push(`  ${style('red', '✗')} ${s.problem ?? 'Not logged in.'}`);
  }
  if (s.source) lines.push(`  Token from: ${describeTokenSource(s.source)}`);
  if (s.scopes) lines.push(`  Scopes: ${s.scopes.length ? s.scopes.join(', ') : 'none'}`);
  else if (s.loggedIn && s.login)
    lines.push('  Scopes: (a fine-grained token: permissions are set per repository)');
  if (s.loggedIn && s.problem) lines.push(`  ${style('yellow', '!')} ${s.problem}`);
  if (s.fix) lines.push(`  ${s.fix}`);
  return lines.join('\n');
}
