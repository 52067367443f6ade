// What an install log says about why it failed, turned into the next thing to try. The common case on
// real apps: a package's install script downloads a binary from the internet (sharp's libvips on old
// versions, Prisma's engines, Cypress), which fails offline or behind a firewall while the registry
// itself works — and the dev server usually runs without that binary.

import { readLogTail } from './logTail.js';
import type { PackageManager } from './types.js';

const scriptRan = /postinstall|install script|command sh -c|prebuild-install|node-gyp|lifecycle|ELIFECYCLE/i;
const downloadFailed =
  /(ENOTFOUND|EAI_AGAIN|getaddrinfo|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ESOCKETTIMEDOUT|self[- ]signed)\b[^\n]*/i;

/** A sentence for the hint, or '' when the log shows nothing we recognise. */
export function installFailureHint(logFile: string, pm: PackageManager | undefined): string {
  let tail: string;
  try {
    tail = readLogTail(logFile, 80);
  } catch {
    return '';
  }
  const failure = downloadFailed.exec(tail);
  if (!failure || !scriptRan.test(tail)) return '';
  const host = /ENOTFOUND\s+(\S+)/.exec(tail)?.[1];
  const install = pm === 'yarn' ? 'yarn install' : `${pm ?? 'npm'} install`;
  return (
    ` A package's install script could not download what it needs${host ? ` (from ${host})` : ''}: if the app runs ` +
    `without it, skip install scripts with --install "${install} --ignore-scripts".`
  );
}
