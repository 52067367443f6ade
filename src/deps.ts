// The one place real adapters are built. Faces (CLI, MCP) get what they need from here, lazily:
// `--help` and the MCP handshake must not wait for SQLite, Playwright or the keychain.

import { openDatabase } from './jobs/db.js';
import { JobStore } from './jobs/store.js';
import { createLogger, type Logger } from './log.js';
import { type AppPaths, jobsDbPath, resolvePaths } from './paths.js';

export interface Deps {
  paths: AppPaths;
  logger: Logger;
  /** Opens the job history on first use. */
  store(): JobStore;
  close(): void;
}

export function createDeps(opts: { env?: NodeJS.ProcessEnv; logger?: Logger } = {}): Deps {
  const paths = resolvePaths(opts.env ?? process.env);
  const logger = opts.logger ?? createLogger();
  let db: ReturnType<typeof openDatabase> | undefined;
  let store: JobStore | undefined;
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
    close() {
      db?.close();
      db = undefined;
      store = undefined;
    },
  };
}
