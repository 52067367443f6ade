// Reading a file of the branch (package.json, lockfiles, our repo config) without trusting it: it must
// be a regular file inside the checkout and at most a few MB. A package.json that is a link to
// /dev/zero, a FIFO or a 20 GB file would otherwise hang or exhaust our process before any sandbox.

import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { CoworkerError } from './errors.js';
import { isInside } from './paths.js';

export const maxRepoFileBytes = 4 * 1024 * 1024;

export interface RepoFileOptions {
  /** Only the first `head` bytes, whatever the file's size (to sniff a lockfile's format). */
  head?: number;
}

/** The file's text, or undefined when it does not exist. Throws UNSAFE_FILE for anything else odd. */
export function readRepoFile(root: string, file: string, opts: RepoFileOptions = {}): string | undefined {
  try {
    lstatSync(file);
  } catch {
    return undefined;
  }
  const rel = path.relative(root, file) || path.basename(file);
  const hint =
    `Make ${rel} a regular file (at most ${maxRepoFileBytes / 1024 / 1024} MB) inside the repository in the branch, ` +
    'or remove it.';
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return undefined; // a dangling link: as good as missing
  }
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    realRoot = root;
  }
  if (!isInside(realRoot, real)) {
    throw new CoworkerError(
      'UNSAFE_FILE',
      `${rel} in the branch is a link to ${real}, outside the repository: not read.`,
      hint,
    );
  }
  // O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: the path was resolved above.
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (err) {
    throw new CoworkerError(
      'UNSAFE_FILE',
      `${rel} in the branch could not be read: ${(err as Error).message}`,
      hint,
    );
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      throw new CoworkerError(
        'UNSAFE_FILE',
        `${rel} in the branch is not a regular file (${kindOf(st)}): not read.`,
        hint,
      );
    }
    if (opts.head === undefined && st.size > maxRepoFileBytes) {
      throw new CoworkerError(
        'UNSAFE_FILE',
        `${rel} in the branch is ${(st.size / 1024 / 1024).toFixed(1)} MB, more than the ${maxRepoFileBytes / 1024 / 1024} MB myfav-coworker reads.`,
        hint,
      );
    }
    // Never more than the limit, even if the file grows while we read it.
    const buf = Buffer.alloc(Math.min(st.size, opts.head ?? maxRepoFileBytes));
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, n);
      if (got === 0) break;
      n += got;
    }
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function kindOf(st: ReturnType<typeof fstatSync>): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}
