// The base commit's app, started beside the head's: its own worktree, HOME, logs and port. It starts as
// soon as the head is checked out and runs while the head installs and is crawled, so comparing costs
// little more wall time than testing the head alone; the compare phase waits for it.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { addExtraWorktree } from '../git/worktree.js';
import type { Logger } from '../log.js';
import type { Comparison } from '../report/model.js';
import type { Sandbox } from '../sandbox/types.js';
import { type PreparedSide, prepareSide } from './appSide.js';
import type { PortTurn } from './portTurn.js';
import type { JobRecord } from './store.js';
import { removalTimeoutMs, Teardown } from './teardown.js';

export interface BaseSideInput {
  job: JobRecord;
  mirrorDir: string;
  baseSha: string;
  changedFiles: string[];
  /** As for the head: the target's repository and the user config folder (same settings on both sides). */
  repo: string;
  configDir: string;
  /** The job's temp dir: the base worktree and HOME live inside it (so crash recovery removes them). */
  tempDir: string;
  sandbox: Sandbox;
  /** `<job artifacts>/base`: install.log and app.log of the base. */
  logDir: string;
  signal: AbortSignal;
  logger: Logger;
  progress(message: string): void;
  /** Whose turn the port is, when the app pins one (see portTurn.ts). */
  portTurn: PortTurn;
  /** The head app's port, once it runs (a base that announces it clashes with the head). */
  headPort(): string | undefined;
}

export interface BaseSide {
  /** The running base app, or why it could not be started. */
  ready: Promise<PreparedSide>;
  timings: Comparison['timings'];
  /** Stops the base (cancels a start still under way) and removes what it created. Idempotent. */
  stop(): Promise<void>;
}

export function startBaseSide(input: BaseSideInput): BaseSide {
  const controller = new AbortController();
  const signal = AbortSignal.any([input.signal, controller.signal]);
  const teardown = new Teardown();
  const timings: Comparison['timings'] = {};
  let phase: keyof Comparison['timings'] = 'checkout';
  let phaseStarted = Date.now();
  const enter = (next: keyof Comparison['timings'], message: string) => {
    timings[phase] = (timings[phase] ?? 0) + (Date.now() - phaseStarted);
    phase = next;
    phaseStarted = Date.now();
    input.progress(`base: ${message}`);
  };

  const ready = (async () => {
    input.progress(`base: checking out ${input.baseSha.slice(0, 8)}`);
    const worktree = path.join(input.tempDir, 'base-worktree');
    const home = path.join(input.tempDir, 'base-home');
    await mkdir(input.logDir, { recursive: true, mode: 0o700 });
    const checkout = await addExtraWorktree(input.mirrorDir, worktree, input.baseSha, signal);
    teardown.add('remove the base worktree', () => checkout.remove(), { timeoutMs: removalTimeoutMs });
    const side = await prepareSide({
      jobId: input.job.id,
      worktree,
      changedFiles: input.changedFiles,
      overrides: input.job.request.settings,
      repo: input.repo,
      configDir: input.configDir,
      logDir: input.logDir,
      home,
      sandbox: input.sandbox,
      teardown,
      signal,
      enter,
      progress: (message) => input.progress(`base: ${message}`),
      beforeLaunch: (plan) => input.portTurn.beforeBaseLaunch(plan, signal),
      retryLaunch: (err, appLog) =>
        input.portTurn.afterBaseLaunchFailed(
          err instanceof Error ? err.message : String(err),
          appLog,
          input.headPort(),
          signal,
        ),
    });
    timings[phase] = (timings[phase] ?? 0) + (Date.now() - phaseStarted);
    return side;
  })();
  // Awaited by the compare phase; a failure that nobody waits for (the head failed first) is not unhandled.
  ready.catch(() => {});

  // Once: the job may stop the base as soon as it is done with it, and its teardown does it again.
  let stopping: Promise<void> | undefined;
  return {
    ready,
    timings,
    stop() {
      stopping ??= (async () => {
        controller.abort();
        await ready.catch(() => {});
        await teardown.run(input.logger);
      })();
      return stopping;
    },
  };
}
