import { describe, expect, it } from 'vitest';
import { validateRef } from '../../src/git/refs.js';

describe('validateRef', () => {
  it.each([
    'main',
    'feature/login-form',
    'v1.2.3',
    'origin/main',
    'HEAD',
    'HEAD~1',
    'abc1234',
    'release/2026_11',
    'user@team/x',
  ])('accepts %s', (ref) => expect(validateRef(ref)).toBe(ref));

  it.each([
    ['--upload-pack=touch /tmp/x', /option/],
    ['-b', /option/],
    ['', /empty/],
    ['main..feature', /range/],
    ['feature branch', /not allowed/],
    ['a;rm -rf /', /not allowed/],
    ['x\nmain', /not allowed/],
    ['main@{1}', /reflog/],
    ['refs/heads/x.lock', /not a valid/],
  ])('rejects %j', (ref, why) => {
    expect(() => validateRef(ref)).toThrow(why);
  });
});
