// The base commit's run, kept for the next simulation against the same base: a second PR on the same
// base, or a rerun, does not install and start the base app again. Commits are immutable, so a base run is
// a function of (repository, base SHA, the settings that change what is crawled, our code — version and
// build hash, the browser that took its screenshots) — that is the key. A cached run answers for the pages it visited: one that lacks a page the
// head visited is not used (the base runs again, and the new run, which covers both, replaces it).

import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SettingOverrides } from '../config/schema.js';
import type { BrokenLink, PageResult } from '../report/model.js';
import { codeIdentity } from '../version.js';

export interface CachedBaseRun {
  key: string;
  createdAt: string;
  baseSha: string;
  /** With their screenshots and axe-core results (`PageResult.a11y`). */
  pages: PageResult[];
  brokenLinks: BrokenLink[];
  /** The base app's log at the end of its run (to quote for pre-existing 5xx). */
  appLog: string;
}

/** Cached runs older than this are not used (a base's environment — registries, data — drifts). */
const MAX_AGE_MS = 7 * 24 * 3600_000;
/** A cache entry is ours and small; anything bigger is not one. */
const MAX_ENTRY_BYTES = 5 * 1024 * 1024;

export function baseCacheKey(input: {
  repo: string;
  baseSha: string;
  overrides: SettingOverrides;
  /** The head's mask selectors and whether axe runs: they change the base's screenshots and results. */
  pageChecks: { mask: readonly string[]; accessibility: boolean };
  /** Which browser takes the screenshots (`browserIdentity`). */
  browser: string;
  /** Which code makes the run (src/version.ts); the running code's unless given. */
  code?: string;
}): string {
  // The agent's settings and instructions do not change what the base crawl sees.
  const { instructions: _instructions, ...crawlSettings } = input.overrides;
  const { pageChecks } = input;
  return createHash('sha256')
    .update(
      JSON.stringify({
        v: input.code ?? codeIdentity,
        repo: input.repo,
        base: input.baseSha,
        crawlSettings,
        pageChecks,
        browser: input.browser,
      }),
    )
    .digest('hex')
    .slice(0, 32);
}

/**
 * The browser executable as the base cache knows it: its real path, size and modification time. Another
 * browser renders text a pixel or two apart — measured on TodoMVC's home page, Debian's full Chromium and
 * its chromium-headless-shell (the same version, 156) differ in 1.9 % of the pixels, 19× the default
 * visual threshold — so a base run another browser (or another build of it: a package upgrade changes the
 * file) took would flag pages the change never touched as looking different.
 */
export async function browserIdentity(executablePath: string): Promise<string> {
  try {
    const file = await realpath(executablePath);
    const info = await stat(file);
    return `${file}:${info.size}:${Math.trunc(info.mtimeMs)}`;
  } catch {
    return executablePath;
  }
}

/** The cached run, or null (none, too old, unreadable — a cache miss is never an error). */
export async function readBaseCache(cacheDir: string, key: string): Promise<CachedBaseRun | null> {
  const file = path.join(cacheDir, key, 'run.json');
  try {
    const info = await stat(file);
    if (!info.isFile() || info.size > MAX_ENTRY_BYTES) return null;
    const run = JSON.parse(await readFile(file, 'utf8')) as CachedBaseRun;
    if (run.key !== key || Date.now() - Date.parse(run.createdAt) > MAX_AGE_MS) return null;
    return run;
  } catch {
    return null;
  }
}

/**
 * Store a base run: its screenshots are copied beside it (paths in `pages` are relative to the entry's
 * folder, as they were to the job's base artifact dir). Written to a temp folder and renamed, so a reader
 * never sees half an entry.
 */
export async function writeBaseCache(
  cacheDir: string,
  run: CachedBaseRun,
  screenshotsFrom: string,
): Promise<void> {
  const dir = path.join(cacheDir, run.key);
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(staging, { recursive: true, mode: 0o700 });
  try {
    await cp(screenshotsFrom, path.join(staging, 'screenshots'), { recursive: true }).catch(() => {});
    await writeFile(path.join(staging, 'run.json'), JSON.stringify(run), { mode: 0o600 });
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Copy a cached run's screenshots into this job's base artifact dir (reports link them from there). */
export async function restoreScreenshots(cacheDir: string, key: string, toDir: string): Promise<void> {
  await cp(path.join(cacheDir, key, 'screenshots'), toDir, { recursive: true }).catch(() => {});
}
