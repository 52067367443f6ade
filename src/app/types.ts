import type { AppInfo } from '../report/model.js';
import type { DiffRoutes } from './routes/index.js';

export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

/** What detection decided about the app in a checkout. */
export interface AppPlan {
  /** Absolute directory of the app. */
  dir: string;
  /** Repo-relative directory ('' = root). */
  relDir: string;
  /** Human-readable reason the directory was chosen ("--app-dir", "repo root", "changed files under apps/web"). */
  dirReason: string;
  kind: 'node' | 'static';
  packageManager?: PackageManager;
  /** Yarn 1 (classic): its installs must not run two at once (they share one cache; see install.ts). */
  yarnClassic?: true;
  /** Shell command to install dependencies, or null to skip. */
  installCommand: string | null;
  /** Shell command that starts the app (null for a static site: we serve it ourselves). */
  startCommand: string | null;
  /** A port the start command or its script pins (it ignores ours): two runs of the app cannot overlap. */
  fixedPort?: number;
  /** `--url`: an absolute URL the app is reached at (it then must not use PORT), or a path on our URL. */
  url?: string;
  /**
   * Absolute directory the install command runs in, when not `dir`: the workspace root of a monorepo
   * whose lockfile lives above the app (npm/pnpm/yarn workspaces install from there).
   */
  installDir?: string;
  /** Static sites: the absolute directory our built-in server serves (`dir` or `dir/public`). */
  staticRoot?: string;
  /** Pages the changed files lead to, by the app's framework, and the files that lead nowhere. */
  diffRoutes?: DiffRoutes;
  /** What detection decided that a user should see in the report (package manager used, other apps). */
  notes: PlanNote[];
}

export interface PlanNote {
  severity: 'info' | 'warning';
  title: string;
  detail: string;
}

/** A running app under test. `stop()` is idempotent and kills everything it started. */
export interface RunningApp {
  /** Entry URL (origin + configured path). */
  url: string;
  origin: string;
  /** Process group id of the app (absent for the built-in static server). */
  pgid?: number;
  /** Set when the app was found somewhere else than asked (a URL its log announced). */
  note?: PlanNote;
  stop(): Promise<void>;
}

export interface ChildEnvOptions {
  /** Per-job HOME so the PR's code cannot read the user's dotfiles (.npmrc tokens, .gitconfig…). */
  home: string;
  port?: number;
  /** From the repo config's `env`. */
  extra?: Record<string, string>;
  /** Marker so leftovers of a crashed job can be found and killed. */
  jobId: string;
  /** Lets the env point this package manager at the user's real cache/store (fast, offline-capable installs). */
  packageManager?: PackageManager;
  /**
   * Sandboxed runs: our own package caches under this dir instead of the user's (which the sandbox
   * does not show, and which a branch's install must not be able to write to).
   */
  packageCacheDir?: string;
}

export type { AppInfo };
