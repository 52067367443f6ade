import type { Command } from 'commander';
import { logout } from '../../auth/index.js';
import type { Deps } from '../../deps.js';
import type { Outcome } from '../../exit.js';
import { colorEnabled, styler } from '../output.js';

export function registerLogout(program: Command, deps: () => Deps, settle: (outcome: Outcome) => void): void {
  program
    .command('logout')
    .description('Remove the stored GitHub token (OS keychain and token file)')
    .option('--hostname <host>', 'GitHub Enterprise Server host (default: GH_HOST, else github.com)')
    .action(async (flags: { hostname?: string }) => {
      const d = deps();
      const style = styler(colorEnabled(process.stderr));
      const result = await logout({
        paths: d.paths,
        logger: d.logger,
        ...(flags.hostname ? { host: flags.hostname } : {}),
      });
      if (result.removedFrom.length) {
        process.stderr.write(
          `${style('green', '✓')} Logged out of ${result.host}: removed the token from ${result.removedFrom.join(' and ')}.\n`,
        );
      } else {
        process.stderr.write(`No stored token for ${result.host}: nothing to remove.\n`);
      }
      if (result.keychainProblem) {
        process.stderr.write(
          `${style('yellow', '!')} The OS keychain could not be reached (${result.keychainProblem}): a token stored there may remain.\n`,
        );
        settle({ kind: 'failed' });
      }
      if (result.envToken) {
        process.stderr.write(
          `${style('yellow', '!')} ${result.envToken} is still set in your environment and will be used: unset it to log out completely.\n`,
        );
      }
    });
}
