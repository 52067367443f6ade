// Finds a Chromium-based browser to drive. We ship playwright-core without a bundled browser (its
// download needs the internet), so we look where a browser is likely to be, in a fixed order:
// the user's explicit choice, Playwright's own download cache, then the system's Chrome/Chromium.
//
// Wherever both are there, the headless shell comes before the full browser: it is what Playwright itself
// runs for `headless: true`, the same Blink without the browser UI. Measured on Debian's Chromium 156, four
// demo pages cost 3.1 s of CPU in the shell and 10 s in the full browser's headless mode (its top-chrome
// WebUI renderer alone takes a second at start), and a base comparison runs a second set of pages beside the
// head's on the same cores.

import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { CoworkerError } from '../errors.js';
import type { BrowserExecutable } from './types.js';

type Env = Record<string, string | undefined>;

const NO_BROWSER_HINT =
  'Install one with `npx playwright install chromium`, or install your OS package (e.g. `apt-get install chromium-headless-shell`, or `apt-get install chromium`), ' +
  'or set MYFAV_BROWSER_PATH to a Chrome/Chromium executable.';

export async function discoverBrowser(
  env: Env = process.env,
  platform: NodeJS.Platform = process.platform,
): Promise<BrowserExecutable> {
  const p = pathFor(platform);

  const explicit = env.MYFAV_BROWSER_PATH?.trim();
  if (explicit) {
    const resolved = p.resolve(explicit);
    const problem = await executableProblem(resolved, platform);
    if (problem) {
      throw new CoworkerError(
        'NO_BROWSER',
        `MYFAV_BROWSER_PATH is set to ${resolved}, which ${problem}.`,
        'Point MYFAV_BROWSER_PATH at the Chrome/Chromium executable itself (e.g. /usr/bin/chromium), or unset it to let myfav-coworker find a browser.',
      );
    }
    return { path: resolved, source: 'MYFAV_BROWSER_PATH' };
  }

  const cacheDir = playwrightCacheDir(env, platform);
  const cached = await findInPlaywrightCache(cacheDir, platform);
  if (cached) return { path: cached, source: 'playwright-cache' };

  for (const candidate of systemCandidates(env, platform)) {
    if (!(await executableProblem(candidate, platform))) return { path: candidate, source: 'system' };
  }

  throw new CoworkerError(
    'NO_BROWSER',
    `No Chromium-based browser found (looked at MYFAV_BROWSER_PATH, Playwright's browsers in ${cacheDir}, and the usual Chrome/Chromium locations).`,
    NO_BROWSER_HINT,
  );
}

/** Where `npx playwright install` puts browsers, with the same rules as Playwright's own registry. */
export function playwrightCacheDir(
  env: Env = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const p = pathFor(platform);
  const override = env.PLAYWRIGHT_BROWSERS_PATH;
  if (override === '0') {
    // "0" means "inside the playwright-core package" (the hermetic install mode).
    const pkg = createRequire(import.meta.url).resolve('playwright-core/package.json');
    return path.join(path.dirname(pkg), '.local-browsers');
  }
  if (override) return p.resolve(override);
  const home = homeDir(env, platform);
  if (platform === 'darwin') return p.join(home, 'Library', 'Caches', 'ms-playwright');
  if (platform === 'win32') {
    return p.join(envValue(env, 'LOCALAPPDATA') ?? p.join(home, 'AppData', 'Local'), 'ms-playwright');
  }
  return p.join(env.XDG_CACHE_HOME || p.join(home, '.cache'), 'ms-playwright');
}

// Executable paths inside a Playwright browser folder: Chrome for Testing layouts (1.49+) first, then the
// older Chromium-snapshot layouts, so a cache filled by an older Playwright still works.
const CACHE_LAYOUTS: Partial<
  Record<NodeJS.Platform, Record<'chromium' | 'chromium_headless_shell', string[][]>>
> = {
  linux: {
    chromium: [
      ['chrome-linux64', 'chrome'],
      ['chrome-linux-arm64', 'chrome'],
      ['chrome-linux', 'chrome'],
    ],
    chromium_headless_shell: [
      ['chrome-headless-shell-linux64', 'chrome-headless-shell'],
      ['chrome-headless-shell-linux-arm64', 'chrome-headless-shell'],
      ['chrome-linux', 'headless_shell'],
    ],
  },
  darwin: {
    chromium: [
      ['chrome-mac-arm64', 'Google Chrome for Testing.app', 'Contents', 'MacOS', 'Google Chrome for Testing'],
      ['chrome-mac-x64', 'Google Chrome for Testing.app', 'Contents', 'MacOS', 'Google Chrome for Testing'],
      ['chrome-mac', 'Chromium.app', 'Contents', 'MacOS', 'Chromium'],
    ],
    chromium_headless_shell: [
      ['chrome-headless-shell-mac-arm64', 'chrome-headless-shell'],
      ['chrome-headless-shell-mac-x64', 'chrome-headless-shell'],
      ['chrome-mac', 'headless_shell'],
    ],
  },
  win32: {
    chromium: [
      ['chrome-win64', 'chrome.exe'],
      ['chrome-win', 'chrome.exe'],
    ],
    chromium_headless_shell: [
      ['chrome-headless-shell-win64', 'chrome-headless-shell.exe'],
      ['chrome-win', 'headless_shell.exe'],
    ],
  },
};

async function findInPlaywrightCache(cacheDir: string, platform: NodeJS.Platform): Promise<string | null> {
  const layouts = CACHE_LAYOUTS[platform];
  if (!layouts) return null;
  const p = pathFor(platform);
  const entries = await readdir(cacheDir).catch(() => [] as string[]);
  const installs = entries
    .map((name) => {
      const match = /^(chromium|chromium_headless_shell)-(\d+)$/.exec(name);
      return match
        ? { name, kind: match[1] as 'chromium' | 'chromium_headless_shell', revision: Number(match[2]) }
        : null;
    })
    .filter((x) => x !== null)
    // Newest revision first; at the same revision the headless shell (see the top of this file).
    .sort((a, b) => b.revision - a.revision || (a.kind === 'chromium_headless_shell' ? -1 : 1));

  for (const install of installs) {
    const dir = p.join(cacheDir, install.name);
    // Playwright writes this marker last: without it the download was interrupted and the browser is incomplete.
    if (!(await exists(p.join(dir, 'INSTALLATION_COMPLETE')))) continue;
    for (const layout of layouts[install.kind]) {
      const candidate = p.join(dir, ...layout);
      if (!(await executableProblem(candidate, platform))) return candidate;
    }
  }
  return null;
}

const LINUX_NAMES = [
  'chromium-headless-shell',
  'chrome-headless-shell',
  'chromium',
  'chromium-browser',
  'google-chrome',
  'google-chrome-stable',
];

/** System Chrome/Chromium locations, most common first. */
export function systemCandidates(
  env: Env = process.env,
  platform: NodeJS.Platform = process.platform,
): string[] {
  const p = pathFor(platform);
  if (platform === 'darwin') {
    const apps = [
      ['Google Chrome.app', 'Contents', 'MacOS', 'Google Chrome'],
      ['Chromium.app', 'Contents', 'MacOS', 'Chromium'],
    ];
    const roots = ['/Applications', p.join(homeDir(env, platform), 'Applications')];
    return roots.flatMap((root) => apps.map((app) => p.join(root, ...app)));
  }
  if (platform === 'win32') {
    const roots = [
      envValue(env, 'PROGRAMFILES') ?? 'C:\\Program Files',
      envValue(env, 'PROGRAMFILES(X86)') ?? 'C:\\Program Files (x86)',
      envValue(env, 'LOCALAPPDATA'),
    ].filter((x): x is string => Boolean(x));
    return roots.flatMap((root) => [
      p.join(root, 'Google', 'Chrome', 'Application', 'chrome.exe'),
      p.join(root, 'Chromium', 'Application', 'chrome.exe'),
    ]);
  }
  const fixed = [
    // Headless shells: Debian's chromium-headless-shell (the binary itself, not its /usr/bin sh wrapper, so
    // the process Playwright stops is the browser), Fedora's chromium-headless.
    '/usr/lib/chromium/chromium-headless-shell',
    '/usr/bin/chromium-headless-shell',
    '/usr/lib64/chromium-browser/headless_shell',
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/snap/bin/chromium',
    '/opt/google/chrome/chrome',
  ];
  // Like `which`: the same names anywhere on PATH (Nix, Homebrew on Linux, custom prefixes).
  const onPath = (env.PATH ?? '')
    .split(p.delimiter)
    .filter((dir) => dir && p.isAbsolute(dir))
    .flatMap((dir) => LINUX_NAMES.map((name) => p.join(dir, name)));
  return [...new Set([...fixed, ...onPath])];
}

/** Why `file` cannot be launched, or null when it can. */
async function executableProblem(file: string, platform: NodeJS.Platform): Promise<string | null> {
  const info = await stat(file).catch(() => null);
  if (!info) return 'does not exist';
  if (!info.isFile()) return 'is not a file (point it at the executable inside)';
  // Windows has no execute bit: an existing .exe is as good as it gets.
  if (platform === 'win32') return null;
  return (await access(file, constants.X_OK).then(
    () => true,
    () => false,
  ))
    ? null
    : 'is not executable';
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

function pathFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

function homeDir(env: Env, platform: NodeJS.Platform): string {
  return (platform === 'win32' ? envValue(env, 'USERPROFILE') : env.HOME) || os.homedir();
}

/** Windows environment names are case-insensitive; a plain object (tests, a copied env) is not. */
function envValue(env: Env, name: string): string | undefined {
  if (env[name]) return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name);
  return key ? env[key] || undefined : undefined;
}
