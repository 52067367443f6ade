// One headless Chromium per job, with one fresh context: nothing carries over between jobs (cookies,
// storage, cache), and every request that leaves the app's allowed origins is aborted — by a route for
// what the page asks for, by the context's own proxy (originProxy.ts) for what a server redirect asks for.
//
// playwright-core is loaded lazily here so `--help` and the MCP handshake never pay for it.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { withTimeout } from '../bounded.js';
import { CancelledError, CoworkerError, throwIfCancelled } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { type BlockingProxy, bypassRules, PROXY_HOST, startBlockingProxy } from './originProxy.js';
import { createOriginPolicy, hostResolverRules, type OriginPolicy, resolverHosts } from './origins.js';
import { fulfilThirdParty, isThirdPartySubresource } from './thirdParty.js';
import type { BrowserExecutable, DialogRecord } from './types.js';

/**
 * A page of the session. Outside src/browser/ treat it as an opaque handle and pass it to the functions
 * of this folder (crawl, later the agent's actions): only src/browser/ talks to Playwright.
 */
export type BrowserPage = Page;

export interface BrowserSession {
  readonly executable: BrowserExecutable;
  /** The app origin (scheme://host:port). */
  readonly origin: string;
  /** Every origin the browser may reach, the app origin first. */
  readonly allowedOrigins: readonly string[];
  /**
   * URLs of requests (WebSockets included) aborted because they left the allowed origins, in order,
   * deduplicated, at most 200. `blockedCount` counts all of them.
   */
  readonly blockedRequests: readonly string[];
  readonly blockedCount: number;
  /**
   * Server redirects from an allowed origin to another one. Playwright does not route redirects; the
   * context's proxy (originProxy.ts) refuses them before they leave the browser (the page gets a 403 from
   * it), so they never reach the other server — also not another port of the app's host. Recorded and warned about.
   */
  readonly escapedRequests: readonly string[];
  /** Dialogs the pages opened: alert/confirm/prompt are dismissed, beforeunload is accepted (leave). */
  readonly dialogs: readonly DialogRecord[];
  /** Browser process id, when Chromium reported it (null otherwise). */
  readonly browserPid: number | null;
  /** True once `close()` ran or the browser went away. */
  readonly closed: boolean;
  readonly logger: Logger;
  /** http(s) URL on an allowed origin. */
  isAllowedUrl(url: string): boolean;
  /** http(s) URL on the app origin itself. */
  isAppUrl(url: string): boolean;
  /**
   * Third-party stylesheets, fonts and images that loaded (fetched on our side, see thirdParty.ts), in
   * order, deduplicated, at most 200.
   */
  readonly thirdPartyLoads: readonly string[];
  /** A new tab in the job's context. */
  newPage(): Promise<BrowserPage>;
  /**
   * A second, separate context in the same browser for another app (the base commit's, on its own port):
   * its own origin policy, storage, dialogs and trace. Closed with this session, or on its own.
   */
  openSibling(opts: SiblingOptions): Promise<BrowserSession>;
  /** Stops tracing (writing the trace), closes the context (and, for the first session, the browser). Idempotent; never throws. */
  close(): Promise<void>;
}

export interface SiblingOptions {
  origin: string;
  allowedOrigins?: string[];
  tracePath?: string;
  signal?: AbortSignal;
}

/** What the browser context lets pages do; both default to what real apps need. */
export interface ContextBehaviour {
  /**
   * 'allow' (default): service workers run — apps mock their API with them (MSW). 'block': they never
   * register. Either way the host resolver keeps what a worker fetches on the allowed hosts.
   */
  serviceWorkers?: 'allow' | 'block';
  /**
   * true (default): stylesheets, fonts and images from other (public) origins load, so screenshots look
   * like the real app. Navigation, fetch/XHR, WebSockets and form posts to other origins stay blocked.
   */
  thirdPartySubresources?: boolean;
}

export interface OpenBrowserSessionOptions {
  executable: BrowserExecutable;
  /** The app origin (or any URL on it). */
  origin: string;
  /** More origins the app needs (an API on another port, a CDN). */
  allowedOrigins?: string[];
  /** Where to write the Playwright trace on close (`trace.zip`); no tracing when absent. */
  tracePath?: string;
  /** Aborting closes the session. */
  signal?: AbortSignal;
  logger?: Logger;
  /** Default 30 s. */
  launchTimeoutMs?: number;
  behaviour?: ContextBehaviour;
}

export const VIEWPORT = { width: 1280, height: 800 } as const;
const MAX_RECORDED = 200;
const CLOSE_TIMEOUT_MS = 10_000;

// Never hand our credentials to the browser process (it renders untrusted pages).
const SECRET_ENV =
  /^(GH_TOKEN|GITHUB_TOKEN|GH_ENTERPRISE_TOKEN|GITHUB_ENTERPRISE_TOKEN|ANTHROPIC_API_KEY|ANTHROPIC_AUTH_TOKEN)$/i;
// Every page request goes through our origin proxy (set per context); what would use the user's proxy
// from the environment is only Chromium's own background traffic, which the resolver rules below stop
// when it cannot reach a proxy that resolves names for it.
const PROXY_ENV = /^(HTTPS?_PROXY|ALL_PROXY|NO_PROXY)$/i;

export async function openBrowserSession(opts: OpenBrowserSessionOptions): Promise<BrowserSession> {
  const logger = opts.logger ?? silentLogger;
  const policy = createOriginPolicy(opts.origin, opts.allowedOrigins);
  throwIfCancelled(opts.signal);

  const browser = await launch(opts.executable, policy, opts.launchTimeoutMs ?? 30_000, logger);
  return openContext(
    { browser, owner: true, hosts: resolverHosts(policy) },
    opts.executable,
    policy,
    logger,
    opts,
  );
}

interface BrowserHandle {
  browser: Browser;
  /** The session that launched the browser closes it. */
  owner: boolean;
  /** Hosts the browser's resolver lets through (fixed at launch). */
  hosts: readonly string[];
}

async function openContext(
  handle: BrowserHandle,
  executable: BrowserExecutable,
  policy: OriginPolicy,
  logger: Logger,
  opts: { tracePath?: string; signal?: AbortSignal; behaviour?: ContextBehaviour },
): Promise<Session> {
  let session: Session | undefined;
  try {
    session = new Session(handle, executable, policy, logger, opts.tracePath, opts.behaviour ?? {});
    await session.init(opts.signal);
    return session;
  } catch (err) {
    // What init set up (the proxy, a context) goes too; the browser below when this session owns it.
    await session?.closeParts();
    if (handle.owner) await handle.browser.close().catch(() => {});
    if (opts.signal?.aborted) throw new CancelledError();
    if (err instanceof CoworkerError) throw err;
    throw browserFailed(executable, 'Could not set up the browser', err);
  }
}

async function launch(
  executable: BrowserExecutable,
  policy: OriginPolicy,
  timeout: number,
  logger: Logger,
): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !SECRET_ENV.test(k) && !PROXY_ENV.test(k)),
  );
  // Playwright already passes the flags that quiet Chromium (--disable-background-networking,
  // --disable-component-update, --disable-sync, --no-first-run, ...). Chromium 156 still pings
  // accounts.google.com and update.googleapis.com with them; unresolvable host names stop that too.
  // The proxy every context goes through listens on 127.0.0.1: the browser must reach it.
  const args = [`--host-resolver-rules=${hostResolverRules([...resolverHosts(policy), PROXY_HOST])}`];
  // Playwright adds --no-sandbox unless chromiumSandbox is true: keep the sandbox except as root,
  // where Chromium refuses to start with it.
  const wantSandbox = process.getuid?.() !== 0;
  const attempt = (sandbox: boolean) =>
    chromium.launch({
      executablePath: executable.path,
      headless: true,
      chromiumSandbox: sandbox,
      args,
      env,
      timeout,
      // Playwright's own signal handlers would exit the process on Ctrl-C before our teardown (app process
      // group, worktree) runs; we close the browser ourselves. Its exit handler still kills it as a last resort.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  try {
    return await attempt(wantSandbox);
  } catch (err) {
    if (wantSandbox && /sandbox/i.test(launchErrorSummary(errorText(err)))) {
      // Containers and some distributions (unprivileged user namespaces off) have no usable sandbox.
      logger.warn('Chromium has no usable sandbox here; running it without one.');
      try {
        return await attempt(false);
      } catch (retryErr) {
        throw browserFailed(executable, 'Could not start the browser', retryErr);
      }
    }
    throw browserFailed(executable, 'Could not start the browser', err);
  }
}

class Session implements BrowserSession {
  readonly blockedRequests: string[] = [];
  blockedCount = 0;
  readonly escapedRequests: string[] = [];
  readonly thirdPartyLoads: string[] = [];
  readonly dialogs: DialogRecord[] = [];
  browserPid: number | null = null;
  private context: BrowserContext | null = null;
  private proxy: BlockingProxy | null = null;
  private closing: Promise<void> | null = null;
  private disconnected = false;
  private tracing = false;
  private signal: AbortSignal | undefined;
  private readonly siblings: BrowserSession[] = [];
  private readonly onAbort = () => void this.close();

  private readonly handle: BrowserHandle;
  readonly executable: BrowserExecutable;
  private readonly policy: OriginPolicy;
  readonly logger: Logger;
  private readonly tracePath: string | undefined;
  private readonly behaviour: ContextBehaviour;

  constructor(
    handle: BrowserHandle,
    executable: BrowserExecutable,
    policy: OriginPolicy,
    logger: Logger,
    tracePath: string | undefined,
    behaviour: ContextBehaviour,
  ) {
    this.handle = handle;
    this.executable = executable;
    this.policy = policy;
    this.logger = logger;
    this.tracePath = tracePath;
    this.behaviour = behaviour;
  }

  private get browser(): Browser {
    return this.handle.browser;
  }

  get origin(): string {
    return this.policy.origin;
  }

  get allowedOrigins(): readonly string[] {
    return this.policy.allowed;
  }

  get closed(): boolean {
    return this.closing !== null || this.disconnected;
  }

  isAllowedUrl(url: string): boolean {
    return this.policy.isAllowed(url);
  }

  isAppUrl(url: string): boolean {
    return this.policy.isAppOrigin(url);
  }

  async init(signal: AbortSignal | undefined): Promise<void> {
    this.browser.on('disconnected', () => {
      this.disconnected = true;
      if (!this.closing && this.handle.owner) {
        this.logger.warn(`The browser (${this.executable.path}) exited unexpectedly.`);
      }
    });
    this.proxy = await startBlockingProxy(this.policy, (target) => this.recordBlocked(target));
    const [context, pid] = await Promise.all([
      this.browser.newContext({
        // The allowed origins go directly; everything else, loopback included, goes to a proxy that refuses
        // it: a server redirect elsewhere never leaves the browser (originProxy.ts).
        proxy: { server: this.proxy.server, bypass: bypassRules(this.policy) },
        acceptDownloads: false,
        viewport: VIEWPORT,
        // Service workers run by default (MSW mocks); what they fetch still only resolves on allowed hosts.
        serviceWorkers: this.behaviour.serviceWorkers ?? 'allow',
        // Local dev servers often use self-signed certificates (vite --https); we only ever reach allowed origins.
        ignoreHTTPSErrors: true,
      }),
      this.readBrowserPid(),
    ]);
    this.context = context;
    this.browserPid = pid;

    // Only requests that leave the allowed origins are routed: allowed traffic is untouched, and handlers
    // added later (by the agent) compose with this one. A third-party stylesheet, font or image is fetched
    // on our side and handed to the page (the browser itself still cannot resolve other hosts).
    const thirdParty = this.behaviour.thirdPartySubresources !== false;
    await context.route(
      (url) => !this.policy.isAllowed(url.href),
      async (route) => {
        const request = route.request();
        if (thirdParty && isThirdPartySubresource(request)) {
          const loaded = await fulfilThirdParty(route);
          if (loaded) {
            this.recordThirdParty(request.url());
            return;
          }
        }
        this.recordBlocked(request.url());
        return route.abort('blockedbyclient').catch(() => {});
      },
    );
    await context.routeWebSocket(
      (url) => !this.policy.isAllowed(url.href.replace(/^ws(s?):/, 'http$1:')),
      (ws) => {
        this.recordBlocked(ws.url());
        return ws.close({ code: 1008, reason: 'Blocked by myfav-coworker: not an allowed origin' });
      },
    );
    context.on('request', (request) => {
      if (request.redirectedFrom() && !this.policy.isAllowed(request.url())) {
        const url = request.url();
        if (this.escapedRequests.length < MAX_RECORDED) this.escapedRequests.push(url);
        this.logger.warn(`The app redirected the browser outside its allowed origins, to ${url}: blocked.`);
      }
    });
    context.on('dialog', (dialog) => {
      const type = dialog.type() as DialogRecord['type'];
      if (this.dialogs.length < MAX_RECORDED) {
        this.dialogs.push({ type, message: dialog.message(), url: dialog.page()?.url() ?? '' });
      }
      // Dismissing beforeunload would cancel the navigation that triggered it and hang it.
      const answer = type === 'beforeunload' ? dialog.accept() : dialog.dismiss();
      answer.catch(() => {});
    });

    if (this.tracePath) {
      await context.tracing.start({ screenshots: true, snapshots: true, sources: false });
      this.tracing = true;
    }

    if (signal) {
      this.signal = signal;
      signal.addEventListener('abort', this.onAbort, { once: true });
      if (signal.aborted) throw new CancelledError();
    }
  }

  async newPage(): Promise<BrowserPage> {
    if (this.closed || !this.context) throw this.closedError();
    return this.context.newPage();
  }

  private closedError(): Error {
    if (this.signal?.aborted) return new CancelledError();
    return new CoworkerError(
      'BROWSER_FAILED',
      this.disconnected ? 'The browser exited unexpectedly.' : 'The browser session is already closed.',
      'Run the simulation again; if the browser keeps exiting, check it with `myfav-coworker doctor`.',
    );
  }

  async openSibling(opts: SiblingOptions): Promise<BrowserSession> {
    if (this.closed || !this.context) throw this.closedError();
    const policy = createOriginPolicy(opts.origin, opts.allowedOrigins);
    const hosts = resolverHosts(policy);
    const shares = hosts.every((h) => this.handle.hosts.includes(h));
    // The resolver rules are fixed at launch: another host needs a browser of its own.
    const sibling = shares
      ? await openContext({ ...this.handle, owner: false }, this.executable, policy, this.logger, {
          ...opts,
          behaviour: this.behaviour,
        })
      : await openBrowserSession({
          executable: this.executable,
          ...opts,
          logger: this.logger,
          behaviour: this.behaviour,
        });
    this.siblings.push(sibling);
    return sibling;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** After a failed init: the context and the proxy, not the browser (openContext handles that). */
  async closeParts(): Promise<void> {
    this.signal?.removeEventListener('abort', this.onAbort);
    await this.context?.close().catch(() => {});
    await this.proxy?.close();
  }

  private async shutdown(): Promise<void> {
    this.signal?.removeEventListener('abort', this.onAbort);
    await Promise.all(this.siblings.map((s) => s.close()));
    const context = this.context;
    if (context && this.tracing && this.tracePath && !this.disconnected) {
      try {
        await mkdir(path.dirname(this.tracePath), { recursive: true });
        await context.tracing.stop({ path: this.tracePath });
      } catch (err) {
        this.logger.warn(
          `Could not save the browser trace to ${this.tracePath}: ${firstLines(errorText(err), 2)}`,
        );
      }
    }
    await context?.close().catch(() => {});
    await this.proxy?.close();
    if (!this.handle.owner) return;
    const closed = await withTimeout(
      this.browser.close().then(() => true),
      CLOSE_TIMEOUT_MS,
      false,
    ).catch(() => false);
    if (!closed && this.browserPid !== null) {
      this.logger.warn(`The browser did not close within ${CLOSE_TIMEOUT_MS / 1000} s; killing it.`);
      try {
        process.kill(this.browserPid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  private recordThirdParty(url: string): void {
    if (this.thirdPartyLoads.length < MAX_RECORDED && !this.thirdPartyLoads.includes(url)) {
      this.thirdPartyLoads.push(url);
    }
  }

  private recordBlocked(url: string): void {
    this.blockedCount++;
    if (this.blockedRequests.length < MAX_RECORDED && !this.blockedRequests.includes(url)) {
      this.blockedRequests.push(url);
    }
    this.logger.debug(`blocked request to ${url} (not an allowed origin)`);
  }

  /** The browser's pid, so a browser that ignores close() can still be killed. */
  private async readBrowserPid(): Promise<number | null> {
    try {
      const cdp = await this.browser.newBrowserCDPSession();
      const info = (await cdp.send('SystemInfo.getProcessInfo')) as {
        processInfo: { type: string; id: number }[];
      };
      await cdp.detach().catch(() => {});
      return info.processInfo.find((p) => p.type === 'browser')?.id ?? null;
    } catch {
      return null;
    }
  }
}

function browserFailed(executable: BrowserExecutable, what: string, err: unknown): CoworkerError {
  return new CoworkerError(
    'BROWSER_FAILED',
    `${what} at ${executable.path}: ${launchErrorSummary(errorText(err))}`,
    'Check that it starts (run it with --version), or point MYFAV_BROWSER_PATH at another Chrome/Chromium. ' +
      'A missing system library shows up here: install the OS chromium package or run `npx playwright install-deps chromium`.',
    { cause: err },
  );
}

/**
 * Playwright's launch errors start with the whole command line (80 flags) and repeat everything in a call
 * log. What helps is the headline and what the browser itself printed on stderr ("[pid=N][err] ...").
 */
export function launchErrorSummary(text: string): string {
  const lines = text.split('\n').map((l) => l.trim());
  const head = (lines[0] ?? '').replace(/^browserType\.launch: /, '');
  const stderr = [
    ...new Set(
      lines
        .map((l) => /^(?:- )?\[pid=\d+\]\[err\] (.*)$/.exec(l)?.[1]?.trim())
        .filter((l): l is string => Boolean(l)),
    ),
  ];
  if (stderr.length > 0) {
    // "Target page, context or browser has been closed" only means the process went away.
    const headline = /has been closed/.test(head) ? 'it exited at once and printed:' : head;
    return [headline, ...stderr.slice(0, 5)].join('\n');
  }
  const rest = lines
    .slice(1)
    .filter((l) => l && !l.includes('<launching>') && !/^(Browser logs|Call log):?$/.test(l));
  return [head, ...rest.slice(0, 4)].join('\n');
}

function errorText(err: unknown): string {
  return stripVTControlCharacters(err instanceof Error ? err.message : String(err));
}

export function firstLines(text: string, n: number): string {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .slice(0, n)
    .join('\n');
}
