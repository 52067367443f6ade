// The browser adapter: the only place that talks to Playwright. Everything else uses these functions.

export type { RecordedStep } from './agentTools/tool.js';
export { smokeCrawl } from './crawl.js';
export { discoverBrowser, playwrightCacheDir } from './discover.js';
export { type PageProblems, type PageWatch, watchPage } from './pageWatch.js';
export {
  type ReplayedStep,
  type ReplayInputStep,
  type ReplayOptions,
  type ReplayResult,
  replayRecordedSteps,
} from './replay.js';
export {
  type BrowserPage,
  type BrowserSession,
  type OpenBrowserSessionOptions,
  openBrowserSession,
} from './session.js';
export type { BrowserExecutable, CrawlOptions, CrawlResult, CrawlTarget, DialogRecord } from './types.js';
