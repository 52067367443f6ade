import { withTimeout } from '../bounded.js';
import type { Logger } from '../log.js';

const timedOut = Symbol('timed out');

/**
 * How long deleting a folder may take: it makes progress all along (a pnpm `node_modules` of a big
 * monorepo is over a gigabyte and takes minutes on a busy machine), unlike a process that will not stop.
 */
export const removalTimeoutMs = 10 * 60_000;

interface Step {
  label: string;
  run: () => Promise<unknown>;
  timeoutMs?: number;
}

/**
 * Cleanup steps of one job, run in reverse order of registration — always, on success, error and
 * cancel. A step that fails or hangs is logged and skipped so the others still run.
 */
export class Teardown {
  private readonly steps: Step[] = [];

  /** `timeoutMs`: this step's own limit (removing folders: `removalTimeoutMs`), else the run's. */
  add(label: string, run: () => Promise<unknown>, opts: { timeoutMs?: number } = {}): void {
    this.steps.push({ label, run, ...opts });
  }

  async run(logger: Logger, stepTimeoutMs = 15_000): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      const limit = step.timeoutMs ?? stepTimeoutMs;
      try {
        if ((await withTimeout(step.run(), limit, timedOut)) === timedOut)
          throw new Error(`timed out after ${limit / 1000} s`);
      } catch (err) {
        logger.warn(`cleanup: ${step.label} failed: ${(err as Error).message}`);
      }
    }
  }
}
