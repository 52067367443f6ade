// Head and base apps normally run side by side, each on the port we give it. An app that pins its own
// port (`astro dev --port 4321`, a `PORT=3000` in its script, a server that ignores PORT) cannot: the
// second would fail with EADDRINUSE, or announce the first one's port. Then the base takes its turn
// after the head: it installs beside the head as usual, but starts only once the head app has stopped
// (the head's page list is known by then, and its new problems have been looked at twice).

import type { AppPlan } from '../app/types.js';
import { untilAborted } from '../bounded.js';

export class PortTurn {
  /** Why the base waited for the head, once it did (for the report). */
  reason: string | undefined;
  private readonly headUp = deferred<AppPlan>();
  private readonly headStopped = deferred<void>();
  private readonly baseWaiting = deferred<void>();

  /**
   * `separateNetworks`: each app runs in a sandbox of its own network namespace, where the same port
   * number never clashes (only an actual EADDRINUSE then makes the base wait).
   */
  constructor(
    private readonly progress: (message: string) => void,
    private readonly separateNetworks = false,
  ) {}

  /** The head's app answers (its plan says whether it pins a port). */
  headLaunched(plan: AppPlan): void {
    this.headUp.resolve(plan);
  }

  /** The head app is gone: a base waiting for its port may start. */
  headAppStopped(): void {
    this.headStopped.resolve();
  }

  /** Resolves when the base waits for the head app to stop (the job must then stop it). */
  get baseWaits(): Promise<void> {
    return this.baseWaiting.promise;
  }

  /**
   * The base, before it launches. In a network of its own it starts at once, beside the head's launch
   * (its crawl visits the head's pages as soon as the head queues them: a base up early is a base done
   * early). Sharing the host's network, it starts after the head's launch, so that of two apps on one
   * port — including one that ignores the port we give it — the head gets it; and when both sides pin
   * the same port, after the head app has stopped.
   */
  async beforeBaseLaunch(base: AppPlan, signal: AbortSignal): Promise<void> {
    if (this.separateNetworks) return;
    const head = await untilAborted(this.headUp.promise, signal);
    if (base.fixedPort === undefined || head.fixedPort !== base.fixedPort) return;
    await this.wait(`its start command pins port ${base.fixedPort}`, signal);
  }

  /**
   * The base failed to launch: when it is a port clash with the head (EADDRINUSE, or the head's port
   * announced), it waits for the head app to stop and returns true (launch it again); false otherwise.
   */
  async afterBaseLaunchFailed(
    message: string,
    appLog: string,
    headPort: string | undefined,
    signal: AbortSignal,
  ): Promise<boolean> {
    if (this.reason !== undefined) return false;
    const text = `${message}\n${appLog}`;
    const clash = /EADDRINUSE|address already in use/i.test(text)
      ? 'its port was already in use (EADDRINUSE)'
      : headPort &&
          new RegExp(`(?:localhost|127\\.0\\.0\\.1|\\[::1?\\]|0\\.0\\.0\\.0):${headPort}\\b`).test(text)
        ? `it announced the head app's port ${headPort}`
        : undefined;
    if (!clash) return false;
    await this.wait(clash, signal);
    return true;
  }

  private async wait(reason: string, signal: AbortSignal): Promise<void> {
    this.reason = reason;
    this.progress(`base: ${reason}, so it starts once the head app has stopped`);
    this.baseWaiting.resolve();
    await untilAborted(this.headStopped.promise, signal);
  }
}

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
