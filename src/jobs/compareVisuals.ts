// The compare phase's look at the pages both sides visited: their screenshots compared in pixels (a diff
// image for each page that changed visibly, `compare/<name>-diff.png`) and their axe-core results compared
// by rule. Findings come out with their origin already set (see report/pageCompare.ts).

import path from 'node:path';
import type { AccessibilityLevel } from '../config/schema.js';
import { throwIfCancelled } from '../errors.js';
import { diffScreenshots } from '../image/pixelDiff.js';
import type { Logger } from '../log.js';
import type { ComparedPage, Finding, PageResult } from '../report/model.js';
import { accessibilityFindings, visualChangeFindings, withAccessibility } from '../report/pageCompare.js';

export interface VisualSettings {
  visualThreshold: number;
  accessibility: AccessibilityLevel;
}

export interface CompareVisualsInput {
  pages: ComparedPage[];
  headPages: readonly PageResult[];
  basePages: readonly PageResult[];
  settings: VisualSettings;
  artifactDir: string;
  signal: AbortSignal;
  logger: Logger;
  /** A page's pixel comparison when it was done ahead (while the head was still crawled). */
  comparedAhead?(pagePath: string): Promise<PixelResult> | undefined;
}

export interface PixelResult {
  page: ComparedPage;
  /** Why the screenshots could not be compared. */
  note?: string;
}

export interface CompareVisualsResult {
  pages: ComparedPage[];
  findings: Finding[];
  /** Pages whose screenshots could not be compared, and why. */
  notes: string[];
}

export async function compareVisuals(input: CompareVisualsInput): Promise<CompareVisualsResult> {
  const { settings } = input;
  const notes: string[] = [];
  const pages: ComparedPage[] = [];
  // One page at a time: a long page's decoded screenshots take tens of megabytes each.
  for (const page of input.pages) {
    throwIfCancelled(input.signal);
    const compared = await (input.comparedAhead?.(page.path) ?? comparePixels(page, input));
    pages.push(compared.page);
    if (compared.note) notes.push(compared.note);
  }
  const { pages: checked, notes: a11yNotes } = withAccessibility({
    pages,
    headPages: input.headPages,
    basePages: input.basePages,
    accessibility: settings.accessibility,
    visualThreshold: settings.visualThreshold,
  });
  notes.push(...a11yNotes);
  return {
    pages: checked,
    findings: [
      ...visualChangeFindings(checked, settings.visualThreshold),
      ...accessibilityFindings(checked, settings.accessibility),
    ],
    notes,
  };
}

export async function comparePixels(
  page: ComparedPage,
  input: Pick<CompareVisualsInput, 'artifactDir' | 'logger'> & {
    settings: Pick<VisualSettings, 'visualThreshold'>;
  },
): Promise<PixelResult> {
  if (!page.headScreenshot || !page.baseScreenshot) return { page };
  const name = path.basename(page.headScreenshot, path.extname(page.headScreenshot));
  const diffImage = `compare/${name}-diff.png`;
  const threshold = input.settings.visualThreshold;
  try {
    const diff = await diffScreenshots(
      path.join(input.artifactDir, page.headScreenshot),
      path.join(input.artifactDir, page.baseScreenshot),
      {
        diffImage: path.join(input.artifactDir, diffImage),
        writeWhen: (d) => d.changedRatio > threshold,
      },
    );
    const visualChange = diff.changedRatio > threshold;
    return {
      page: {
        ...page,
        changedRatio: diff.changedRatio,
        visualChange,
        ...(visualChange ? { diffImage } : {}),
      },
    };
  } catch (err) {
    input.logger.debug(`could not compare the screenshots of ${page.path}: ${(err as Error).message}`);
    return { page, note: `The screenshots of ${page.path} could not be compared: ${(err as Error).message}` };
  }
}

/** The pages both sides visited, in the head's order, as the report compares them. */
export function comparedPages(
  head: readonly PageResult[],
  base: readonly PageResult[],
  diffRoutes: readonly string[],
): ComparedPage[] {
  const baseByPath = new Map(base.map((p) => [p.path, p]));
  return head.flatMap((h) => {
    const b = baseByPath.get(h.path);
    return b ? [comparedPage(h, b, diffRoutes)] : [];
  });
}

export function comparedPage(h: PageResult, b: PageResult, diffRoutes: readonly string[]): ComparedPage {
  return {
    path: h.path,
    headStatus: h.status,
    baseStatus: b.status,
    ...(h.screenshot ? { headScreenshot: h.screenshot } : {}),
    ...(b.screenshot ? { baseScreenshot: b.screenshot } : {}),
    // The entry page is reached as the entry even when a changed file points at it.
    ...(h.via === 'diff' || diffRoutes.includes(h.path) ? { touchedByDiff: true } : {}),
  };
}
