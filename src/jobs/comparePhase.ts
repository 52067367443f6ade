// The compare phase: the base commit at the pages the head visited (crawled in a second browser context
// of the same browser while the head was still crawled, see compareAhead.ts); head findings classified
// new / pre-existing / fixed; new ones checked once more on head (a problem that does not come back is
// flaky, not the change's); agent findings replayed on the base; pixels and axe-core compared. A live
// base run is cached for the next simulation against the same base.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReplayPoint } from '../agent/results.js';
import type { ReplayInputStep } from '../browser/replay.js';
import type { BrowserSession } from '../browser/session.js';
import { throwIfCancelled } from '../errors.js';
import type { Logger } from '../log.js';
import { compareFindings } from '../report/compare.js';
import { findingsFromCrawl } from '../report/findings.js';
import type { Comparison, Finding, PageResult } from '../report/model.js';
import { replayAgentFindings, replayable } from './agentReplay.js';
import { type CachedBaseRun, writeBaseCache } from './baseCache.js';
import type { CompareAhead } from './compareAhead.js';
import { comparedPages, compareVisuals, type VisualSettings } from './compareVisuals.js';
import { recheckNewFindings } from './recheck.js';

export interface ComparePhaseInput {
  /** The head's session: new findings are opened again in it. */
  session: BrowserSession;
  headPages: PageResult[];
  headFindings: Finding[];
  /** The base's side, under way since the head's crawl began (the base's crawl, rechecks, pixels). */
  ahead: CompareAhead;
  /** Key of this job's base run in the cache (a live run is stored under it). */
  cacheKey: string;
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
  /** The head app is needed no more (its new problems were looked at twice). */
  headDone?(): void;
}

export interface ComparePhaseResult {
  findings: Finding[];
  comparison?: Comparison;
  /** Set when no comparison could be made: why (the findings are then the head's, unclassified). */
  note?: string;
  notes: string[];
}

export async function runComparePhase(input: ComparePhaseInput): Promise<ComparePhaseResult> {
  const { ahead } = input;
  let baseRun: CachedBaseRun;
  let url: string | undefined;
  const notes: string[] = [];
  let cacheWritten: Promise<void> = Promise.resolve();
  input.progress('waiting for the base');
  const base = await ahead.base();
  throwIfCancelled(input.signal);
  if (base.kind === 'failed') {
    return {
      findings: input.headFindings,
      note: `The base commit ${input.baseSha.slice(0, 8)} could not be run, so nothing was compared (every finding counts as new): ${base.error.message}`,
      notes,
    };
  }
  if (base.kind === 'cached') {
    input.progress(`base ${input.baseSha.slice(0, 8)}: using the cached run of ${base.run.createdAt}`);
    baseRun = base.run;
  } else {
    url = base.side.app.url;
    baseRun = {
      key: input.cacheKey,
      createdAt: new Date().toISOString(),
      baseSha: input.baseSha,
      pages: base.crawl.pages,
      brokenLinks: base.crawl.brokenLinks,
      appLog: await readFile(base.side.appLog, 'utf8').catch(() => ''),
    };
    cacheWritten = writeBaseCache(
      input.cacheDir,
      baseRun,
      path.join(input.artifactDir, 'base', 'screenshots'),
    ).catch((err) => input.logger.warn(`could not cache the base run: ${(err as Error).message}`));
  }
  // The cache is written beside the rest of the phase, and done before the phase ends, whatever happens.
  try {
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
    let rechecked = await recheckNewFindings(
      {
        ...input,
        openedAhead: (pagePath) => ahead.recheckOf(pagePath),
        mayReopen: !ahead.headGone,
      },
      compared.findings,
    );
    input.headDone?.();

    // The agent's findings: its steps again, on the base, without the model.
    let replays: Comparison['replays'];
    const replay = input.agentReplay;
    if (replay && replayable(rechecked, replay.points).length > 0) {
      if (base.kind === 'cached') {
        input.progress(
          'an agent finding needs the base app itself (the cache holds its crawl only): starting it',
        );
      }
      const live = await ahead.liveBase();
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
      comparedAhead: (pagePath) => ahead.pixelsOf(pagePath),
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
      timings: base.kind === 'live' ? base.timings : {},
      ...(replays?.length ? { replays } : {}),
      ...(notes.length ? { notes } : {}),
    };
    return { findings, comparison, notes };
  } finally {
    await cacheWritten;
  }
}
