import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { loginWithToken, startDeviceLogin } from '../../auth/index.js';
import type { Deps } from '../../deps.js';
import { CancelledError, CoworkerError } from '../../errors.js';
import { colorEnabled, styler } from '../output.js';

interface LoginFlags {
  hostname?: string;
  withToken?: boolean;
  browser: boolean;
}

export function registerLogin(program: Command, deps: () => Deps): void {
  program
    .command('login')
    .description('Log in to GitHub (browser device flow, or a token on stdin with --with-token)')
    .option('--hostname <host>', 'GitHub Enterprise Server host (default: GH_HOST, else github.com)')
    .option('--with-token', 'read a token from standard input instead (CI, personal access tokens)')
    .option('--no-browser', 'do not try to open the browser')
    .action(async (flags: LoginFlags) => {
      const d = deps();
      const style = styler(colorEnabled(process.stderr));
      const result = flags.withToken ? await withToken(flags, d) : await deviceLogin(flags, d, style);
      process.stderr.write(
        `${style('green', '✓')} Logged in as ${style('bold', result.login)} on ${result.host}\n`,
      );
      process.stderr.write(`Token stored in ${result.storedIn}.\n`);
      if (result.scopes && !result.scopes.includes('repo')) {
        process.stderr.write(
          `${style('yellow', '!')} The token has no \`repo\` scope: private repositories will not be reachable.\n`,
        );
      }
    });
}

async function withToken(flags: LoginFlags, d: Deps) {
  if (process.stdin.isTTY) {
    throw new CoworkerError(
      'INVALID_INPUT',
      '--with-token reads the token from standard input, which is a terminal here.',
      'Pipe it in: `myfav-coworker login --with-token < token.txt` (or `echo "$TOKEN" | myfav-coworker login --with-token`).',
    );
  }
  let input = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) input += chunk;
  return loginWithToken({
    token: input.split('\n')[0] ?? '',
    paths: d.paths,
    logger: d.logger,
    ...(flags.hostname ? { host: flags.hostname } : {}),
  });
}

async function deviceLogin(flags: LoginFlags, d: Deps, style: ReturnType<typeof styler>) {
  const controller = new AbortController();
  const onSignal = () => controller.abort(new CancelledError('Login cancelled: nothing was stored.'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const login = await startDeviceLogin({
      paths: d.paths,
      logger: d.logger,
      signal: controller.signal,
      ...(flags.hostname ? { host: flags.hostname } : {}),
    });
    // stderr: stdout stays clean for scripts.
    process.stderr.write(
      `${style('yellow', '!')} First copy your one-time code: ${style('bold', login.userCode)}\n`,
    );
    const open = flags.browser && process.stdin.isTTY === true && process.stderr.isTTY === true;
    process.stderr.write(
      `Then open ${login.verificationUri} in your browser${open ? ' (opening it now)' : ''} and enter the code.\n`,
    );
    if (open) openInBrowser(login.verificationUri);
    process.stderr.write(
      `${style('dim', `Waiting for the authorization… (the code expires in ${Math.round(login.expiresIn / 60)} minutes; Ctrl-C to cancel)`)}\n`,
    );
    return await login.completion;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Best effort: when no browser opens, the URL is on screen. Never inherits our stdio. */
function openInBrowser(url: string): void {
  if (!/^https?:\/\//.test(url)) return;
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
  } catch {
    // no opener: the user opens the URL by hand
  }
}
