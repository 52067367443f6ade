// The one place real adapters are built. Faces (CLI, MCP) get what they need from here, lazily:
// `--help` and the MCP handshake must not wait for SQLite, Playwright or the keychain.

import { openDatabase } from './jobs/db.js';
import { recoverInterruptedJobs } from './jobs/recovery.js';
import { JobStore } from './jobs/store.js';
import { createLogger, type Logger } from './log.js';
import { type AppPaths, jobsDbPath, resolvePaths } from './paths.js';

export interface Deps {
  paths: AppPaths;
  logger: Logger;
  /** Opens the job history on first use. */
  store(): JobStore;
  /**
   * The job history after crash recovery: jobs a dead process left `running` are marked
   * `interrupted` and their leftovers cleaned (once per process).
   */
  history(): Promise<JobStore>;
  close(): void;
}

export function createDeps(opts: { env?: NodeJS.ProcessEnv; logger?: Logger } = {}): Deps {
  const paths = resolvePaths(opts.env ?? process.env);
  const logger = opts.logger ?? createLogger();
  let db: ReturnType<typeof openDatabase> | undefined;
  let store: JobStore | undefined;
  let recovered: Promise<JobStore> | undefined;
  return {
    paths,
    logger,
    store() {
      if (!store) {
        db = openDatabase(jobsDbPath(paths));
        store = new JobStore(db);
      }
      return store;
    },
    history() {
      recovered ??= (async () => {
        const jobs = this.store();
        await recoverInterruptedJobs(jobs, logger);
        return jobs;
      })();
      return recovered;
    },
    close() {
      db?.close();
      db = undefined;
      store = undefined;
      recovered = undefined;
    },
  };
}
