// The pixel comparison of two screenshots, on real PNG files (written with sharp, decoded by our adapter).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffScreenshots } from '../../src/image/pixelDiff.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'myfav-test-pixels-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A white w×h PNG with an optional filled rectangle. */
async function png(
  name: string,
  w: number,
  h: number,
  rect?: { x: number; y: number; w: number; h: number; colour: string },
): Promise<string> {
  const file = path.join(dir, name);
  const base = sharp({ create: { width: w, height: h, channels: 4, background: '#ffffff' } });
  const layers = rect
    ? [
        {
          input: await sharp({
            create: { width: rect.w, height: rect.h, channels: 4, background: rect.colour },
          })
            .png()
            .toBuffer(),
          left: rect.x,
          top: rect.y,
        },
      ]
    : [];
  await base.composite(layers).png().toFile(file);
  return file;
}

describe('diffScreenshots', () => {
  it('finds no difference between two identical screenshots and writes no diff image', async () => {
    const a = await png('same-a.png', 200, 100, { x: 10, y: 10, w: 50, h: 20, colour: '#1f6feb' });
    const b = await png('same-b.png', 200, 100, { x: 10, y: 10, w: 50, h: 20, colour: '#1f6feb' });
    const out = path.join(dir, 'same-diff.png');
    const diff = await diffScreenshots(a, b, { diffImage: out, writeWhen: (d) => d.changedRatio > 0 });
    expect(diff).toEqual({ width: 200, height: 100, changedPixels: 0, changedRatio: 0, sizeChanged: false });
    expect(existsSync(out)).toBe(false);
  });

  it('counts the pixels of a recoloured block and draws them in the diff image', async () => {
    const a = await png('box-a.png', 200, 100, { x: 10, y: 10, w: 50, h: 20, colour: '#1f6feb' });
    const b = await png('box-b.png', 200, 100, { x: 10, y: 10, w: 50, h: 20, colour: '#d1242f' });
    const out = path.join(dir, 'box-diff.png');
    const diff = await diffScreenshots(a, b, { diffImage: out });
    expect(diff.changedPixels).toBe(50 * 20);
    expect(diff.changedRatio).toBeCloseTo(1000 / 20_000, 6);
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height]).toEqual([200, 100]);
  });

  it('compares pages of different sizes: the rows only one side has count as changed', async () => {
    // The head page grew by 50 rows (a paragraph more); what both have is the same.
    const head = await png('tall.png', 200, 150);
    const base = await png('short.png', 200, 100);
    const out = path.join(dir, 'size-diff.png');
    const diff = await diffScreenshots(head, base, { diffImage: out });
    expect(diff).toMatchObject({ width: 200, height: 150, changedPixels: 200 * 50, sizeChanged: true });
    expect(diff.changedRatio).toBeCloseTo(1 / 3, 6);
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([200, 150]);
    // The grown part is red in the diff image; the common part is not.
    const pixel = (x: number, y: number) => [
      ...data.subarray((y * 200 + x) * info.channels, (y * 200 + x) * info.channels + 3),
    ];
    expect(pixel(100, 120)).toEqual([255, 0, 0]);
    expect(pixel(100, 50)).not.toEqual([255, 0, 0]);
  });

  it('counts a width change too, over the union of both areas', async () => {
    const diff = await diffScreenshots(await png('wide.png', 300, 100), await png('narrow.png', 200, 120));
    // Union: 300×100 + 200×120 − 200×100 = 34,000; only one side has 100×100 + 200×20 = 14,000 of them.
    expect(diff.changedPixels).toBe(14_000);
    expect(diff.changedRatio).toBeCloseTo(14_000 / 34_000, 6);
  });
});
