// axe-core on a page the crawl has open. Its result is read after the page's screenshot, so the check
// cannot change what the screenshot shows; its source is loaded as soon as the page has loaded, while the
// crawl waits for the page's network to go quiet (parsing it is most of a check's time: ~650 kB of
// minified source per page, and the wait is idle time).
//
// axe-core runs in an isolated world of its own in each frame (Chrome DevTools Protocol), not in the page's
// JavaScript: the app cannot see or break it (a page that defines its own `axe` or patches builtins), its
// Content-Security-Policy does not apply, and its source — 650 kB per page — does not go through
// Playwright's evaluate, which records every argument in trace.zip. The top frame's axe-core reaches the
// frames' own by postMessage, as in the page; only same-origin frames are checked (results from other
// origins would not be the app's, and our session blocks them anyway). Not @axe-core/playwright: its
// legacy mode evaluates the whole source a second time in the top frame, and its runPartial mode opens an
// extra blank tab for each check.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { CDPSession } from 'playwright-core';
import { withTimeout } from '../bounded.js';
import type { A11yViolation } from '../report/model.js';
import type { BrowserPage } from './session.js';

/** Only what blocks or seriously hinders a user counts; minor/moderate ones are left to linters. */
const COUNTED = ['serious', 'critical'];
/** Elements named per violation (the model's contract). */
const MAX_TARGETS = 5;
/** A frame that does not take the source within this is left out (as @axe-core/playwright does). */
const CHILD_FRAME_INJECT_MS = 1_000;
const WORLD_NAME = 'myfav-coworker-axe';

let axeSource: Promise<string> | undefined;

/** axe-core's minified build, read once, lazily: only compared runs check accessibility. */
function loadAxeSource(): Promise<string> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8').then(
    (source) =>
      `${source};axe.configure({ allowedOrigins: ['<same_origin>'], branding: { application: 'myfav-coworker' } });`,
  );
  return axeSource;
}

interface FrameTree {
  frame: { id: string };
  childFrames?: FrameTree[];
}

/**
 * The accessibility check of one page: `start()` loads axe-core into the top frame (call it once the page
 * has loaded), `violations()` runs it (loading it first where `start()` was not called or the page has
 * navigated since), `close()` lets the page go.
 */
export class AccessibilityCheck {
  private session: Promise<CDPSession> | undefined;
  private topWorld: Promise<number> | undefined;

  constructor(private readonly page: BrowserPage) {}

  /** Loads axe-core into the top frame now, beside whatever the crawl waits for. Never throws. */
  start(): void {
    this.topWorld ??= this.loadIntoTop();
    this.topWorld.catch(() => {});
  }

  /** The serious and critical violations on the page, by rule id (sorted, so reports are stable). */
  async violations(): Promise<A11yViolation[]> {
    const cdp = await this.cdp();
    const { frameTree } = (await cdp.send('Page.getFrameTree')) as { frameTree: FrameTree };
    let world = await (this.topWorld ?? this.loadIntoTop()).catch(() => undefined);
    for (const frame of descendants(frameTree)) {
      await withTimeout(loadInto(cdp, frame.frame.id), CHILD_FRAME_INJECT_MS, undefined).catch(() => {});
    }
    const run = (contextId: number) =>
      cdp.send('Runtime.evaluate', {
        expression: `(${runAxe.toString()})(${JSON.stringify({ counted: COUNTED, maxTargets: MAX_TARGETS })})`,
        contextId,
        awaitPromise: true,
        returnByValue: true,
      });
    // A world whose document has gone (the page navigated after it loaded) is loaded again, once.
    let result = world === undefined ? undefined : await run(world).catch(() => undefined);
    if (!result) {
      world = await loadInto(cdp, frameTree.frame.id);
      result = await run(world);
    }
    if (result.exceptionDetails) {
      throw new Error(
        result.exceptionDetails.exception?.description ?? result.exceptionDetails.text ?? 'axe-core failed',
      );
    }
    return (result.result.value as A11yViolation[]).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Ends the protocol session (the page stays open). Never throws. */
  async close(): Promise<void> {
    const session = await this.session?.catch(() => undefined);
    await session?.detach().catch(() => {});
  }

  private cdp(): Promise<CDPSession> {
    this.session ??= this.page.context().newCDPSession(this.page);
    return this.session;
  }

  private async loadIntoTop(): Promise<number> {
    const cdp = await this.cdp();
    const { frameTree } = (await cdp.send('Page.getFrameTree')) as { frameTree: FrameTree };
    return loadInto(cdp, frameTree.frame.id);
  }
}

/** A fresh isolated world in the frame with axe-core loaded: its execution context id. */
async function loadInto(cdp: CDPSession, frameId: string): Promise<number> {
  const source = await loadAxeSource();
  const { executionContextId } = await cdp.send('Page.createIsolatedWorld', {
    frameId,
    worldName: WORLD_NAME,
  });
  const loaded = await cdp.send('Runtime.evaluate', { expression: source, contextId: executionContextId });
  if (loaded.exceptionDetails) throw new Error(`axe-core did not load: ${loaded.exceptionDetails.text}`);
  return executionContextId;
}

function descendants(tree: FrameTree): FrameTree[] {
  return (tree.childFrames ?? []).flatMap((child) => [child, ...descendants(child)]);
}

/** Runs in the top frame's world (its source is sent as text): axe-core's counted violations, trimmed. */
async function runAxe({ counted, maxTargets }: { counted: string[]; maxTargets: number }) {
  interface AxeNode {
    target: (string | string[])[];
  }
  interface AxeResult {
    id: string;
    impact?: string | null;
    help: string;
    helpUrl: string;
    nodes: AxeNode[];
  }
  const axe = (
    globalThis as unknown as {
      axe: {
        run(ctx: unknown, opts: unknown): Promise<{ violations: AxeResult[] }>;
        _audit?: { rules?: { id: string; impact?: string }[] };
      };
    }
  ).axe;
  // A rule with an impact of its own gives every violation that impact (axe-core's finalizeRuleResult):
  // the minor and moderate ones (a third of the rules) cannot find what we count, and are not run. The
  // list is axe's internal one; without it every rule runs (the result is filtered below anyway).
  const uncounted = (axe._audit?.rules ?? []).filter((r) => r.impact && !counted.includes(r.impact));
  // Passing and incomplete checks are not reported: collecting their nodes is most of the result's size.
  const results = await axe.run((globalThis as unknown as { document: unknown }).document, {
    resultTypes: ['violations'],
    rules: Object.fromEntries(uncounted.map((r) => [r.id, { enabled: false }])),
  });
  // Trimmed in the page: only what we keep crosses to Node.
  return results.violations
    .filter((v) => v.impact && counted.includes(v.impact))
    .map((v) => ({
      id: v.id,
      impact: v.impact as string,
      help: v.help,
      helpUrl: v.helpUrl,
      // A target is a selector per frame (and per shadow root inside it), outermost first.
      targets: v.nodes
        .slice(0, maxTargets)
        .map((node) => node.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' >>> ')),
    }));
}
