// What the screenshots and the accessibility checks of the pages both sides visited amount to.
//
// A visible change is what a change is for, so it is information for the reviewer (the side-by-side
// screenshots and the diff image), not a finding — unless it is on a page no changed file points at: then
// the change may have altered it by accident (a shared stylesheet, a layout component), a warning.
//
// axe-core violations are compared by rule id per page: one on head only is the change's (a warning, or
// an error when the repository asks for it), one on both is pre-existing, one on base only was fixed.

import type { AccessibilityLevel } from '../config/schema.js';
import { joinList } from './format.js';
import { findingKeys } from './identity.js';
import type { A11yViolation, ComparedPage, Finding, FindingOrigin, PageResult } from './model.js';

export interface PageCompareInput {
  pages: readonly ComparedPage[];
  headPages: readonly PageResult[];
  basePages: readonly PageResult[];
  accessibility: AccessibilityLevel;
  visualThreshold: number;
}

const loaded = (status: number | null) => status !== null && status < 400;

/** "0.12 %", "3.4 %": small shares keep two decimals (the default threshold is 0.1 %). */
export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio < 0.01 ? 2 : 1)} %`;
}

/**
 * Each compared page with its axe results filled in (both sides checked and the head page loaded), and a
 * note for each page whose check did not finish on one side: nothing is concluded about that page.
 */
export function withAccessibility(input: PageCompareInput): { pages: ComparedPage[]; notes: string[] } {
  const notes: string[] = [];
  if (input.accessibility === 'off') return { pages: [...input.pages], notes };
  const head = new Map(input.headPages.map((p) => [p.path, p]));
  const base = new Map(input.basePages.map((p) => [p.path, p]));
  const unchecked = (page: ComparedPage, side: string) => {
    notes.push(
      `The accessibility of ${page.path} could not be checked on ${side} (axe-core did not finish): it was not compared.`,
    );
    return page;
  };
  const pages = input.pages.map((page) => {
    if (!loaded(page.headStatus)) return page;
    const h = head.get(page.path)?.a11y;
    if (!h) return unchecked(page, 'head');
    // A page the base does not have (404 there) is new on head: all of its violations are the change's.
    if (!loaded(page.baseStatus)) return { ...page, a11y: { head: h, base: [] } };
    const b = base.get(page.path)?.a11y;
    if (!b) return unchecked(page, 'the base');
    return { ...page, a11y: { head: h, base: b } };
  });
  return { pages, notes };
}

export function accessibilityFindings(pages: readonly ComparedPage[], level: AccessibilityLevel): Finding[] {
  if (level === 'off') return [];
  return pages.flatMap((page) =>
    accessibilityRows(page).map(({ violation, origin }) =>
      a11yFinding(
        page,
        violation,
        origin,
        level,
        origin === 'fixed' ? page.baseScreenshot : page.headScreenshot,
      ),
    ),
  );
}

function a11yFinding(
  page: ComparedPage,
  v: A11yViolation,
  origin: FindingOrigin,
  level: Exclude<AccessibilityLevel, 'off'>,
  screenshot: string | undefined,
): Finding {
  const where =
    origin === 'new'
      ? 'on head, not on the base'
      : origin === 'fixed'
        ? 'on the base, no longer on head'
        : 'on head and on the base';
  const elements = v.targets.length ? ` Elements: ${joinList(v.targets)}.` : '';
  return {
    severity: level,
    kind: 'accessibility',
    title: `Accessibility: ${v.help} (${v.id})`,
    page: page.path,
    detail: `A ${v.impact} violation of the axe-core rule ${v.id} on ${page.path}, ${where}: ${v.help}.${elements} How to fix it: ${v.helpUrl}`,
    evidence: [`${v.id} (${v.impact}): ${v.helpUrl}`, ...v.targets, ...(screenshot ? [screenshot] : [])],
    steps: [
      `Open ${page.path}`,
      `Check it with axe-core (e.g. the axe DevTools browser extension) and look for the rule ${v.id}`,
    ],
    source: 'crawl',
    origin,
    key: findingKeys.a11y(page.path, v.id),
  };
}

/** A page no changed file points at that looks different on head: a warning (new: the base is the reference). */
export function visualChangeFindings(pages: readonly ComparedPage[], threshold: number): Finding[] {
  return pages.flatMap((page): Finding[] => {
    if (!page.visualChange || page.touchedByDiff || page.changedRatio === undefined) return [];
    // A page that failed on one side is a failure (or a new page), reported as such, not a change of look.
    if (!loaded(page.headStatus) || !loaded(page.baseStatus)) return [];
    return [
      {
        severity: 'warning',
        kind: 'visual-change',
        title: `${page.path} looks different from the base, though no changed file points at it`,
        page: page.path,
        detail: `${percent(page.changedRatio)} of the page's pixels differ from the base (more than the ${percent(threshold)} allowed by "visualThreshold"). No file of the change maps to this page, so it may have been changed by accident — a shared stylesheet, a layout or a component used here. Compare the screenshots; if the change is intended, nothing is wrong (and dynamic regions can be masked with "mask" in .myfav-coworker.json).`,
        evidence: [page.headScreenshot, page.baseScreenshot, page.diffImage].filter(
          (e): e is string => e !== undefined,
        ),
        steps: [`Open ${page.path} on the base and on the change`, 'Compare the two pages side by side'],
        source: 'crawl',
        origin: 'new',
        key: findingKeys.visual(page.path),
      },
    ];
  });
}

/** What the pixel comparison of one page says, in words, for the report; null when it was not made. */
export function describeVisual(page: ComparedPage): string | null {
  if (page.changedRatio === undefined) return null;
  const share = `${percent(page.changedRatio)} of pixels differ`;
  if (!page.visualChange) return `No visible change (${share}).`;
  return page.touchedByDiff
    ? `Looks different from the base (${share}): expected, the change touches this page.`
    : `Looks different from the base (${share}), though no changed file points at this page.`;
}

/** The page's axe-core violations, each with where it is: new on head, on both sides, or fixed. */
export function accessibilityRows(page: ComparedPage): { violation: A11yViolation; origin: FindingOrigin }[] {
  if (!page.a11y) return [];
  const baseIds = new Set(page.a11y.base.map((v) => v.id));
  const headIds = new Set(page.a11y.head.map((v) => v.id));
  return [
    ...page.a11y.head.map((violation) => ({
      violation,
      origin: (baseIds.has(violation.id) ? 'pre-existing' : 'new') as FindingOrigin,
    })),
    ...page.a11y.base
      .filter((v) => !headIds.has(v.id))
      .map((violation) => ({ violation, origin: 'fixed' as FindingOrigin })),
  ];
}

/**
 * axe's help pages are on Deque University; a help URL is linked only when it goes there (axe runs
 * inside the page under test, which could hand back anything).
 */
export function trustedHelpUrl(url: string): string | null {
  return /^https:\/\/dequeuniversity\.com\/[\w./?=&%-]*$/.test(url) ? url : null;
}
