import { describe, expect, it } from 'vitest';
import { clip, clipNoting } from '../../src/clip.js';

describe('clip: one way to shorten text', () => {
  it('keeps text that fits, and cuts longer text to exactly max characters ending in "…"', () => {
    expect(clip('short', 5)).toBe('short');
    const cut = clip('a'.repeat(50), 10);
    expect(cut).toHaveLength(10);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('drops spaces before the mark and never splits a surrogate pair', () => {
    expect(clip('word     and more', 8)).toBe('word…');
    const cut = clip(`abcd${'😀'.repeat(5)}`, 6);
    expect(cut).toBe('abcd…');
    expect(cut.length).toBeLessThanOrEqual(6);
  });

  it('clipNoting says how many characters (code points) were cut', () => {
    expect(clipNoting('abc', 3)).toBe('abc');
    expect(clipNoting('😀😀😀😀', 1)).toBe('😀… [3 more characters]');
  });
});
