// The one place sharp is used. Screenshots are full-size PNGs (megabytes for a long page); a model or
// a chat client needs a look, not the original, which stays in the job's artifacts. Loaded lazily.

export interface DownscaleOptions {
  maxWidth: number;
  /** Long pages are cut to their top part (what a user sees first), in downscaled pixels. */
  maxHeight?: number;
  quality?: number;
}

/** A JPEG at most `maxWidth` wide (never enlarged), white behind transparency. */
export async function downscaleToJpeg(image: Buffer | string, opts: DownscaleOptions): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  const input = sharp(image, { limitInputPixels: 200_000_000 });
  const { width = 0, height = 0 } = await input.metadata();
  if (!width || !height) throw new Error('not an image');
  const scale = Math.min(1, opts.maxWidth / width);
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  let pipeline = input.resize({ width: w, height: h, fit: 'fill' });
  if (opts.maxHeight && h > opts.maxHeight) {
    pipeline = pipeline.extract({ left: 0, top: 0, width: w, height: opts.maxHeight });
  }
  return pipeline
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: opts.quality ?? 72 })
    .toBuffer();
}
