// The report of one simulation: the output contract that `simulate --json`, `show --json`,
// the MCP tools and report.json share. Change it only additively.

import { ignorableKinds } from '../config/findingKinds.js';
import type { ErrorInfo } from '../errors.js';

export type Verdict = 'pass' | 'fail' | 'inconclusive';
/** Every job status, in the order a job can reach them. */
export const jobStatuses = ['queued', 'running', 'completed', 'error', 'cancelled', 'interrupted'] as const;
export type JobStatus = (typeof jobStatuses)[number];
export type Severity = 'error' | 'warning' | 'info';

export type Phase =
  | 'checkout'
  | 'detect'
  | 'install'
  | 'launch'
  | 'crawl'
  | 'agent'
  | 'compare'
  | 'report'
  | 'teardown';

/**
 * What kind of problem a finding is; agent findings use 'agent'. Those an `ignore` rule may name (the
 * config's list), then the ones with settings of their own (`accessibility`; `mask` and `visualThreshold`
 * for visual changes) and notes, which are never problems of the app.
 */
export const findingKinds = [...ignorableKinds, 'accessibility', 'visual-change', 'note'] as const;
export type FindingKind = (typeof findingKinds)[number];

export interface Finding {
  severity: Severity;
  kind: FindingKind;
  title: string;
  /** Path (or URL) of the page where it was seen. */
  page?: string;
  detail: string;
  /** Paths relative to the job's artifact dir (screenshots, logs) or quoted console lines. */
  evidence: string[];
  /** Steps to reproduce, when known. */
  steps?: string[];
  source?: 'crawl' | 'agent';
  /**
   * Against the base commit: `new` (on head only: the change's own), `pre-existing` (on both), `fixed`
   * (on base only). Absent when there was no base comparison (then every finding counts as new).
   */
  origin?: FindingOrigin;
  /** A new finding that did not come back when its page was checked again: a warning, not the change's fault. */
  flaky?: true;
  /**
   * Structured identity (kind, route, request, normalised message): the same problem has the same key on
   * head and base and across runs. Used to merge and compare findings; not meant for display.
   */
  key?: string;
}

export type FindingOrigin = 'new' | 'pre-existing' | 'fixed';

export interface FailedRequest {
  url: string;
  method: string;
  /** HTTP status, or null for a network failure. */
  status: number | null;
  failure?: string;
}

export interface PageResult {
  /** Absolute URL visited. */
  url: string;
  /** Path + query relative to the app origin, for display. */
  path: string;
  /** Main document HTTP status, or null when the page did not load. */
  status: number | null;
  title: string;
  /** How the page was found: the entry URL, a configured route, a route from the diff, or a link. */
  via: 'entry' | 'route' | 'diff' | 'link';
  loadMs: number;
  /** Screenshot path relative to the artifact dir. */
  screenshot?: string;
  pageErrors: string[];
  consoleErrors: string[];
  failedRequests: FailedRequest[];
  /** Same-origin links seen on the page (absolute URLs, deduplicated). */
  links: string[];
  /** Set when the page could not be loaded at all. */
  error?: string;
  /**
   * The page answered (< 400) and still showed nothing by the end of the crawl's render wait (no visible
   * text, form field, or image, canvas, svg, video or frame of 100×100 px or more: a blank body or a spinner),
   * this many milliseconds after it was opened.
   */
  blank?: { afterMs: number };
  /**
   * The document answered (< 400) but the page did not finish loading (its `load` event) within this
   * many seconds; `error` says so too.
   */
  loadTimeoutSeconds?: number;
  /** Links only: the page the link was first seen on. */
  from?: string;
  /**
   * axe-core's serious and critical violations (compared runs only; absent: not checked, e.g. the page
   * did not render or the check timed out — then nothing is concluded about the page's accessibility).
   */
  a11y?: A11yViolation[];
}

export interface BrokenLink {
  /** Page the link was found on (path). */
  from: string;
  url: string;
  status: number | null;
  failure?: string;
  /** It did not answer within this many seconds: not known to be broken (a warning, not an error). */
  timeoutSeconds?: number;
}

export interface TargetInfo {
  kind: 'local' | 'github';
  /** As the user gave it. */
  input: string;
  /** Local repo path, or HOST/OWNER/REPO. */
  repo: string;
  headRef: string;
  headSha: string;
  baseRef?: string;
  baseSha?: string;
  /** Files changed between base and head (repo-relative). */
  changedFiles: string[];
  changedFilesTruncated?: boolean;
  /** Commits in base..head, newest first (capped): what the change says it does, for local branches. */
  commits?: CommitInfo[];
  pr?: PullRequestInfo;
}

export interface CommitInfo {
  sha: string;
  subject: string;
}

export interface PullRequestInfo {
  number: number;
  url: string;
  title: string;
  body: string;
  author: string;
  state: 'open' | 'closed' | 'merged';
  draft: boolean;
  headRepo: string;
  isFork: boolean;
  /** GitHub's count of changed files (`changedFiles` may hold fewer: GitHub lists at most 3000). */
  changedFilesCount?: number;
}

export interface AppInfo {
  /** Repo-relative directory of the app ('' = root). */
  dir: string;
  kind: 'node' | 'static';
  packageManager?: 'npm' | 'pnpm' | 'yarn' | 'bun';
  installCommand?: string;
  startCommand?: string;
  url: string;
  /** How the app directory was chosen. */
  dirReason: string;
}

export interface ArtifactPaths {
  dir: string;
  reportJson: string;
  reportMd: string;
  reportHtml: string;
  appLog?: string;
  installLog?: string;
  trace?: string;
  screenshots: string[];
}

export interface AgentUsage {
  model: string;
  steps: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
}

export interface AgentSummary {
  ran: boolean;
  /** Why the agent did not run, or why it stopped early. */
  reason?: string;
  verdict?: Verdict;
  summary?: string;
  usage?: AgentUsage;
  /** Path of the transcript (`agent/transcript.json`), relative to the artifact dir. */
  transcript?: string;
  /** Path of the generated Playwright test (`reproduce.spec.ts`), relative to the artifact dir. */
  reproduceSpec?: string;
  /** Its Playwright config (`playwright.config.mjs`): `BASE_URL=… npx playwright test --config <it>`. */
  reproduceConfig?: string;
  /** The agent's tool calls in order, trimmed (the transcript has them whole). */
  steps?: AgentStep[];
  /**
   * What the page observations cost: characters of snapshot text sent to the model, against the
   * characters of Playwright's full AI snapshots of the same pages at the same moments.
   */
  observation?: { steps: number; sentChars: number; fullChars: number };
}

/** One tool call of the agent, as the report shows it. */
export interface AgentStep {
  /** 1-based, in the order the agent called its tools. */
  n: number;
  tool: string;
  /** The input, as short text ("Clear search button", "/stats.html"). */
  input: string;
  ok: boolean;
  /** The first line of the result. */
  result: string;
  /** Screenshot taken by this call, relative to the artifact dir. */
  screenshot?: string;
  /** What the model said before this call (trimmed), if anything. */
  thought?: string;
  /** What went wrong on the page right after this call (uncaught errors, failed requests). */
  problems?: string[];
}

export interface Report {
  id: string;
  status: JobStatus;
  verdict: Verdict | null;
  /**
   * Why the verdict is 'inconclusive' ("the entry page never loaded", "the step budget ran out").
   * Added after the first version of this contract: optional, absent on older reports.
   */
  incompleteReason?: string;
  summary: string;
  target: TargetInfo | null;
  app: AppInfo | null;
  findings: Finding[];
  pages: PageResult[];
  brokenLinks: BrokenLink[];
  /** Milliseconds per phase that ran. */
  timings: Partial<Record<Phase, number>> & { total: number };
  artifacts: ArtifactPaths;
  agent?: AgentSummary;
  /** The run of the base commit the findings were compared with (absent: no comparison, see `comparisonNote`). */
  comparison?: Comparison;
  /** Why there was no base comparison ("--no-compare-base", "head and base are the same commit"). */
  comparisonNote?: string;
  /** Things the reader should know about how the run went (a route that could not be used, …). */
  notes?: string[];
  /**
   * Where the branch's install and app ran: an OS sandbox ('bwrap'), or none ('none', with the
   * user's reason). Absent on reports older than the sandbox, and before a job got that far.
   */
  sandbox?: { kind: 'bwrap' | 'none'; reason?: string };
  error?: ErrorInfo;
  /** What was written back to the pull request (`--comment`, `--status`); absent when nothing was asked. */
  published?: Published;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** The verdict written back to GitHub: each part done, or the error that stopped it. */
export interface Published {
  comment?: { id: number; url: string; action: 'created' | 'updated' } | { error: ErrorInfo };
  status?: { sha: string; state: 'success' | 'failure' | 'error'; context: string } | { error: ErrorInfo };
}

/** The base commit's side of a compared run. */
export interface Comparison {
  baseSha: string;
  baseRef?: string;
  /** The base run came from the cache (an earlier simulation of the same base with the same settings). */
  cached: boolean;
  /** When the cached base run was made. */
  cachedAt?: string;
  /** The base app's URL in this run (absent when cached). */
  url?: string;
  /** Pages visited on both sides, with what the screenshots and accessibility checks found. */
  pages: ComparedPage[];
  /** Milliseconds per phase of the base run (absent phases did not run, e.g. when cached). */
  timings: Partial<Record<'checkout' | 'detect' | 'install' | 'launch' | 'crawl', number>>;
  /** Agent findings replayed on the base without the model. */
  replays?: ReplayResult[];
  /** Why some of the comparison could not be made (a page the base could not load, a replay that broke). */
  notes?: string[];
}

export interface ComparedPage {
  /** Path (+ hash route) of the page. */
  path: string;
  headStatus: number | null;
  baseStatus: number | null;
  /** Screenshots relative to the artifact dir. */
  headScreenshot?: string;
  baseScreenshot?: string;
  /** A diff image (changed pixels in red), when the page changed visibly. */
  diffImage?: string;
  /** Share of pixels that differ (0–1); absent when one side has no screenshot. */
  changedRatio?: number;
  /** The page changed visibly (above `visualThreshold`). */
  visualChange?: boolean;
  /** The diff touches this page (a route from the changed files), so a visual change is expected. */
  touchedByDiff?: boolean;
  /** axe-core: serious/critical violations by rule id on each side. */
  a11y?: { head: A11yViolation[]; base: A11yViolation[] };
}

export interface A11yViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical';
  help: string;
  helpUrl: string;
  /** CSS selectors of (up to 5) offending elements. */
  targets: string[];
}

export interface ReplayResult {
  /** Title of the agent finding that was replayed. */
  finding: string;
  /** The failure came back on the base: the finding is pre-existing. */
  reproducedOnBase: boolean;
  detail: string;
}

/** What a smoke crawl found (src/browser/crawl.ts); findings are built from it (findings.ts). */
export interface CrawlResult {
  pages: PageResult[];
  brokenLinks: BrokenLink[];
  /** Routes that were asked for and not visited, and why (for the report). */
  skipped?: string[];
}
