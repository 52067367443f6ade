// The environment of the app under test and its install. Built from an allowlist, never a copy of ours:
// our environment holds the GitHub token and API keys, and the PR's code (postinstall scripts, the dev
// server) is untrusted. What the child gets is what a shell needs, a private HOME, and our markers.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { jobMarkerName } from './processGroup.js';
import { ownPackageCacheEnv, packageCacheEnv } from './toolCaches.js';
import type { ChildEnvOptions } from './types.js';

type Env = Record<string, string | undefined>;

/** Variables copied from our environment when set: locale, terminal, identity, shell, certificates. */
const passThrough = [
  'PATH',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TERM',
  'USER',
  'LOGNAME',
  'SHELL',
  'NODE_ENV',
  // Corporate CA bundles: installs fail without them behind TLS-intercepting proxies.
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
];

/** Windows cannot start node or cmd without these (they hold no secrets). */
const windowsPassThrough = [
  'SystemRoot',
  'SystemDrive',
  'windir',
  'ComSpec',
  'PATHEXT',
  'NUMBER_OF_PROCESSORS',
  'PROCESSOR_ARCHITECTURE',
  'OS',
];

/** Proxies are needed for installs on many company networks, but only passed when they carry no password. */
const proxyVars = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];

/**
 * Build the child's environment. Creates `opts.home` (and its tmp dir). `opts.extra` (the repo config's
 * `env`) is applied last: it is the repository owner's explicit choice — but it cannot remove the job
 * marker, which our cleanup of crashed jobs relies on.
 */
export function buildChildEnv(opts: ChildEnvOptions, parentEnv: Env = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  const lookup = caseInsensitiveOnWindows(parentEnv);
  for (const name of [...passThrough, ...(process.platform === 'win32' ? windowsPassThrough : [])]) {
    const value = lookup(name);
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(parentEnv)) {
    if (name.startsWith('LC_') && value !== undefined) env[name] = value;
  }
  for (const name of proxyVars) {
    const value = parentEnv[name];
    if (value !== undefined && !hasCredentials(value)) env[name] = value;
  }

  const home = path.resolve(opts.home);
  const tmp = path.join(home, 'tmp');
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  env.HOME = home;
  env.TMPDIR = tmp;
  if (process.platform === 'win32') {
    env.USERPROFILE = home;
    env.TEMP = tmp;
    env.TMP = tmp;
    env.APPDATA = path.join(home, 'AppData', 'Roaming');
    env.LOCALAPPDATA = path.join(home, 'AppData', 'Local');
  }

  if (opts.port !== undefined) {
    env.PORT = String(opts.port);
    env.HOST = '127.0.0.1';
  }
  // Dev servers (CRA, Vite with --open, webpack-dev-server) must not pop up a browser on the user's desktop.
  env.BROWSER = 'none';
  // Plain logs: the app log ends up in reports and error messages.
  env.NO_COLOR = '1';
  env.FORCE_COLOR = '0';
  // Quieter, faster npm: no audit or funding round-trips, no update nagging in the log.
  env.npm_config_audit = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_update_notifier = 'false';
  // Test tools download their own binaries in postinstall (Cypress's app, Playwright's and Puppeteer's
  // browsers): that fails offline and behind firewalls, and a dev server never needs them. The config's
  // `env` can turn them back on.
  env.CYPRESS_INSTALL_BINARY = '0';
  env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
  env.PUPPETEER_SKIP_DOWNLOAD = '1';
  Object.assign(
    env,
    opts.packageCacheDir !== undefined
      ? ownPackageCacheEnv(opts.packageCacheDir, opts.packageManager)
      : packageCacheEnv(parentEnv, opts.packageManager),
  );

  Object.assign(env, opts.extra ?? {});
  env[jobMarkerName] = opts.jobId;
  return env;
}

function hasCredentials(proxyUrl: string): boolean {
  try {
    const url = new URL(proxyUrl);
    return url.username !== '' || url.password !== '';
  } catch {
    return proxyUrl.includes('@'); // not a URL (e.g. NO_PROXY lists): an '@' would be odd; be safe
  }
}

// Windows environment names are case-insensitive ("Path" vs "PATH"); a plain object is not.
function caseInsensitiveOnWindows(env: Env): (name: string) => string | undefined {
  if (process.platform !== 'win32') return (name) => env[name];
  const lower = new Map(Object.entries(env).map(([k, v]) => [k.toLowerCase(), v]));
  return (name) => lower.get(name.toLowerCase());
}
