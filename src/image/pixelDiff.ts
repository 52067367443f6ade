// Two screenshots of the same page (head and base) compared pixel by pixel: sharp decodes the PNGs,
// pixelmatch counts the pixels that differ (anti-aliased edges — a glyph rendered a sub-pixel apart — are
// detected and not counted). Both libraries are used here only, and loaded lazily.
//
// Full-page screenshots of two versions of a page often differ in size (a paragraph more, a wider table).
// The overlap is compared; every pixel that only one side has counts as different, since a page that got
// longer or shorter did change. The share is taken of the union of both areas.

import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface PixelDiff {
  /** Size of the compared area (the larger width and height of the two). */
  width: number;
  height: number;
  /** Pixels that differ, including those only one side has. */
  changedPixels: number;
  /** changedPixels / the union of both images' areas (0–1). */
  changedRatio: number;
  /** The two screenshots have different sizes. */
  sizeChanged: boolean;
}

export interface PixelDiffOptions {
  /**
   * Where to write the diff image (changed pixels red over a faded copy of the head; pixels only one side
   * has red too). Written only when `writeWhen` says so, so unchanged pages cost no PNG encoding.
   */
  diffImage?: string;
  writeWhen?: (diff: PixelDiff) => boolean;
}

/** Colour distance (0–1) below which two pixels count as the same: pixelmatch's own default. */
const COLOUR_THRESHOLD = 0.1;
/** Screenshots beyond this many pixels are cut to their top part (Chromium's own limit is 16,384 rows). */
const MAX_PIXELS = 1280 * 16_384;

interface Rgba {
  data: Buffer;
  width: number;
  height: number;
}

export async function diffScreenshots(
  headFile: string,
  baseFile: string,
  opts: PixelDiffOptions = {},
): Promise<PixelDiff> {
  const [headBytes, baseBytes] = await Promise.all([readFile(headFile), readFile(baseFile)]);
  // The same bytes are the same picture: most pages a change does not touch come out identical, and
  // decoding and comparing them is most of this function's time.
  const same = headBytes.equals(baseBytes) ? pngSize(headBytes) : undefined;
  if (same) {
    const height = Math.min(same.height, Math.max(1, Math.floor(MAX_PIXELS / same.width)));
    return { width: same.width, height, changedPixels: 0, changedRatio: 0, sizeChanged: false };
  }
  const [{ default: pixelmatch }, head, base] = await Promise.all([
    import('pixelmatch'),
    decode(headBytes, headFile),
    decode(baseBytes, baseFile),
  ]);
  const width = Math.max(head.width, base.width);
  const height = Math.max(head.height, base.height);
  const overlapW = Math.min(head.width, base.width);
  const overlapH = Math.min(head.height, base.height);
  const overlap = overlapW * overlapH;
  const union = head.width * head.height + base.width * base.height - overlap;

  const wantImage = opts.diffImage !== undefined;
  const overlapOut = wantImage ? new Uint8Array(overlap * 4) : undefined;
  const differing =
    overlap === 0
      ? 0
      : pixelmatch(
          crop(head, overlapW, overlapH),
          crop(base, overlapW, overlapH),
          overlapOut,
          overlapW,
          overlapH,
          { threshold: COLOUR_THRESHOLD, includeAA: false },
        );
  const changedPixels = differing + (union - overlap);
  const diff: PixelDiff = {
    width,
    height,
    changedPixels,
    changedRatio: union === 0 ? 0 : changedPixels / union,
    sizeChanged: head.width !== base.width || head.height !== base.height,
  };
  if (opts.diffImage && overlapOut && (opts.writeWhen?.(diff) ?? true)) {
    await writeDiffImage(opts.diffImage, overlapOut, overlapW, overlapH, head, base, width, height);
  }
  return diff;
}

/** Width and height from a PNG's IHDR chunk (undefined: not a PNG). */
function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  const signature = '89504e470d0a1a0a';
  if (bytes.length < 24 || bytes.subarray(0, 8).toString('hex') !== signature) return undefined;
  if (bytes.subarray(12, 16).toString('latin1') !== 'IHDR') return undefined;
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  return width > 0 && height > 0 ? { width, height } : undefined;
}

async function decode(bytes: Buffer, file: string): Promise<Rgba> {
  const { default: sharp } = await import('sharp');
  const input = sharp(bytes, { limitInputPixels: 200_000_000 });
  const { width = 0, height = 0 } = await input.metadata();
  if (!width || !height) throw new Error(`${path.basename(file)} is not an image`);
  const rows = Math.min(height, Math.max(1, Math.floor(MAX_PIXELS / width)));
  const pipeline = rows < height ? input.extract({ left: 0, top: 0, width, height: rows }) : input;
  const { data, info } = await pipeline.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** The top-left w×h of an image (no copy when only rows are cut). */
function crop(image: Rgba, w: number, h: number): Uint8Array {
  if (image.width === w) return image.data.subarray(0, w * h * 4);
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    out.set(image.data.subarray(y * image.width * 4, (y * image.width + w) * 4), y * w * 4);
  }
  return out;
}

async function writeDiffImage(
  file: string,
  overlapOut: Uint8Array,
  overlapW: number,
  overlapH: number,
  head: Rgba,
  base: Rgba,
  width: number,
  height: number,
): Promise<void> {
  const out = Buffer.alloc(width * height * 4, 255);
  const red = Buffer.from([255, 0, 0, 255]);
  for (let y = 0; y < height; y++) {
    const row = y * width * 4;
    const from = y < overlapH ? overlapW : 0;
    if (y < overlapH) out.set(overlapOut.subarray(y * overlapW * 4, (y + 1) * overlapW * 4), row);
    // Beyond the overlap, a pixel only one side has is red (the page grew or shrank there); one that
    // neither has stays white.
    const reach = Math.max(y < head.height ? head.width : 0, y < base.height ? base.width : 0);
    for (let x = from; x < reach; x++) out.set(red, row + x * 4);
  }
  const { default: sharp } = await import('sharp');
  await mkdir(path.dirname(file), { recursive: true });
  await sharp(out, { raw: { width, height, channels: 4 } })
    .png({ compressionLevel: 6 })
    .toFile(file);
}
