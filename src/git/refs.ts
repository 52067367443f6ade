import { CoworkerError } from '../errors.js';

// A ref as a user (or a PR's API response) may name one: a branch, tag, remote-tracking branch, SHA,
// or a simple revision like HEAD~1. Everything is checked before it reaches git, and git also gets
// `--end-of-options` before it, so nothing can be read as an option.
const allowedRef = /^[A-Za-z0-9][A-Za-z0-9._/@~^{}+-]*$/;

export function validateRef(ref: string, what = 'ref'): string {
  const problem = refProblem(ref);
  if (problem) {
    throw new CoworkerError(
      'INVALID_REF',
      `Invalid ${what} ${JSON.stringify(ref.slice(0, 120))}: ${problem}.`,
      'Pass a branch name, tag or commit SHA, e.g. --head feature/login --base main.',
    );
  }
  return ref;
}

function refProblem(ref: string): string | null {
  if (ref.length === 0) return 'it is empty';
  if (ref.length > 255) return 'it is longer than 255 characters';
  if (ref.startsWith('-')) return 'it starts with "-" and would be read as an option';
  if (!allowedRef.test(ref)) return 'it contains characters that are not allowed in a ref';
  if (ref.includes('..')) return 'ranges ("..") are not allowed; name a single commit';
  if (ref.includes('@{')) return 'reflog expressions ("@{") are not allowed';
  if (ref.endsWith('.lock') || ref.endsWith('/') || ref.endsWith('.')) return 'it is not a valid ref name';
  return null;
}

export const isFullSha = (s: string): boolean => /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(s);
