// MCP tasks (protocol 2025-11-25, experimental in the SDK) over our jobs: a client that supports tasks
// calls simulate_pr as a task and gets the report through tasks/get + tasks/result, with no polling
// loop of its own. There is one job model underneath: a task is a handle on a job, and its status is
// read from the job (queued/running → working, cancelled → cancelled, any other end → completed, with
// the job's status in the result); tasks/cancel cancels the job. A call that could not start a job
// (bad target, no sign-in) is a failed task whose result is the error.
//
// The SDK routes every call of a task-capable tool through createTask, also a plain call from a client
// without tasks (it then polls the task itself and answers the call when it is done). Such a call must
// keep answering at once with the job id, so this store remembers whether the request that created a
// task asked for one; for a plain call the tool settles the task with today's answer before returning.

import { randomBytes } from 'node:crypto';
import type {
  CreateTaskOptions,
  TaskStore,
} from '@modelcontextprotocol/sdk/experimental/tasks/interfaces.js';
import type { CallToolResult, Request, RequestId, Result, Task } from '@modelcontextprotocol/sdk/types.js';
import { CoworkerError } from '../errors.js';
import type { JobService } from '../jobs/service.js';
import type { JobRecord } from '../jobs/store.js';
import type { Logger } from '../log.js';

/** How long a task's result stays available when the client names no ttl (the job stays in the history). */
export const DEFAULT_TASK_TTL_MS = 60 * 60_000;
const MAX_TASK_TTL_MS = 24 * 60 * 60_000;
/** What clients are told to poll at; a run takes minutes. */
export const TASK_POLL_MS = 2000;

interface Entry {
  taskId: string;
  /** Whether the request asked for a task (false: a plain call the SDK wraps in one). */
  taskRequest: boolean;
  jobId?: string;
  /** simulate_pr's `reused` for this job (part of the result). */
  reused?: boolean;
  ttl: number;
  pollInterval: number;
  createdAt: string;
  lastUpdatedAt: string;
  statusMessage?: string;
  /** The final answer once known (also an error answer for a call that never made a job). */
  result?: { status: 'completed' | 'failed'; value: Result };
  cancelled?: boolean;
  timer?: NodeJS.Timeout;
}

export interface JobTaskStoreOptions {
  service: JobService;
  logger: Logger;
  /** A finished job as simulate_pr's result (get_simulation's, with `reused`). */
  resultOf(job: JobRecord, fields: { reused: boolean }): Promise<CallToolResult>;
}

export class JobTaskStore implements TaskStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: JobTaskStoreOptions) {}

  async createTask(params: CreateTaskOptions, _requestId: RequestId, request: Request): Promise<Task> {
    const taskId = randomBytes(16).toString('hex');
    const now = new Date().toISOString();
    const jobId = typeof params.context?.jobId === 'string' ? params.context.jobId : undefined;
    const entry: Entry = {
      taskId,
      // The SDK's own check (isTaskAugmentedRequestParams) passes without `task`, which is optional in it.
      taskRequest: typeof request.params?.task === 'object' && request.params.task !== null,
      ...(jobId ? { jobId, reused: params.context?.reused === true } : {}),
      ttl: Math.min(Math.max(params.ttl ?? DEFAULT_TASK_TTL_MS, 1000), MAX_TASK_TTL_MS),
      pollInterval: params.pollInterval ?? TASK_POLL_MS,
      createdAt: now,
      lastUpdatedAt: now,
    };
    entry.timer = setTimeout(() => this.entries.delete(taskId), entry.ttl);
    entry.timer.unref();
    this.entries.set(taskId, entry);
    return this.taskOf(entry, undefined);
  }

  /** Whether the call that created this task asked for a task (else it is a plain call). */
  isTaskRequest(taskId: string): boolean {
    return this.entries.get(taskId)?.taskRequest ?? false;
  }

  /** Settle a plain call's task with its answer, without telling the client (it knows nothing of tasks). */
  settle(taskId: string, result: CallToolResult): void {
    const entry = this.entries.get(taskId);
    if (entry) entry.result = { status: result.isError ? 'failed' : 'completed', value: result };
  }

  async getTask(taskId: string): Promise<Task | null> {
    const entry = this.entries.get(taskId);
    if (!entry) return null;
    return this.taskOf(entry, await this.jobOf(entry));
  }

  async storeTaskResult(taskId: string, status: 'completed' | 'failed', result: Result): Promise<void> {
    const entry = this.entry(taskId);
    entry.result = { status, value: result };
    entry.lastUpdatedAt = new Date().toISOString();
  }

  async getTaskResult(taskId: string): Promise<Result> {
    const entry = this.entry(taskId);
    let value = entry.result?.value;
    if (!value) {
      const job = await this.jobOf(entry);
      if (!job || job.status === 'queued' || job.status === 'running') {
        throw new CoworkerError(
          'INVALID_INPUT',
          `Task ${taskId} has no result yet: its simulation is still ${job?.status ?? 'unknown'}.`,
          'Wait until tasks/get says it is completed, failed or cancelled.',
        );
      }
      value = await this.opts.resultOf(job, { reused: entry.reused ?? false });
      entry.result = { status: 'completed', value };
    }
    // A plain call's task was only the SDK's wrapper: gone once it has been answered.
    if (!entry.taskRequest) this.forget(entry);
    return value;
  }

  async updateTaskStatus(taskId: string, status: Task['status'], statusMessage?: string): Promise<void> {
    const entry = this.entry(taskId);
    entry.lastUpdatedAt = new Date().toISOString();
    if (statusMessage !== undefined) entry.statusMessage = statusMessage;
    if (status !== 'cancelled' || entry.cancelled) return;
    entry.cancelled = true;
    if (!entry.jobId) return;
    // tasks/cancel: the job stops the way cancel_simulation stops it.
    await this.opts.service
      .cancel(entry.jobId, 'Cancelled by the MCP client (tasks/cancel).')
      .catch((err) => {
        this.opts.logger.warn(`cancelling the job of task ${taskId}: ${(err as Error).message}`);
      });
  }

  async listTasks(): Promise<{ tasks: Task[] }> {
    const tasks: Task[] = [];
    for (const entry of this.entries.values()) {
      if (entry.taskRequest) tasks.push(this.taskOf(entry, await this.jobOf(entry)));
    }
    return { tasks };
  }

  private entry(taskId: string): Entry {
    const entry = this.entries.get(taskId);
    if (!entry) {
      throw new CoworkerError(
        'JOB_NOT_FOUND',
        `There is no task "${taskId}" (results are kept for ${Math.round(DEFAULT_TASK_TTL_MS / 60_000)} minutes unless the client asked for longer).`,
        'The simulation itself is still in the history: list_simulations and get_simulation show it.',
      );
    }
    return entry;
  }

  private forget(entry: Entry): void {
    clearTimeout(entry.timer);
    this.entries.delete(entry.taskId);
  }

  private async jobOf(entry: Entry): Promise<JobRecord | undefined> {
    if (!entry.jobId) return undefined;
    return this.opts.service.get(entry.jobId).catch(() => undefined);
  }

  private taskOf(entry: Entry, job: JobRecord | undefined): Task {
    const base = {
      taskId: entry.taskId,
      ttl: entry.ttl,
      createdAt: entry.createdAt,
      pollInterval: entry.pollInterval,
    };
    const { status, message } = this.statusOf(entry, job);
    return {
      ...base,
      status,
      lastUpdatedAt: job?.finishedAt ?? entry.lastUpdatedAt,
      ...(message ? { statusMessage: message } : {}),
    };
  }

  private statusOf(entry: Entry, job: JobRecord | undefined): { status: Task['status']; message?: string } {
    if (entry.result && (!job || entry.result.status === 'failed' || !entry.taskRequest)) {
      return {
        status: entry.result.status,
        ...(entry.statusMessage ? { message: entry.statusMessage } : {}),
      };
    }
    if (!job)
      return entry.jobId
        ? { status: 'failed', message: 'The job is gone from the history.' }
        : { status: 'working' };
    switch (job.status) {
      case 'queued':
      case 'running': {
        if (entry.cancelled)
          return { status: 'cancelled', message: 'Cancelling: the job is being torn down.' };
        const where =
          job.status === 'queued'
            ? `job ${job.id} queued`
            : `job ${job.id} running: ${job.phase ?? 'checkout'}`;
        return {
          status: 'working',
          message: entry.statusMessage ? `${where} (${entry.statusMessage})` : where,
        };
      }
      case 'completed':
        return { status: 'completed', message: `job ${job.id}: ${job.verdict ?? 'inconclusive'}` };
      case 'cancelled':
        return { status: 'cancelled', message: job.error?.message ?? `job ${job.id} was cancelled` };
      default:
        // error / interrupted: the call itself worked, its result (status, error) says why there is no
        // verdict — what get_simulation answers too. `failed` is for calls that never made a job.
        return { status: 'completed', message: `job ${job.id}: ${job.status}` };
    }
  }
}
