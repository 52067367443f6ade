// The compare phase: the base commit at the pages the head visited, in a second browser context of the
// same browser; head findings classified new / pre-existing / fixed; new ones checked once more on head
// (a problem that does not come back is flaky, not the change's). The base run is cached for the next
// simulation against the same base.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReplayPoint } from '../agent/results.js';
import { smokeCrawl } from '../browser/crawl.js';
import type { ReplayInputStep } from '../browser/replay.js';
import type { BrowserSession } from '../browser/session.js';
import type { CrawlResult, CrawlTarget } from '../browser/types.js';
import { throwIfCancelled, toCoworkerError } from '../errors.js';
import type { Logger } from '../log.js';
import { compareFindings, isNew } from '../report/compare.js';
import { findingsFromCrawl } from '../report/findings.js';
import type { ComparedPage, Comparison, Finding, PageResult } from '../report/model.js';
import { replayAgentFindings, replayable } from './agentReplay.js';
import type { PreparedSide } from './appSide.js';
import { type CachedBaseRun, coversPages, restoreScreenshots, writeBaseCache } from './baseCache.js';
import type { BaseSide } from './baseSide.js';
import { compareVisuals, type VisualSettings } from './compareVisuals.js';

export type BaseSource =
  | { kind: 'cached'; run: CachedBaseRun }
  | { kind: 'live'; side: BaseSide; cacheKey: string };

export interface ComparePhaseInput {
  /** The head's session: the base gets a sibling context in the same browser. */
  session: BrowserSession;
  headPages: PageResult[];
  headFindings: Finding[];
  base: BaseSource;
  baseSha: string;
  baseRef?: string;
  artifactDir: string;
  cacheDir: string;
  signal: AbortSignal;
  logger: Logger;
  progress(message: string): void;
  /** How pages are compared in pixels and with axe-core; `mask` applies to the base's screenshots too. */
  pageChecks: VisualSettings & { mask: readonly string[] };
  /** Routes the changed files point at: a visual change there is expected. */
  diffRoutes: readonly string[];
  /** The agent's recorded steps and what they found, to replay on the base (absent: the agent did not run). */
  agentReplay?: { actions: ReplayInputStep[]; points: ReplayPoint[] };
  /** Starts the base app when a cached base run is used but an agent finding needs the live base. */
  startLiveBase(): BaseSide;
}

export interface ComparePhaseResult {
  findings: Finding[];
  comparison?: Comparison;
  /** Set when no comparison could be made: why (the findings are then the head's, unclassified). */
  note?: string;
  notes: string[];
}

/** Kinds whose new findings are looked at once more before they count (page-level observations). */
const RECHECKED: ReadonlySet<Finding['kind']> = new Set([
  'page-error',
  'console-error',
  'failed-request',
  'http-error',
  'page-unreachable',
]);

export async function runComparePhase(input: ComparePhaseInput): Promise<ComparePhaseResult> {
  const { base } = input;
  let baseRun: CachedBaseRun;
  let url: string | undefined;
  const notes: string[] = [];
  // The base's browser context, kept open after its crawl for the agent's replay.
  let live: { session: BrowserSession; side: PreparedSide } | null = null;
  try {
    if (base.kind === 'cached') {
      input.progress(`base ${input.baseSha.slice(0, 8)}: using the cached run of ${base.run.createdAt}`);
      await restoreScreenshots(
        input.cacheDir,
        base.run.key,
        path.join(input.artifactDir, 'base', 'screenshots'),
      );
      baseRun = base.run;
    } else {
      let side: PreparedSide;
      try {
        input.progress('waiting for the base app');
        side = await base.side.ready;
      } catch (err) {
        throwIfCancelled(input.signal);
        const error = toCoworkerError(err);
        return {
          findings: input.headFindings,
          note: `The base commit ${input.baseSha.slice(0, 8)} could not be run, so nothing was compared (every finding counts as new): ${error.message}`,
          notes,
        };
      }
      url = side.app.url;
      live = { session: await openBaseSession(input, side), side };
      const crawl = await crawlBase(input, side, live.session);
      baseRun = {
        key: base.cacheKey,
        createdAt: new Date().toISOString(),
        baseSha: input.baseSha,
        pages: crawl.pages,
        brokenLinks: crawl.brokenLinks,
        appLog: await readFile(side.appLog, 'utf8').catch(() => ''),
      };
      await writeBaseCache(
        input.cacheDir,
        baseRun,
        path.join(input.artifactDir, 'base', 'screenshots'),
      ).catch((err) => input.logger.warn(`could not cache the base run: ${(err as Error).message}`));
    }
    throwIfCancelled(input.signal);

    const baseFindings = findingsFromCrawl(
      { pages: baseRun.pages, brokenLinks: baseRun.brokenLinks },
      { appLog: { text: baseRun.appLog, file: 'base/app.log' } },
    );
    const compared = compareFindings({
      head: input.headFindings,
      base: baseFindings,
      headPages: input.headPages,
      basePages: baseRun.pages,
    });
    notes.push(...compared.notes);
    let rechecked = await recheckNewFindings(input, compared.findings);

    // The agent's findings: its steps again, on the base, without the model.
    let replays: Comparison['replays'];
    const replay = input.agentReplay;
    if (replay && replayable(rechecked, replay.points).length > 0) {
      if (!live) {
        input.progress(
          'an agent finding needs the base app itself (the cache holds its crawl only): starting it',
        );
        const side = await input.startLiveBase().ready;
        live = { session: await openBaseSession(input, side), side };
      }
      const replayed = await replayAgentFindings({
        findings: rechecked,
        ...replay,
        baseSession: live.session,
        baseUrl: live.side.app.url,
        signal: input.signal,
        progress: input.progress,
      });
      rechecked = replayed.findings;
      replays = replayed.replays;
    }

    input.progress('comparing the screenshots and the accessibility of the pages');
    const pages = await compareVisuals({
      pages: comparedPages(input.headPages, baseRun.pages, input.diffRoutes),
      headPages: input.headPages,
      basePages: baseRun.pages,
      settings: input.pageChecks,
      artifactDir: input.artifactDir,
      signal: input.signal,
      logger: input.logger,
    });
    notes.push(...pages.notes);
    const findings = [...rechecked, ...pages.findings];

    const comparison: Comparison = {
      baseSha: input.baseSha,
      ...(input.baseRef ? { baseRef: input.baseRef } : {}),
      cached: base.kind === 'cached',
      ...(base.kind === 'cached' ? { cachedAt: base.run.createdAt } : {}),
      ...(url ? { url } : {}),
      pages: pages.pages,
      timings: base.kind === 'live' ? base.side.timings : {},
      ...(replays?.length ? { replays } : {}),
      ...(notes.length ? { notes } : {}),
    };
    return { findings, comparison, notes };
  } finally {
    await live?.session.close();
  }
}

function openBaseSession(input: ComparePhaseInput, side: PreparedSide): Promise<BrowserSession> {
  return input.session.openSibling({
    origin: side.app.origin,
    allowedOrigins: side.settings.allowedOrigins,
    tracePath: path.join(input.artifactDir, 'base', 'trace.zip'),
    signal: input.signal,
  });
}

/** Whether a cached base run can stand in for running the base: it visited every page the head did. */
export function cachedRunCovers(run: CachedBaseRun, headPages: readonly PageResult[]): boolean {
  return coversPages(
    run,
    headPages.map((p) => p.path),
  );
}

async function crawlBase(
  input: ComparePhaseInput,
  side: PreparedSide,
  baseSession: BrowserSession,
): Promise<CrawlResult> {
  {
    const [entry, ...rest] = input.headPages;
    const on = (p: PageResult) => new URL(p.path, side.app.origin).href;
    const targets: CrawlTarget[] = rest.map((p) => ({
      url: on(p),
      via: p.via,
      ...(p.from !== undefined ? { from: p.from } : {}),
    }));
    input.progress(`crawling the base at the ${input.headPages.length} page(s) the head visited`);
    return await smokeCrawl(baseSession, {
      entryUrl: entry ? on(entry) : side.app.url,
      targets,
      maxPages: Math.max(1, input.headPages.length),
      followLinks: false,
      mask: input.pageChecks.mask,
      accessibility: input.pageChecks.accessibility !== 'off',
      screenshotsDir: path.join(input.artifactDir, 'base', 'screenshots'),
      artifactDir: input.artifactDir,
      signal: input.signal,
      onPage: (page, index) =>
        input.progress(
          `base page ${index + 1}: ${page.path} → ${page.status ?? page.error ?? 'no response'}`,
        ),
    });
  }
}

/**
 * A new problem seen while a page loaded is looked at once more: the page is opened again on head. One
 * that does not come back is flaky — a warning with both observations, not the change's failure.
 */
async function recheckNewFindings(input: ComparePhaseInput, findings: Finding[]): Promise<Finding[]> {
  const suspects = findings.filter(
    (f) => isNew(f) && f.severity === 'error' && f.source !== 'agent' && RECHECKED.has(f.kind) && f.page,
  );
  const headByPath = new Map(input.headPages.map((p) => [p.path, p]));
  const pages = [...new Set(suspects.map((f) => f.page as string))].flatMap((p) => {
    const page = headByPath.get(p);
    return page ? [page] : [];
  });
  const [first, ...rest] = pages;
  if (!first) return findings;
  input.progress(
    `opening ${pages.map((p) => p.path).join(', ')} again: a new problem must happen twice to count`,
  );
  const again = await smokeCrawl(input.session, {
    entryUrl: first.url,
    targets: rest.map((p) => ({ url: p.url, via: p.via })),
    maxPages: pages.length,
    followLinks: false,
    checkLinks: false,
    screenshotsDir: path.join(input.artifactDir, 'recheck'),
    artifactDir: input.artifactDir,
    signal: input.signal,
  });
  const keysAgain = new Set(findingsFromCrawl(again).flatMap((f) => (f.key ? [f.key] : [])));
  const statusAgain = new Map(again.pages.map((p) => [p.path, p.status]));
  const cameBack = (f: Finding): boolean => {
    // A page's own failure: the same status class again (how it was reached does not matter here).
    if (f.kind === 'http-error' || f.kind === 'page-unreachable') {
      const status = statusAgain.get(f.page as string);
      return status === undefined || (f.kind === 'page-unreachable' ? status === null : (status ?? 0) >= 400);
    }
    return f.key !== undefined && keysAgain.has(f.key);
  };
  return findings.map((f) => {
    if (!suspects.includes(f) || cameBack(f)) return f;
    return {
      ...f,
      severity: 'warning',
      flaky: true,
      detail: `${f.detail} It did not happen again when ${f.page} was opened a second time: flaky, so it does not fail the change.`,
      evidence: [...f.evidence, `Second load of ${f.page}: not seen`],
    };
  });
}

function comparedPages(
  head: readonly PageResult[],
  base: readonly PageResult[],
  diffRoutes: readonly string[],
): ComparedPage[] {
  const baseByPath = new Map(base.map((p) => [p.path, p]));
  const touched = new Set(diffRoutes);
  return head.flatMap((h) => {
    const b = baseByPath.get(h.path);
    if (!b) return [];
    return [
      {
        path: h.path,
        headStatus: h.status,
        baseStatus: b.status,
        ...(h.screenshot ? { headScreenshot: h.screenshot } : {}),
        ...(b.screenshot ? { baseScreenshot: b.screenshot } : {}),
        // The entry page is reached as the entry even when a changed file points at it.
        ...(h.via === 'diff' || touched.has(h.path) ? { touchedByDiff: true } : {}),
      },
    ];
  });
}
