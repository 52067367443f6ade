// Key screenshots of a report as MCP image content: a few, downscaled. Full-page PNGs of 1280 px wide
// pages run to megabytes; a chat model needs a look, not the original (it is in the artifacts folder).

import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { downscaleToJpeg } from '../image/downscale.js';
import { evidenceFile, isImagePath } from '../report/format.js';
import type { Report, Severity } from '../report/model.js';

export const MAX_IMAGES = 3;
const MAX_WIDTH = 800;
/** Long pages are cut to their top part (what a user sees first), in downscaled pixels. */
const MAX_HEIGHT = 1600;
const JPEG_QUALITY = 72;

export interface ImageContent {
  type: 'image';
  data: string;
  mimeType: 'image/jpeg';
}

export interface KeyScreenshot {
  /** Path relative to the artifact dir, as in the report. */
  relPath: string;
  /** The page it shows, when known. */
  page?: string;
  image: ImageContent;
}

const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * Screenshots that best show the outcome: those named as evidence by the most severe findings first,
 * then the entry page. Files outside the job's artifact dir are never read (evidence is untrusted text).
 */
export function pickKeyScreenshots(
  report: Report,
  max = MAX_IMAGES,
): Array<{ relPath: string; page?: string }> {
  const picked = new Map<string, string | undefined>();
  const findings = [...report.findings].sort((a, b) => severityRank[a.severity] - severityRank[b.severity]);
  for (const finding of findings) {
    for (const evidence of finding.evidence) {
      if (picked.size >= max) break;
      const file = evidenceFile(evidence, report);
      if (file && isImagePath(file) && !picked.has(file)) picked.set(file, finding.page);
    }
  }
  const entry = report.pages[0];
  if (picked.size < max && entry?.screenshot && !picked.has(entry.screenshot)) {
    picked.set(entry.screenshot, entry.path);
  }
  return [...picked].slice(0, max).map(([relPath, page]) => (page ? { relPath, page } : { relPath }));
}

/** Downscaled JPEGs of the key screenshots; files that are gone or unreadable are skipped. */
export async function keyScreenshots(report: Report, max = MAX_IMAGES): Promise<KeyScreenshot[]> {
  const picks = pickKeyScreenshots(report, max);
  if (picks.length === 0) return [];
  const root = await realpath(report.artifacts.dir).catch(() => null);
  if (!root) return [];
  const out: KeyScreenshot[] = [];
  for (const pick of picks) {
    const file = await realpath(path.resolve(root, pick.relPath)).catch(() => null);
    if (!file?.startsWith(root + path.sep)) continue;
    try {
      const data = await downscaleToJpeg(file, {
        maxWidth: MAX_WIDTH,
        maxHeight: MAX_HEIGHT,
        quality: JPEG_QUALITY,
      });
      out.push({
        relPath: pick.relPath,
        ...(pick.page ? { page: pick.page } : {}),
        image: { type: 'image', data: data.toString('base64'), mimeType: 'image/jpeg' },
      });
    } catch {
      // A truncated or odd file: show the others.
    }
  }
  return out;
}
