// Browser discovery against fake HOME / cache directories holding stub executables, plus the real
// Chromium of this machine for the system case (Debian's headless shell, where installed, or /usr/bin/chromium).
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverBrowser, playwrightCacheDir, systemCandidates } from '../../src/browser/discover.js';
import { CoworkerError } from '../../src/errors.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'myfav-test-'));
  dirs.push(dir);
  return dir;
}

async function stub(file: string, mode = 0o755): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, '#!/bin/sh\nexit 0\n');
  await chmod(file, mode);
  return file;
}

/** A Playwright browser folder as `npx playwright install` leaves it. */
async function installed(cache: string, folder: string, exe: string[], complete = true): Promise<string> {
  const file = await stub(path.join(cache, folder, ...exe));
  if (complete) await writeFile(path.join(cache, folder, 'INSTALLATION_COMPLETE'), '');
  return file;
}

async function discoveryError(
  env: Record<string, string>,
  platform?: NodeJS.Platform,
): Promise<CoworkerError> {
  const err = await discoverBrowser(env, platform).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CoworkerError);
  return err as CoworkerError;
}

describe('discoverBrowser', () => {
  it('uses MYFAV_BROWSER_PATH first, even when other browsers exist', async () => {
    const home = await tempDir();
    const mine = await stub(path.join(home, 'bin', 'my-chrome'));
    await installed(path.join(home, '.cache', 'ms-playwright'), 'chromium-1255', [
      'chrome-linux64',
      'chrome',
    ]);

    expect(await discoverBrowser({ HOME: home, MYFAV_BROWSER_PATH: mine }, 'linux')).toEqual({
      path: mine,
      source: 'MYFAV_BROWSER_PATH',
    });
  });

  it('refuses a MYFAV_BROWSER_PATH that does not exist, naming the path and the variable', async () => {
    const home = await tempDir();
    const missing = path.join(home, 'no-such-chrome');
    const err = await discoveryError({ HOME: home, MYFAV_BROWSER_PATH: missing }, 'linux');
    expect(err.code).toBe('NO_BROWSER');
    expect(err.message).toContain('MYFAV_BROWSER_PATH');
    expect(err.message).toContain(missing);
    expect(err.message).toContain('does not exist');
    expect(err.hint).toMatch(/MYFAV_BROWSER_PATH/);
  });

  it('refuses a MYFAV_BROWSER_PATH that is not executable or is a directory', async () => {
    const home = await tempDir();
    const plain = await stub(path.join(home, 'chrome.txt'), 0o644);
    const notExecutable = await discoveryError({ HOME: home, MYFAV_BROWSER_PATH: plain }, 'linux');
    expect(notExecutable.code).toBe('NO_BROWSER');
    expect(notExecutable.message).toContain(`${plain}, which is not executable`);

    const directory = await discoveryError({ HOME: home, MYFAV_BROWSER_PATH: home }, 'linux');
    expect(directory.message).toContain('is not a file');
  });

  it("picks the newest complete install from Playwright's cache in PLAYWRIGHT_BROWSERS_PATH, its headless shell first", async () => {
    const home = await tempDir();
    const cache = path.join(home, 'browsers');
    await installed(cache, 'chromium-1100', ['chrome-linux', 'chrome']);
    await installed(cache, 'chromium-1255', ['chrome-linux64', 'chrome']);
    // What Playwright itself runs for headless: true, and a third of the CPU per page.
    const newest = await installed(cache, 'chromium_headless_shell-1255', [
      'chrome-headless-shell-linux64',
      'chrome-headless-shell',
    ]);
    // A newer download that was interrupted (no marker) and a browser we do not drive.
    await installed(cache, 'chromium-1300', ['chrome-linux64', 'chrome'], false);
    await installed(cache, 'firefox-1572', ['firefox', 'firefox']);

    expect(await discoverBrowser({ HOME: home, PLAYWRIGHT_BROWSERS_PATH: cache }, 'linux')).toEqual({
      path: newest,
      source: 'playwright-cache',
    });
  });

  it('takes a newer headless shell over an older full Chromium, and skips folders without an executable', async () => {
    const home = await tempDir();
    const cache = path.join(home, '.cache', 'ms-playwright');
    await installed(cache, 'chromium-1200', ['chrome-linux64', 'chrome']);
    const shell = await installed(cache, 'chromium_headless_shell-1255', [
      'chrome-headless-shell-linux64',
      'chrome-headless-shell',
    ]);
    // Complete marker but the executable lost its x bit: not usable.
    await installed(cache, 'chromium-1300', ['chrome-linux64', 'chrome']);
    await chmod(path.join(cache, 'chromium-1300', 'chrome-linux64', 'chrome'), 0o644);

    expect(await discoverBrowser({ HOME: home }, 'linux')).toEqual({
      path: shell,
      source: 'playwright-cache',
    });
  });

  it('honours XDG_CACHE_HOME on Linux and ~/Library/Caches on macOS', async () => {
    const home = await tempDir();
    const xdg = path.join(home, 'xdg');
    const linux = await installed(path.join(xdg, 'ms-playwright'), 'chromium-1255', [
      'chrome-linux64',
      'chrome',
    ]);
    expect((await discoverBrowser({ HOME: home, XDG_CACHE_HOME: xdg }, 'linux')).path).toBe(linux);

    const mac = await installed(path.join(home, 'Library', 'Caches', 'ms-playwright'), 'chromium-1255', [
      'chrome-mac-arm64',
      'Google Chrome for Testing.app',
      'Contents',
      'MacOS',
      'Google Chrome for Testing',
    ]);
    expect(await discoverBrowser({ HOME: home }, 'darwin')).toEqual({
      path: mac,
      source: 'playwright-cache',
    });
  });

  it("falls back to the system's headless shell, else the system Chromium at /usr/bin/chromium", async () => {
    const home = await tempDir();
    // setup (scripts/with-setup.sh) installs both on Debian; a machine with only `chromium` gets that.
    const shell = '/usr/lib/chromium/chromium-headless-shell';
    expect(await discoverBrowser({ HOME: home, PATH: '' }, 'linux')).toEqual({
      path: existsSync(shell) ? shell : '/usr/bin/chromium',
      source: 'system',
    });
  });

  it('says what to install when there is no browser at all', async () => {
    // No /Applications on this machine, an empty HOME: nothing to find for macOS.
    const home = await tempDir();
    const err = await discoveryError({ HOME: home }, 'darwin');
    expect(err.code).toBe('NO_BROWSER');
    expect(err.message).toMatch(/^No Chromium-based browser found/);
    expect(err.message).toContain(path.join(home, 'Library', 'Caches', 'ms-playwright'));
    expect(err.hint).toContain('npx playwright install chromium');
    expect(err.hint).toContain('apt-get install chromium');
    expect(err.hint).toContain('MYFAV_BROWSER_PATH');
  });
});

describe('browser locations', () => {
  it("resolves Playwright's cache directory like Playwright does", () => {
    expect(playwrightCacheDir({ HOME: '/home/u' }, 'linux')).toBe('/home/u/.cache/ms-playwright');
    expect(playwrightCacheDir({ HOME: '/Users/u' }, 'darwin')).toBe('/Users/u/Library/Caches/ms-playwright');
    expect(playwrightCacheDir({ LocalAppData: 'C:\\Users\\u\\AppData\\Local' }, 'win32')).toBe(
      'C:\\Users\\u\\AppData\\Local\\ms-playwright',
    );
    expect(playwrightCacheDir({ PLAYWRIGHT_BROWSERS_PATH: '0' }, 'linux')).toMatch(
      /node_modules[/\\]playwright-core[/\\]\.local-browsers$/,
    );
  });

  it('looks for Chrome/Chromium at the usual system paths and on PATH', () => {
    const linux = systemCandidates({ PATH: '/opt/custom/bin:relative/bin' }, 'linux');
    expect(linux.slice(0, 5)).toEqual([
      '/usr/lib/chromium/chromium-headless-shell',
      '/usr/bin/chromium-headless-shell',
      '/usr/lib64/chromium-browser/headless_shell',
      '/usr/bin/chromium',
      '/usr/bin/chromium-browser',
    ]);
    expect(linux.indexOf('/opt/custom/bin/chromium-headless-shell')).toBeLessThan(
      linux.indexOf('/opt/custom/bin/chromium'),
    );
    expect(linux).toContain('/snap/bin/chromium');
    expect(linux).toContain('/opt/custom/bin/google-chrome-stable');
    expect(linux.some((p) => p.startsWith('relative'))).toBe(false);

    expect(systemCandidates({ HOME: '/Users/u' }, 'darwin')).toContain(
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    );
    expect(systemCandidates({ ProgramFiles: 'D:\\Apps' }, 'win32')).toContain(
      'D:\\Apps\\Google\\Chrome\\Application\\chrome.exe',
    );
  });
});
