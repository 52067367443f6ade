import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { discoverBrowser } from '../../browser/discover.js';
import type { Deps } from '../../deps.js';
import type { CoworkerError } from '../../errors.js';
import { colorEnabled, styler } from '../output.js';

const run = promisify(execFile);

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export function registerDoctor(program: Command, deps: () => Deps): void {
  program
    .command('doctor')
    .description('Check that everything a simulation needs is here (Node, git, a browser, the data dir)')
    .action(async () => {
      const d = deps();
      const checks: Check[] = [];
      const major = Number(process.versions.node.split('.')[0]);
      checks.push({
        name: 'Node.js',
        ok: major >= 22,
        detail: `${process.version}${major >= 22 ? '' : ' (need 22 or newer)'}`,
      });
      checks.push(
        await run('git', ['--version']).then(
          (r) => ({ name: 'git', ok: true, detail: r.stdout.trim() }),
          () => ({ name: 'git', ok: false, detail: 'not found on PATH: install git' }),
        ),
      );
      checks.push(
        await discoverBrowser().then(
          (b) => ({ name: 'browser', ok: true, detail: `${b.path} (${b.source})` }),
          (err: CoworkerError) => ({
            name: 'browser',
            ok: false,
            detail: `${err.message} ${err.hint ?? ''}`,
          }),
        ),
      );
      try {
        const count = d.store().list({ limit: 1000 }).length;
        checks.push({ name: 'job history', ok: true, detail: `${d.paths.data} (${count} job(s))` });
      } catch (err) {
        checks.push({ name: 'job history', ok: false, detail: `${d.paths.data}: ${(err as Error).message}` });
      }
      const style = styler(colorEnabled(process.stdout));
      for (const c of checks) {
        process.stdout.write(
          `${c.ok ? style('green', '✓') : style('red', '✗')} ${c.name.padEnd(12)} ${c.detail}\n`,
        );
      }
      process.exitCode = checks.every((c) => c.ok) ? 0 : 2;
    });
}
