import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRepoConfig, parseRepoConfig, resolveSettings } from '../../src/config/load.js';

describe('.myfav-coworker.json', () => {
  it('accepts a valid file', () => {
    const cfg = parseRepoConfig(
      JSON.stringify({ appDir: 'apps/web', start: 'npm run dev', routes: ['/a'], readyTimeout: 30 }),
    );
    expect(cfg).toMatchObject({ appDir: 'apps/web', start: 'npm run dev', routes: ['/a'], readyTimeout: 30 });
  });

  it('names the bad field and what is wrong with it', () => {
    expect(() => parseRepoConfig(JSON.stringify({ readyTimeout: 'soon' }))).toThrow(/field "readyTimeout"/);
    expect(() => parseRepoConfig(JSON.stringify({ routes: ['no-slash'] }))).toThrow(/field "routes\.0"/);
    expect(() => parseRepoConfig(JSON.stringify({ strat: 'npm start' }))).toThrow(
      /unknown field\(s\) "strat"/,
    );
    expect(() => parseRepoConfig('{ not json')).toThrow(/not valid JSON/);
    try {
      parseRepoConfig(JSON.stringify({ install: true }));
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'INVALID_CONFIG', hint: expect.stringContaining('Valid fields') });
    }
  });
});

describe('.myfav-coworker.json that cannot be read', () => {
  it('is a config error that names the file, not an internal one', async () => {
    // The branch made it a folder (or a file we may not read): the user's to fix, not a bug of ours.
    const checkout = await mkdtemp(path.join(tmpdir(), 'myfav-test-config-'));
    try {
      await mkdir(path.join(checkout, '.myfav-coworker.json'));
      await expect(loadRepoConfig(checkout)).rejects.toMatchObject({
        code: 'INVALID_CONFIG',
        message: expect.stringMatching(
          /\.myfav-coworker\.json could not be read: .*not a regular file \(a directory\)/,
        ),
        hint: expect.stringContaining('repository root'),
      });
    } finally {
      await rm(checkout, { recursive: true, force: true });
    }
  });
});

describe('settings precedence: defaults < file < flags', () => {
  it('uses defaults when nothing is set', () => {
    const s = resolveSettings({}, {});
    expect(s).toMatchObject({
      appDir: undefined,
      install: undefined,
      readyTimeoutMs: 60_000,
      maxPages: 10,
      routes: [],
    });
  });

  it('lets the file override defaults and flags override the file', () => {
    const file = parseRepoConfig(
      JSON.stringify({
        appDir: 'web',
        start: 'npm run serve',
        readyTimeout: 20,
        maxPages: 5,
        routes: ['/from-file'],
      }),
    );
    const s = resolveSettings(file, {
      start: 'node server.js',
      readyTimeoutSeconds: 7,
      routes: ['/from-flag'],
    });
    expect(s.appDir).toBe('web');
    expect(s.start).toBe('node server.js');
    expect(s.readyTimeoutMs).toBe(7000);
    expect(s.maxPages).toBe(5);
    expect(s.routes).toEqual(['/from-file', '/from-flag']);
  });

  it('keeps --no-install (false) over a configured install command', () => {
    const s = resolveSettings(parseRepoConfig(JSON.stringify({ install: 'npm ci' })), { install: false });
    expect(s.install).toBe(false);
  });
});
