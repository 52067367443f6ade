import { withTimeout } from '../bounded.js';
import type { Logger } from '../log.js';

const timedOut = Symbol('timed out');

/**
 * Cleanup steps of one job, run in reverse order of registration — always, on success, error and
 * cancel. A step that fails or hangs is logged and skipped so the others still run.
 */
export class Teardown {
  private readonly steps: { label: string; run: () => Promise<unknown> }[] = [];

  add(label: string, run: () => Promise<unknown>): void {
    this.steps.push({ label, run });
  }

  async run(logger: Logger, stepTimeoutMs = 15_000): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        if ((await withTimeout(step.run(), stepTimeoutMs, timedOut)) === timedOut)
          throw new Error(`timed out after ${stepTimeoutMs / 1000} s`);
      } catch (err) {
        logger.warn(`cleanup: ${step.label} failed: ${(err as Error).message}`);
      }
    }
  }
}
