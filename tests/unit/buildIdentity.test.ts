// Which code ran is part of what a cached result answers for: the base cache's key carries the build's
// hash, so a rebuilt checkout (same version, different code) does not reuse results of the old code.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { baseCacheKey } from '../../src/jobs/baseCache.js';
import { readBuildId } from '../../src/version.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function distWith(content?: string): URL {
  const dir = mkdtempSync(path.join(tmpdir(), 'myfav-build-id-'));
  dirs.push(dir);
  if (content !== undefined) writeFileSync(path.join(dir, 'build-id.txt'), content);
  return pathToFileURL(`${dir}/`);
}

describe('the build identity', () => {
  it('is read from build-id.txt beside the bundle, and only when it is a hash', () => {
    expect(readBuildId(distWith('0123456789abcdef\n'))).toBe('0123456789abcdef');
    expect(readBuildId(distWith())).toBe('');
    expect(readBuildId(distWith('not a hash; rm -rf /'))).toBe('');
  });

  it('is written by the build for the bundle it made', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const written = readFileSync(path.join(root, 'dist/build-id.txt'), 'utf8').trim();
    expect(written).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is part of the base cache key', () => {
    const input = {
      repo: 'acme/shop',
      baseSha: 'a'.repeat(40),
      overrides: {},
      pageChecks: { mask: [], accessibility: true },
      browser: '/usr/bin/chromium:5066:1764145500000',
    };
    expect(baseCacheKey({ ...input, code: '0.1.0+aaaaaaaaaaaaaaaa' })).not.toBe(
      baseCacheKey({ ...input, code: '0.1.0+bbbbbbbbbbbbbbbb' }),
    );
    expect(baseCacheKey({ ...input, code: '0.1.0+aaaaaaaaaaaaaaaa' })).toBe(
      baseCacheKey({ ...input, code: '0.1.0+aaaaaaaaaaaaaaaa' }),
    );
  });
});
