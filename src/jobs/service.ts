// The job queue of a process: the MCP server's (several jobs) and a terminal `simulate`'s (its one job,
// concurrency 1), so both get the same dedupe, claim, cancel and recovery.
//
// Jobs live in the shared SQLite history, so `myfav-coworker jobs` in a terminal sees them and two
// server processes on the same data dir (Claude Desktop sometimes starts a second one) cooperate:
// - a job is created atomically unless the same target at the same commit is already queued or
//   running (createUnlessActive), and is run only by the process that queued it (claim is atomic);
// - queued or running jobs of a process that died are marked `interrupted` by the next one (recovery);
// - a job running in another live process is cancelled by a request file in its artifact dir, which
//   its owner polls: no schema change, and nothing but the owner ever aborts its pipeline.

import PQueue from 'p-queue';
import { pause, withTimeout } from '../bounded.js';
import { CancelledError, CoworkerError } from '../errors.js';
import type { Logger } from '../log.js';
import { type AppPaths, artifactsDir } from '../paths.js';
import type { JobStatus, Report } from '../report/model.js';
import { CANCEL_POLL_MS, cancelRequested, clearCancelRequest, requestCancel } from './cancelRequest.js';
import { dedupeKey } from './dedupe.js';
import { newJobId } from './ids.js';
import type { ProgressEvent, ProgressListener } from './progress.js';
import { isProcessAlive, recoverInterruptedJobs } from './recovery.js';
import type { SimulationRequest, TargetSpec } from './request.js';
import type { JobDeps } from './runJob.js';
import type { JobRecord, JobStore } from './store.js';

/** Default concurrency: two jobs (each an app, its install and a Chromium) keep two cores busy, not swamped. */
export const DEFAULT_CONCURRENCY = 2;

const OTHER_PROCESS_POLL_MS = 500;

export const isFinished = (status: JobStatus): boolean => status !== 'queued' && status !== 'running';

export interface JobServiceOptions {
  paths: AppPaths;
  logger: Logger;
  /** Opens the job history on first use (the MCP handshake must not wait for it). */
  store(): JobStore;
  /** What runJob needs; built per job so late-bound parts (a token, an API key) are current. */
  jobDeps(): JobDeps;
  /** Jobs run at once in this process (default: MYFAV_CONCURRENCY, else DEFAULT_CONCURRENCY). */
  concurrency?: number;
  /**
   * Head commit of a GitHub target, for deduplication (null: unknown, deduplicate by PR number only).
   * Local targets are resolved here with read-only git calls.
   */
  githubHead?: (
    target: Extract<TargetSpec, { kind: 'github' }>,
    signal?: AbortSignal,
  ) => Promise<string | null>;
  /** Called when a job this process ran has finished and stored its report. */
  onFinished?: (jobId: string) => void;
}

export interface Submitted {
  job: JobRecord;
  /** true: an identical job was already queued or running, and this is that job. */
  reused: boolean;
  /** 0: running (or starting now); n: n-th in this process's queue; null: queued by another process. */
  position: number | null;
}

export type CancelOutcome =
  /** Stopped (or removed from the queue) and torn down. */
  | 'cancelled'
  /** It had already finished; nothing to do. */
  | 'finished'
  /** Runs in another live process, which was asked to stop it but has not yet finished tearing down. */
  | 'requested'
  /** Its process had died; it was marked interrupted and its leftovers were cleaned. */
  | 'interrupted';

interface ActiveJob {
  id: string;
  artifactDir: string;
  state: 'queued' | 'running';
  controller: AbortController;
  listeners: Set<ProgressListener>;
  last?: ProgressEvent;
  done: Promise<void>;
  settle(): void;
}

export class JobService {
  readonly concurrency: number;
  private readonly queue: PQueue;
  private readonly active = new Map<string, ActiveJob>();
  /** Own queued jobs in the order they will start. */
  private waiting: string[] = [];
  private startup: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private cancelWatch: NodeJS.Timeout | undefined;

  constructor(private readonly opts: JobServiceOptions) {
    this.concurrency = opts.concurrency ?? concurrencyFromEnv(process.env, opts.logger);
    this.queue = new PQueue({ concurrency: this.concurrency });
  }

  /**
   * Mark jobs left behind by dead processes (and clean their leftovers) once, before this process
   * creates any job: at that point no job can be ours, so a stale row carrying our own pid (pids are
   * reused, e.g. in containers) counts as dead too. Idempotent; every other method waits for it.
   */
  start(): Promise<void> {
    this.startup ??= (async () => {
      await recoverInterruptedJobs(
        this.store(),
        this.opts.logger,
        (pid) => pid !== process.pid && isProcessAlive(pid),
      );
    })().catch((err: unknown) => {
      this.opts.logger.warn(`could not check for interrupted jobs: ${(err as Error).message}`);
    });
    return this.startup;
  }

  /**
   * Queue a simulation, or return the one already queued or running for the same target and commit
   * with the same outcome-changing options.
   */
  async submit(
    request: SimulationRequest,
    /** `onProgress`: the new job's progress from its first event (a reused job's comes through waitFor). */
    opts: { signal?: AbortSignal; onProgress?: ProgressListener } = {},
  ): Promise<Submitted> {
    if (this.closing) throw shuttingDown();
    await this.start();
    // A consent names the head the user agreed to: that is the commit this job is for.
    const head =
      request.consent && request.target.kind === 'github'
        ? { target: request.target, sha: request.consent.headSha }
        : await this.resolveHead(request.target, opts.signal);
    // Same target at the same commit, asked for the same run (dedupe.ts): that job, not a second one.
    const key = await dedupeKey(request, head.target, head.sha ?? undefined, {
      configDir: this.opts.paths.config,
    });
    const store = this.store();
    const id = newJobId();
    let { job, created } = store.createUnlessActive({
      id,
      request,
      artifactDir: artifactsDir(this.opts.paths, id),
      status: 'queued',
      dedupeKey: key,
    });
    if (!created && (await this.reapIfOrphaned(job))) {
      // The identical job belonged to a process that died: it is interrupted now, start afresh.
      ({ job, created } = store.createUnlessActive({
        id,
        request,
        artifactDir: artifactsDir(this.opts.paths, id),
        status: 'queued',
        dedupeKey: key,
      }));
    }
    if (!created) return { job, reused: true, position: this.position(job.id) };

    if (head.headRef || head.sha) {
      store.update(job.id, {
        ...(head.headRef ? { headRef: head.headRef } : {}),
        ...(head.sha ? { headSha: head.sha } : {}),
      });
    }
    this.enqueue(job.id, job.artifactDir, opts.onProgress);
    return { job: store.get(job.id) ?? job, reused: false, position: this.position(job.id) };
  }

  /** A job by id or unambiguous prefix, with the state of a dead owner's job brought up to date. */
  async get(idOrPrefix: string): Promise<JobRecord> {
    await this.start();
    const found = this.store().lookup(
      idOrPrefix,
      'List the jobs with list_simulations (or `myfav-coworker jobs` in a terminal).',
    );
    return (await this.reapIfOrphaned(found)) ? (this.store().get(found.id) ?? found) : found;
  }

  async list(opts: { limit?: number; status?: JobStatus } = {}): Promise<JobRecord[]> {
    await this.start();
    const jobs = this.store().list(opts);
    let reaped = false;
    for (const job of jobs) if (await this.reapIfOrphaned(job)) reaped = true;
    return reaped ? this.store().list(opts) : jobs;
  }

  /** The stored report of a finished job (undefined while it runs, or when it never started). */
  report(id: string): Report | undefined {
    return this.store().report(id);
  }

  /** 0 running here, n-th waiting here, null not queued or running in this process. */
  position(id: string): number | null {
    const entry = this.active.get(id);
    if (!entry) return null;
    if (entry.state === 'running') return 0;
    const index = this.waiting.indexOf(id);
    return index < 0 ? 0 : index + 1;
  }

  /** The last progress event of a job this process runs. */
  lastProgress(id: string): ProgressEvent | undefined {
    return this.active.get(id)?.last;
  }

  /**
   * Wait until the job finishes, `timeoutMs` passes or `signal` fires; returns the job as it is then.
   * Progress comes from the pipeline for jobs of this process, from phase changes in the history otherwise.
   */
  async waitFor(
    id: string,
    opts: { timeoutMs: number; signal?: AbortSignal; onProgress?: ProgressListener },
  ): Promise<JobRecord> {
    await this.start();
    const deadline = Date.now() + opts.timeoutMs;
    const entry = this.active.get(id);
    if (entry && opts.onProgress) entry.listeners.add(opts.onProgress);
    let lastPhase: string | null | undefined;
    try {
      for (;;) {
        const job = await this.get(id);
        const remaining = deadline - Date.now();
        if (isFinished(job.status) || remaining <= 0 || opts.signal?.aborted) return job;
        const own = this.active.get(job.id);
        if (!own && opts.onProgress && job.phase !== lastPhase && job.status === 'running') {
          lastPhase = job.phase;
          opts.onProgress({
            jobId: job.id,
            phase: job.phase ?? 'checkout',
            message: `${job.phase ?? 'starting'} (running in another myfav-coworker process)`,
            elapsedMs: job.startedAt ? Date.now() - Date.parse(job.startedAt) : 0,
          });
        }
        const wait = own ? remaining : Math.min(remaining, OTHER_PROCESS_POLL_MS);
        await pause(wait, { until: own?.done, signal: opts.signal });
      }
    } finally {
      if (entry && opts.onProgress) entry.listeners.delete(opts.onProgress);
    }
  }

  /** Cancel a queued or running job, wherever it runs; waits (bounded) for its teardown. */
  async cancel(
    idOrPrefix: string,
    reason = 'Cancelled on request.',
  ): Promise<{ job: JobRecord; outcome: CancelOutcome }> {
    const store = this.store();
    for (let attempt = 0; ; attempt++) {
      const job = await this.get(idOrPrefix);
      if (job.status === 'interrupted') return { job, outcome: 'interrupted' };
      if (isFinished(job.status)) return { job, outcome: 'finished' };
      const own = this.active.get(job.id);
      if (job.status === 'queued' && store.cancelQueued(job.id)) {
        own?.controller.abort(new CancelledError(reason));
        own?.settle();
        return { job: store.get(job.id) ?? job, outcome: 'cancelled' };
      }
      if (own) {
        own.controller.abort(new CancelledError(reason));
        await settlesWithin(own.done, 30_000);
        const after = store.get(job.id) ?? job;
        return { job: after, outcome: isFinished(after.status) ? 'cancelled' : 'requested' };
      }
      const current = store.get(job.id) ?? job;
      if (current.status === 'running') {
        // Another live process runs it: ask it to stop, and give it a moment to tear down.
        await requestCancel(current.artifactDir, reason);
        const after = await this.waitFor(current.id, { timeoutMs: 20_000 });
        if (after.status === 'interrupted') return { job: after, outcome: 'interrupted' };
        return { job: after, outcome: isFinished(after.status) ? 'cancelled' : 'requested' };
      }
      // It changed state under us (claimed or finished meanwhile): look again.
      if (attempt > 3)
        return { job: current, outcome: isFinished(current.status) ? 'finished' : 'requested' };
    }
  }

  /**
   * Stop everything this process runs: queued jobs are cancelled, running ones aborted (their
   * teardown kills the app's process group and closes the browser). After `deadlineMs` whatever is
   * still running is killed and marked `interrupted` with its leftovers cleaned, so the caller can exit.
   */
  shutdown(reason: string, deadlineMs = 5000): Promise<void> {
    this.closing ??= (async () => {
      this.queue.clear();
      clearInterval(this.cancelWatch);
      if (this.active.size === 0) return;
      const store = this.store();
      const running: ActiveJob[] = [];
      for (const entry of this.active.values()) {
        if (entry.state === 'queued') {
          store.cancelQueued(entry.id);
          entry.controller.abort(new CancelledError(reason));
          entry.settle();
        } else {
          running.push(entry);
          entry.controller.abort(new CancelledError(reason));
        }
      }
      this.waiting = [];
      const settled = await settlesWithin(Promise.all(running.map((e) => e.done)), deadlineMs);
      if (!settled) {
        this.opts.logger.warn('some jobs did not finish tearing down in time; killing what is left');
        // We are about to exit: our own running jobs count as dead.
        await recoverInterruptedJobs(
          store,
          this.opts.logger,
          (pid) => pid !== process.pid && isProcessAlive(pid),
        );
      }
    })();
    return this.closing;
  }

  private store(): JobStore {
    return this.opts.store();
  }

  private enqueue(id: string, artifactDir: string, onProgress?: ProgressListener): void {
    let settle = () => {};
    const done = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const entry: ActiveJob = {
      id,
      artifactDir,
      state: 'queued',
      controller: new AbortController(),
      listeners: new Set(onProgress ? [onProgress] : []),
      done,
      settle: () => {
        this.active.delete(id);
        this.waiting = this.waiting.filter((w) => w !== id);
        settle();
      },
    };
    this.active.set(id, entry);
    this.waiting.push(id);
    this.queue
      .add(() => this.execute(entry))
      .catch((err: unknown) => {
        this.opts.logger.error(`job ${id}: ${(err as Error)?.message ?? err}`);
        entry.settle();
      });
  }

  private async execute(entry: ActiveJob): Promise<void> {
    this.waiting = this.waiting.filter((w) => w !== entry.id);
    const store = this.store();
    // Cancelled while queued, or taken by someone else: claim is the one atomic gate.
    if (entry.controller.signal.aborted || this.closing || !store.claim(entry.id)) {
      entry.settle();
      return;
    }
    entry.state = 'running';
    this.watchCancelRequests();
    try {
      const job = store.get(entry.id);
      if (!job) return;
      // The pipeline's module graph (git, app, browser, report) loads with the first job, not at start-up.
      const { runJob } = await import('./runJob.js');
      await runJob(job, this.opts.jobDeps(), {
        signal: entry.controller.signal,
        onProgress: (event) => {
          entry.last = event;
          for (const listener of entry.listeners) {
            try {
              listener(event);
            } catch {
              // A listener (a waiting tool call) must never break the pipeline.
            }
          }
        },
      });
    } catch (err) {
      // runJob turns pipeline failures into reports; this is a bug or a broken history file.
      this.opts.logger.error(`job ${entry.id} stopped unexpectedly: ${(err as Error)?.stack ?? err}`);
    } finally {
      await clearCancelRequest(entry.artifactDir);
      entry.settle();
      try {
        this.opts.onFinished?.(entry.id);
      } catch {
        // A listener must not break the queue.
      }
    }
  }

  /** While jobs run here, look for cancel requests that other processes left in their artifact dirs. */
  private watchCancelRequests(): void {
    if (this.cancelWatch) return;
    this.cancelWatch = setInterval(() => {
      const running = [...this.active.values()].filter((e) => e.state === 'running');
      if (running.length === 0) {
        clearInterval(this.cancelWatch);
        this.cancelWatch = undefined;
        return;
      }
      for (const entry of running) {
        if (!entry.controller.signal.aborted && cancelRequested(entry.artifactDir)) {
          this.opts.logger.info(`job ${entry.id}: cancelled from another myfav-coworker process`);
          entry.controller.abort(
            new CancelledError('Cancelled on request (from another myfav-coworker process).'),
          );
        }
      }
    }, CANCEL_POLL_MS);
    this.cancelWatch.unref();
  }

  /** If the job is queued/running for a process that is gone, mark it (and clean up); true if it was. */
  private async reapIfOrphaned(job: JobRecord): Promise<boolean> {
    if (isFinished(job.status) || this.active.has(job.id)) return false;
    if (job.ownerPid !== null && (job.ownerPid === process.pid || isProcessAlive(job.ownerPid))) return false;
    await recoverInterruptedJobs(this.store(), this.opts.logger);
    return true;
  }

  private async resolveHead(
    target: TargetSpec,
    signal?: AbortSignal,
  ): Promise<{ target: TargetSpec; sha: string | null; headRef?: string }> {
    if (target.kind === 'local') {
      const { resolveLocalHead } = await import('../git/resolveHead.js');
      const head = await resolveLocalHead(target.repoPath, target.headRef, signal ? { signal } : {});
      // The key uses the repository's top folder, so a path inside it names the same target.
      return { target: { ...target, repoPath: head.repo }, sha: head.headSha, headRef: head.headRef };
    }
    const sha = this.opts.githubHead ? await this.opts.githubHead(target, signal) : null;
    return { target, sha };
  }
}

/** Whether `promise` settles within `ms`. */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return withTimeout(
    promise.then(() => true),
    ms,
    false,
  );
}

function shuttingDown(): CoworkerError {
  return new CoworkerError(
    'CANCELLED',
    'myfav-coworker is shutting down and takes no new simulations.',
    'Start the simulation again once the MCP server has restarted.',
  );
}

/** MYFAV_CONCURRENCY, a whole number from 1 to 16; anything else falls back to the default with a warning. */
export function concurrencyFromEnv(env: NodeJS.ProcessEnv, logger?: Logger): number {
  const raw = env.MYFAV_CONCURRENCY?.trim();
  if (!raw) return DEFAULT_CONCURRENCY;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 1 && n <= 16) return n;
  logger?.warn(`MYFAV_CONCURRENCY=${raw} is not a whole number from 1 to 16; using ${DEFAULT_CONCURRENCY}.`);
  return DEFAULT_CONCURRENCY;
}
