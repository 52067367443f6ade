// The one place real adapters are built. Faces (CLI, MCP) get what they need from here, lazily:
// `--help` and the MCP handshake must not wait for SQLite, Playwright or the keychain.

import { type GithubHost, openGithubHost } from './auth/githubHost.js';
import { openDatabase } from './jobs/db.js';
import { recoverInterruptedJobs } from './jobs/recovery.js';
import { JobStore } from './jobs/store.js';
import type { GithubDeps } from './jobs/targetCheckout.js';
import { createLogger, type Logger } from './log.js';
import { type AppPaths, jobsDbPath, resolvePaths, userConfigPath } from './paths.js';
import type { TrustLists } from './trust/policy.js';

export interface Deps extends GithubDeps {
  paths: AppPaths;
  logger: Logger;
  /**
   * A GitHub host (endpoints from MYFAV_GITHUB_API_URL / GHES rules, the user's token for it, an Octokit
   * whose errors are CoworkerErrors): the one way to talk to GitHub. Built once per host; the token is
   * looked up on each use, so a login while an MCP server runs counts.
   */
  github(host: string): GithubHost;
  /** The user's trusted repositories and owners (user config). */
  trustLists(): Promise<TrustLists>;
  /** The user config file, for messages that say where to add something. */
  configFile: string;
  /** Opens the job history on first use. */
  store(): JobStore;
  /**
   * The job history after crash recovery: jobs a dead process left `running` are marked
   * `interrupted` and their leftovers cleaned (once per process).
   */
  history(): Promise<JobStore>;
  close(): void;
}

export function createDeps(opts: { env?: NodeJS.ProcessEnv; logger?: Logger; paths?: AppPaths } = {}): Deps {
  const env = opts.env ?? process.env;
  const paths = opts.paths ?? resolvePaths(env);
  const logger = opts.logger ?? createLogger();
  const hosts = new Map<string, GithubHost>();
  let db: ReturnType<typeof openDatabase> | undefined;
  let store: JobStore | undefined;
  let recovered: Promise<JobStore> | undefined;
  return {
    paths,
    logger,
    github(host) {
      let github = hosts.get(host);
      if (!github) {
        github = openGithubHost(host, { paths, env, logger });
        hosts.set(host, github);
      }
      return github;
    },
    trustLists: async () => (await import('./trust/lists.js')).loadTrustLists(paths.config),
    configFile: userConfigPath(paths.config),
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
