// Files of the branch are read only when they are small regular files inside the checkout.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRepoFile } from '../../src/repoFile.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'myfav-test-repofile-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('readRepoFile', () => {
  it('reads a regular file, and a link to one inside the checkout; a missing file is undefined', () => {
    writeFileSync(path.join(root, 'a.json'), '{}');
    symlinkSync('a.json', path.join(root, 'b.json'));
    expect(readRepoFile(root, path.join(root, 'a.json'))).toBe('{}');
    expect(readRepoFile(root, path.join(root, 'b.json'))).toBe('{}');
    expect(readRepoFile(root, path.join(root, 'missing.json'))).toBeUndefined();
  });

  it('refuses a link out of the checkout, a FIFO (without blocking) and a file over 4 MB', () => {
    symlinkSync('/dev/zero', path.join(root, 'zero.json'));
    expect(() => readRepoFile(root, path.join(root, 'zero.json'))).toThrow(
      /link to \/dev\/zero, outside the repository/,
    );
    execFileSync('mkfifo', [path.join(root, 'fifo.json')]);
    expect(() => readRepoFile(root, path.join(root, 'fifo.json'))).toThrow(
      /not a regular file \(a named pipe\)/,
    );
    writeFileSync(path.join(root, 'big.json'), Buffer.alloc(4 * 1024 * 1024 + 1, 32));
    expect(() => readRepoFile(root, path.join(root, 'big.json'))).toThrow(/4\.0 MB, more than the 4 MB/);
  });
});
