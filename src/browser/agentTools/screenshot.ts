import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { downscaleToJpeg } from '../../image/downscale.js';
import { defineTool, type ToolResponse } from './tool.js';

const SCREENSHOT_TIMEOUT_MS = 10_000;

export const screenshotTool = defineTool({
  name: 'browser_screenshot',
  description:
    'A screenshot of the visible part of the page, saved as evidence (the result names the file to cite). Use it to show a problem; you do not need it to act.',
  schema: z.object({}).strict(),
  observe: 'none',
  async handle(tab, _params, response, call) {
    await mkdir(tab.evidenceDir, { recursive: true });
    const name = `${call.label.replace(/[^\w.-]+/g, '-').slice(0, 60) || 'screenshot'}.png`;
    const file = path.join(tab.evidenceDir, name);
    const png = await tab.page.screenshot({
      type: 'png',
      animations: 'disabled',
      timeout: SCREENSHOT_TIMEOUT_MS,
    });
    await writeFile(file, png);
    const rel = path.relative(tab.opts.artifactDir, file).split(path.sep).join('/');
    response.addText(
      `Screenshot of ${tab.display(tab.page.url())} saved as ${rel} (cite this path as evidence).`,
    );
    response.screenshot = rel;
    response.image = await downscale(png, tab.opts.imageMaxWidth ?? 1024);
  },
});

/** A JPEG no wider than `maxWidth` for the model; the PNG itself if it cannot be converted. */
async function downscale(png: Buffer, maxWidth: number): Promise<NonNullable<ToolResponse['image']>> {
  try {
    const data = await downscaleToJpeg(png, { maxWidth, quality: 70 });
    return { mediaType: 'image/jpeg', data: data.toString('base64') };
  } catch {
    return { mediaType: 'image/png', data: png.toString('base64') };
  }
}
