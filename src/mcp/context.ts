import type { JobService } from '../jobs/service.js';
import type { GithubDeps } from '../jobs/targetCheckout.js';
import type { Logger } from '../log.js';

/** What the MCP tools work with; built by stdio.ts (or a test) — the server itself has no transport. */
export interface McpContext {
  service: JobService;
  logger: Logger;
  version: string;
  /**
   * Tokens, hosts and the user's trust lists for pull request targets (asked before a job is queued,
   * to decide whether the user must agree first); undefined: pull requests are refused.
   */
  pullRequests?: GithubDeps | undefined;
  /** GitHub login and status; undefined where GitHub sign-in is not available in this build. */
  github?: GithubAuthTools | undefined;
}

export interface GithubLoginStart {
  verificationUri: string;
  userCode: string;
  host: string;
  expiresInSeconds: number;
  /** A sign-in started earlier is still waiting for the user: same URL and code. */
  alreadyPending: boolean;
}

export interface GithubStatus {
  loggedIn: boolean;
  host: string;
  user?: string;
  /** Where the token comes from, in words ("the OS keychain"). */
  source?: string;
  problem?: string;
  fix?: string;
  pendingLogin?: { verificationUri: string; userCode: string };
  lastOutcome?: string;
}

/** What the GitHub tools need (src/mcp/githubAuth.ts adapts src/auth to it). */
export interface GithubAuthTools {
  /** Start the device flow; resolves once the code is known, the flow completes in the background. */
  startLogin(): Promise<GithubLoginStart>;
  /** Who is logged in, or what to do. */
  status(): Promise<GithubStatus>;
}
