// The change's own result: head findings against the base commit's. A problem on both sides is
// pre-existing, one on head only is new (the change's), one on base only is fixed. Only new findings
// decide the verdict (see verdict.ts); the others are reported, never hidden.

import type { Finding, PageResult } from './model.js';

export interface CompareInput {
  /** Everything found on head (crawl and agent), with keys. */
  head: readonly Finding[];
  /** The base crawl's findings, with keys. */
  base: readonly Finding[];
  headPages: readonly PageResult[];
  /** The base's pages: the head's, visited on the base (each keeps how the head reached it). */
  basePages: readonly PageResult[];
}

export interface CompareResult {
  findings: Finding[];
  /** What the comparison left out and why, for the report. */
  notes: string[];
}

export function compareFindings(input: CompareInput): CompareResult {
  const base = input.base.filter((f) => !unreachedOnBase(f, input.basePages));
  const baseKeys = new Set(base.flatMap((f) => (f.key ? [f.key] : [])));
  const headKeys = new Set(input.head.flatMap((f) => (f.key ? [f.key] : [])));
  const guessed = new Set(input.headPages.filter((p) => p.via === 'diff').map((p) => p.path));
  const headPaths = new Set(input.headPages.map((p) => p.path));
  const notes: string[] = [];

  const findings: Finding[] = [];
  for (const finding of input.head) {
    const onBase = finding.key !== undefined && baseKeys.has(finding.key);
    // A route guessed from the changed files that does not exist on either side is a wrong guess, not a
    // problem of the app.
    if (onBase && finding.kind === 'http-error' && finding.page && guessed.has(finding.page)) {
      notes.push(
        `${finding.page} (a route guessed from the changed files) answers the same error on both sides: not a finding.`,
      );
      continue;
    }
    // An agent finding carries the agent's words, which the base run cannot produce: its replay on the
    // base decides (see the compare phase); until then it is the change's.
    findings.push({ ...finding, origin: onBase ? 'pre-existing' : 'new' });
  }
  for (const finding of base) {
    if (finding.key === undefined || headKeys.has(finding.key)) continue;
    // Only where head looked too: a page head never opened says nothing about whether it was fixed.
    if (!finding.page || !headPaths.has(finding.page)) continue;
    findings.push({ ...finding, origin: 'fixed' });
  }
  return { findings, notes };
}

/**
 * The base visits every page the head visited, also those the head reached through a link or a route
 * guessed from the diff. When no page of the base links to one of them, a user of the base never gets
 * there: that it does not exist on the base is no problem of the base (nor one the head fixed).
 */
function unreachedOnBase(finding: Finding, basePages: readonly PageResult[]): boolean {
  if (!finding.key?.startsWith('page|') || !finding.page) return false;
  const page = basePages.find((p) => p.path === finding.page);
  return page !== undefined && (page.via === 'link' || page.via === 'diff');
}

/** Findings that count against the change: new ones (no origin = no comparison = all the change's). */
export function isNew(finding: Finding): boolean {
  return (finding.origin ?? 'new') === 'new';
}
