import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { runAgentPhase } from '../agent/phase.js';
import { killJobProcesses } from '../app/processGroup.js';
import type { AppPlan } from '../app/types.js';
import { smokeCrawl } from '../browser/crawl.js';
import { discoverBrowser } from '../browser/discover.js';
import { openBrowserSession } from '../browser/session.js';
import type { CrawlTarget } from '../browser/types.js';
import type { JobSettings } from '../config/jobSettings.js';
import { CancelledError, CoworkerError, throwIfCancelled, toCoworkerError } from '../errors.js';
import type { Logger } from '../log.js';
import { type AppPaths, baseRunsCacheDir, jobTempDir, reposCacheDir, worktreesDir } from '../paths.js';
import { redactSecrets } from '../redact.js';
import { findingsFromCrawl } from '../report/findings.js';
import { applyIgnoreRules, ignoredNote } from '../report/ignore.js';
import type { Finding, PageResult, Phase, Report, TargetInfo } from '../report/model.js';
import { decideVerdict, summarize } from '../report/verdict.js';
import { writeReportFiles } from '../report/write.js';
import { sandboxForJob } from '../sandbox/forJob.js';
import { sandboxInfo } from '../sandbox/types.js';
import { appInfo, prepareSide, serviceLogsOf, sideSettings, stoppedServiceReason } from './appSide.js';
import { baseCacheKey, browserIdentity, type CachedBaseRun, readBaseCache } from './baseCache.js';
import { type BaseSide, startBaseSide } from './baseSide.js';
import { CompareAhead } from './compareAhead.js';
import { runComparePhase } from './comparePhase.js';
import { PortTurn } from './portTurn.js';
import type { ProgressListener } from './progress.js';
import { pullRequestFeedback } from './publish.js';
import { forgetRemovedLeftovers } from './recovery.js';
import { setupNotes } from './setupNotes.js';
import type { JobRecord, JobStore } from './store.js';
import { checkoutTarget } from './target.js';
import type { GithubDeps } from './targetCheckout.js';
import { removalTimeoutMs, Teardown } from './teardown.js';

export interface JobDeps {
  paths: AppPaths;
  store: JobStore;
  logger: Logger;
  /** GitHub hosts, tokens and trust lists, for pull requests (a `Deps` from src/deps.ts is one). */
  github?: GithubDeps;
}

export interface JobRunOptions {
  signal: AbortSignal;
  onProgress?: ProgressListener;
}

/**
 * One simulation, start to finish: checkout → detect → install → launch → crawl → report, with
 * teardown always. Never throws for a failure of the simulated app or of the pipeline: the outcome
 * is the returned (and stored) report, whose status says what happened.
 */
export async function runJob(job: JobRecord, deps: JobDeps, opts: JobRunOptions): Promise<Report> {
  const { store, logger, paths } = deps;
  const started = Date.now();
  const timings: Report['timings'] = { total: 0 };
  const teardown = new Teardown();
  const artifactDir = job.artifactDir;
  const report: Report = {
    id: job.id,
    status: 'running',
    verdict: null,
    summary: '',
    target: null,
    app: null,
    findings: [],
    pages: [],
    brokenLinks: [],
    timings,
    artifacts: {
      dir: artifactDir,
      reportJson: path.join(artifactDir, 'report.json'),
      reportMd: path.join(artifactDir, 'report.md'),
      reportHtml: path.join(artifactDir, 'report.html'),
      screenshots: [],
    },
    createdAt: job.createdAt,
    startedAt: job.startedAt ?? new Date(started).toISOString(),
    finishedAt: null,
  };

  let currentPhase: Phase = 'checkout';
  let phaseStarted = started;
  const enter = (phase: Phase, message: string) => {
    if (phase !== currentPhase) {
      timings[currentPhase] = (timings[currentPhase] ?? 0) + (Date.now() - phaseStarted);
      currentPhase = phase;
      phaseStarted = Date.now();
      store.update(job.id, { phase });
    }
    progress(message);
  };
  const progress = (message: string) =>
    opts.onProgress?.({ jobId: job.id, phase: currentPhase, message, elapsedMs: Date.now() - started });

  const feedback = pullRequestFeedback(job.request, { github: deps.github, logger });
  let incompleteReason: string | undefined;
  /** The head's app, once detected: its set-up notes go in the report whatever happens next. */
  let headPlan: AppPlan | undefined;
  let crawlFindings: Finding[] = [];
  try {
    await mkdir(artifactDir, { recursive: true, mode: 0o700 });
    const tempDir = jobTempDir(paths, job.id);
    await mkdir(tempDir, { recursive: true, mode: 0o700 });
    store.update(job.id, { tempDir, phase: 'checkout' });
    teardown.add('remove temp dir', () => rm(tempDir, { recursive: true, force: true, maxRetries: 3 }), {
      timeoutMs: removalTimeoutMs,
    });
    // Before anything is fetched: without a working sandbox (and no --no-sandbox) the job ends here.
    const sandbox = await sandboxForJob({
      paths,
      noSandbox: job.request.settings.sandbox === false,
      runtimeParent: tempDir,
    });
    report.sandbox = sandboxInfo(sandbox);

    // checkout
    enter('checkout', `checking out ${job.targetInput}`);
    const worktree = path.join(worktreesDir(paths), job.id);
    store.update(job.id, { worktreeDir: worktree });
    const checkout = await checkoutTarget(job.request.target, {
      reposDir: reposCacheDir(paths),
      worktreeDir: worktree,
      signal: opts.signal,
      ...(deps.github ? { github: deps.github } : {}),
      ...(job.request.consent ? { consent: job.request.consent } : {}),
      onProgress: progress,
    });
    teardown.add('remove worktree', () => checkout.remove(), { timeoutMs: removalTimeoutMs });
    // What left its process group (a postinstall's daemon started with setsid, a watcher) still carries
    // the job marker: swept after the app and the browser are stopped, before the worktree goes.
    teardown.add('stop leftover processes of the job', () => killJobProcesses(job.id, { graceMs: 1000 }));
    report.target = checkout.target;
    feedback.started(checkout.target.headSha);
    store.update(job.id, {
      mirrorDir: checkout.mirrorDir,
      repo: checkout.target.repo,
      headRef: checkout.target.headRef,
      headSha: checkout.target.headSha,
      baseRef: checkout.target.baseRef,
      baseSha: checkout.target.baseSha,
      ...(checkout.target.pr ? { prUrl: checkout.target.pr.url, prNumber: checkout.target.pr.number } : {}),
    });
    progress(
      `${checkout.target.headRef} @ ${checkout.target.headSha.slice(0, 8)}` +
        `${checkout.target.baseSha ? ` vs ${checkout.target.baseRef} @ ${checkout.target.baseSha.slice(0, 8)}` : ''}, ` +
        `${checkout.target.changedFiles.length} changed file(s) (${{ cloned: 'cloned into the cache', fetched: 'fetched into the cached clone', cached: 'already in the cached clone' }[checkout.cache]})`,
    );
    throwIfCancelled(opts.signal);

    // The base commit, beside the head: cached from an earlier run, or started now so that it installs
    // and launches while the head does.
    // The head's settings, read once: they decide whether the base runs and how pages are compared (on
    // both sides alike), and they prepare the head's app.
    const headSettings = await sideSettings({
      worktree: checkout.worktree,
      repo: checkout.target.repo,
      configDir: paths.config,
      overrides: job.request.settings,
    });
    const compare = comparePlan(checkout.target, headSettings);
    const pageChecks = headSettings.settings;
    if (!compare.enabled) report.comparisonNote = compare.note;
    let liveBase: BaseSide | null = null;
    const baseSides: BaseSide[] = [];
    let cachedBase: CachedBaseRun | null = null;
    // Found before the base cache is read: a base run another browser took is not this job's base.
    const executable = await discoverBrowser();
    const cacheKey = compare.enabled
      ? baseCacheKey({
          repo: checkout.target.repo,
          baseSha: compare.baseSha,
          overrides: job.request.settings,
          pageChecks: { mask: pageChecks.mask, accessibility: pageChecks.accessibility !== 'off' },
          browser: await browserIdentity(executable.path),
        })
      : '';
    const baseArtifacts = path.join(artifactDir, 'base');
    // An app that pins its port runs its base after the head app stopped (portTurn.ts).
    const portTurn = new PortTurn(progress, sandbox.kind === 'bwrap');
    let headOrigin: string | undefined;
    const launchBase = (): BaseSide => {
      const side = startBaseSide({
        job,
        mirrorDir: checkout.mirrorDir,
        baseSha: compare.enabled ? compare.baseSha : '',
        changedFiles: checkout.target.changedFiles,
        repo: checkout.target.repo,
        configDir: paths.config,
        tempDir,
        sandbox,
        logDir: baseArtifacts,
        signal: opts.signal,
        logger,
        progress,
        portTurn,
        headPort: () => (headOrigin ? new URL(headOrigin).port || undefined : undefined),
      });
      teardown.add('stop the base app and remove its worktree', () => side.stop(), {
        timeoutMs: removalTimeoutMs,
      });
      baseSides.push(side);
      return side;
    };
    if (compare.enabled) {
      cachedBase = job.request.refreshBase ? null : await readBaseCache(baseRunsCacheDir(paths), cacheKey);
      if (!cachedBase) liveBase = launchBase();
    }

    // detect, install, launch
    const head = await prepareSide({
      resolved: headSettings,
      jobId: job.id,
      worktree: checkout.worktree,
      changedFiles: checkout.target.changedFiles,
      overrides: job.request.settings,
      repo: checkout.target.repo,
      configDir: paths.config,
      logDir: artifactDir,
      home: path.join(tempDir, 'home'),
      sandbox,
      teardown,
      signal: opts.signal,
      enter,
      progress,
      onDetected: (plan) => {
        headPlan = plan;
        report.app = appInfo(plan, '');
        if (plan.installCommand) report.artifacts.installLog = path.join(artifactDir, 'install.log');
        report.artifacts.appLog = path.join(artifactDir, 'app.log');
      },
    });
    const { repoConfig, settings, plan, app, appLog } = head;
    headOrigin = app.origin;
    portTurn.headLaunched(plan);
    if (app.pgid) store.update(job.id, { appPgid: app.pgid });
    report.app = appInfo(plan, app.url);

    // crawl
    enter('crawl', 'opening the browser');
    const tracePath = path.join(artifactDir, 'trace.zip');
    const session = await openBrowserSession({
      executable,
      origin: app.origin,
      allowedOrigins: settings.allowedOrigins,
      tracePath,
      signal: opts.signal,
      logger,
    });
    // Registered after the app: torn down before it (reverse order), so the trace is written first.
    teardown.add('close the browser', () => session.close());
    const diffRoutes = (plan.diffRoutes?.routes ?? []).map((route) => route.path);
    // The base visits each page as soon as the head queues it (and what both sides have is compared
    // right away), so the base's crawl runs beside the head's crawl and agent, not after them.
    const ahead = compare.enabled
      ? new CompareAhead({
          session,
          headEntryUrl: app.url,
          base: cachedBase
            ? { kind: 'cached', run: cachedBase }
            : { kind: 'live', side: liveBase ?? launchBase() },
          startLiveBase: launchBase,
          cacheDir: baseRunsCacheDir(paths),
          maxPages: settings.maxPages,
          pageChecks,
          diffRoutes,
          artifactDir,
          signal: opts.signal,
          logger,
          progress,
        })
      : null;
    if (ahead) teardown.add("close the base's browser context", () => ahead.stop());
    const targets: CrawlTarget[] = [
      ...settings.routes.map((route) => ({ url: new URL(route, app.origin).href, via: 'route' as const })),
      ...diffRoutes.map((route) => ({
        url: new URL(route, app.origin).href,
        via: 'diff' as const,
      })),
    ];
    const crawl = await smokeCrawl(session, {
      entryUrl: app.url,
      targets,
      maxPages: settings.maxPages,
      // Compared pages: dynamic regions masked, axe-core after each screenshot (the base does the same).
      ...(compare.enabled
        ? { mask: pageChecks.mask, accessibility: pageChecks.accessibility !== 'off' }
        : {}),
      screenshotsDir: path.join(artifactDir, 'screenshots'),
      artifactDir,
      signal: opts.signal,
      onPage: (page, index) => {
        progress(`page ${index + 1}: ${page.path} → ${page.status ?? page.error ?? 'no response'}`);
        ahead?.headPage(page);
      },
      ...(ahead
        ? {
            onPageLoaded: (page: PageResult) => ahead.headPageLoaded(page),
            onQueued: (target: CrawlTarget) => ahead.headQueued(target),
          }
        : {}),
    });
    ahead?.headDone();
    report.pages = crawl.pages;
    report.brokenLinks = crawl.brokenLinks;
    report.artifacts.screenshots = crawl.pages.flatMap((p) => (p.screenshot ? [p.screenshot] : []));
    const appLogText = await readFile(appLog, 'utf8').catch(() => '');
    crawlFindings = findingsFromCrawl(crawl, {
      appLog: { text: appLogText, file: 'app.log' },
      serviceLogs: await serviceLogsOf(head),
    });
    // A database or API that died mid-crawl: the pages say nothing about the change.
    incompleteReason ??= stoppedServiceReason(head);
    if (crawl.pages.every((page) => page.status === null)) {
      // The app answered the readiness probe, then no page loaded at all: it went away mid-run. That
      // says nothing about the change yet, so the run is inconclusive rather than a failure.
      incompleteReason = 'the app stopped answering: no page loaded in the browser (see app.log)';
      crawlFindings = crawlFindings.map((f) =>
        f.kind === 'page-unreachable' ? { ...f, severity: 'warning' } : f,
      );
    }
    // Known noise (the config's "ignore") is out before the agent sees the findings.
    const crawlIgnored = applyIgnoreRules(crawlFindings, settings.ignore);
    crawlFindings = crawlIgnored.kept;
    report.findings = crawlFindings;
    if (crawl.skipped) report.notes = [...(report.notes ?? []), ...crawl.skipped];

    // agent: in the crawl's session, before teardown, so the trace covers its steps too
    enter('agent', 'AI exploration');
    const agent = await runAgentPhase({
      session,
      appUrl: app.url,
      target: checkout.target,
      crawlFindings,
      userInstructions: job.request.settings.instructions,
      repoInstructions: repoConfig.instructions,
      request: job.request.agent,
      jobId: job.id,
      artifactDir,
      configDir: paths.config,
      gitDir: checkout.worktree,
      changes: checkout.changes,
      browserPath: executable.path,
      signal: opts.signal,
      logger,
      onProgress: progress,
    });
    report.agent = agent.summary;
    report.findings = [...crawlFindings, ...agent.findings];
    report.artifacts.screenshots.push(...agent.screenshots);
    incompleteReason ??= agent.incompleteReason;
    if (agent.error) throw agent.error;
    // Nothing to replay on the base: its app is done once it has visited the head's pages.
    if (!agent.replay) ahead?.releaseBaseWhenCrawled();

    // compare: the base at the same pages; only what the change introduced decides the verdict
    if (ahead && compare.enabled && crawl.pages.some((p) => p.status !== null)) {
      enter('compare', `comparing with the base ${compare.baseLabel}`);
      // Once the head's pages have been opened again where needed, its app has done its part: it stops
      // (the base may be waiting for its port), and the job goes on with the base.
      let headStopped: Promise<void> | undefined;
      const stopHead = (recheckFirst: boolean) => {
        headStopped ??= (async () => {
          if (recheckFirst) await ahead.recheckEveryErrorPage();
          ahead.headAppGone();
          await app.stop();
          portTurn.headAppStopped();
        })();
        return headStopped;
      };
      if (await Promise.race([portTurn.baseWaits.then(() => true), ahead.settled().then(() => false)])) {
        await stopHead(true);
      }
      const compared = await runComparePhase({
        session,
        headPages: crawl.pages,
        headFindings: report.findings,
        ahead,
        cacheKey,
        baseSha: compare.baseSha,
        ...(checkout.target.baseRef ? { baseRef: checkout.target.baseRef } : {}),
        artifactDir,
        cacheDir: baseRunsCacheDir(paths),
        signal: opts.signal,
        logger,
        progress,
        pageChecks,
        diffRoutes,
        ...(agent.replay ? { agentReplay: agent.replay } : {}),
        headDone: () => void stopHead(false).catch(() => {}),
      });
      if (portTurn.reason) {
        report.notes = [
          ...(report.notes ?? []),
          `The base commit ran after the head app had stopped, not beside it: ${portTurn.reason} (an app on a fixed port cannot run twice at once).`,
        ];
      }
      // Done with the base: its context and app go now, beside the rest of the job (teardown waits for them).
      void ahead
        .stop()
        .then(() => Promise.all(baseSides.map((side) => side.stop())))
        .catch(() => {});
      report.findings = compared.findings;
      if (compared.comparison) report.comparison = compared.comparison;
      if (compared.note) report.comparisonNote = compared.note;
    } else if (compare.enabled) {
      report.comparisonNote = 'No page of the head loaded, so there was nothing to compare with the base.';
    }
    // The agent's findings and the base's "fixed" ones go through the same rules.
    const later = applyIgnoreRules(report.findings, settings.ignore);
    report.findings = later.kept;
    const ignored = ignoredNote([
      ...crawlIgnored.ignored,
      ...later.ignored.filter((i) => i.finding.origin !== 'fixed'),
    ]);
    if (ignored) report.notes = [...(report.notes ?? []), ignored];
    report.status = 'completed';
  } catch (err) {
    // A cancel kills what runs (git, an install), which then fails in its own words ("git could not
    // read …: Abort signal received"): once the signal has fired, the outcome is the cancel.
    const reason: unknown = opts.signal.aborted ? opts.signal.reason : undefined;
    const error = !opts.signal.aborted
      ? toCoworkerError(err)
      : reason instanceof CoworkerError
        ? reason
        : new CancelledError();
    report.status = error.code === 'CANCELLED' ? 'cancelled' : 'error';
    report.error = error.toJSON();
    if (error.code === 'INTERNAL') logger.debug(String((err as Error)?.stack ?? err));
  } finally {
    enter('teardown', 'cleaning up');
    await teardown.run(logger);
    // What a cleanup step could not remove stays recorded: the next start-up removes it (recovery.ts).
    await forgetRemovedLeftovers(store, job.id);
    enter('report', 'writing the report');
  }

  if (headPlan) {
    const setup = setupNotes(headPlan);
    if (setup.notes.length) report.notes = [...setup.notes, ...(report.notes ?? [])];
    report.findings = [...report.findings, ...setup.findings];
  }
  if (report.status === 'completed') {
    report.verdict = decideVerdict(report.findings, incompleteReason ? { incompleteReason } : {});
    if (incompleteReason) report.incompleteReason = incompleteReason;
  }
  if (await exists(path.join(artifactDir, 'trace.zip')))
    report.artifacts.trace = path.join(artifactDir, 'trace.zip');
  report.summary = summarize(report);
  timings[currentPhase] = (timings[currentPhase] ?? 0) + (Date.now() - phaseStarted);
  report.finishedAt = new Date().toISOString();
  timings.total = Date.now() - started;
  // The report quotes pages, the PR and error messages: masked once here, so the history (jobs.sqlite),
  // `simulate --json` and the MCP results carry no more than report.json does.
  // Our own file paths stay as they are: readers find the files through them (a folder such as
  // /home/ghs_ci/ would otherwise look like a token).
  const masked = {
    ...(JSON.parse(redactSecrets(JSON.stringify(report))) as Report),
    artifacts: report.artifacts,
  };
  // Asked to (`--comment`, `--status`): the verdict on the PR itself. Its outcome is part of the report.
  const published = await feedback.finish(masked);
  if (published) masked.published = published;
  try {
    await writeReportFiles(masked);
  } catch (err) {
    logger.warn(`could not write the report files in ${artifactDir}: ${(err as Error).message}`);
  }
  store.finish(masked);
  return masked;
}

type ComparePlan = { enabled: true; baseSha: string; baseLabel: string } | { enabled: false; note?: string };

/** Whether this job compares with a base commit, and why not when it does not. */
export function comparePlan(target: TargetInfo, head: JobSettings): ComparePlan {
  if (!target.baseSha) return { enabled: false };
  if (!head.settings.compareBase) {
    const why = head.compareBaseOffBy ?? '"compareBase": false';
    return { enabled: false, note: `Not compared with the base commit (${why}): every finding counts.` };
  }
  if (target.baseSha === target.headSha) {
    return { enabled: false, note: 'Head and base are the same commit: there is nothing to compare with.' };
  }
  const ref = target.baseRef ?? 'base';
  return { enabled: true, baseSha: target.baseSha, baseLabel: `${ref} @ ${target.baseSha.slice(0, 8)}` };
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );
