import type { HostRule } from './hosts.js';
import type { InstallConfig } from './registries.js';
import type { UpstreamProxy } from './upstreamProxy.js';

/**
 * How a job runs the PR's code. Built once per job (sandboxForJob) and handed to every install and
 * launch of that job through their options; each run then gets its own runtime dir, proxy and bridge,
 * so two runs of one job (head and base) never share anything but the package cache.
 */
export type Sandbox = NoSandbox | BwrapSandbox;

export interface NoSandbox {
  kind: 'none';
  /** Why: "--no-sandbox", '"sandbox": false in …'. Shown in reports ("ran without a sandbox"). */
  reason: string;
}

export interface BwrapSandbox {
  kind: 'bwrap';
  bwrapPath: string;
  /** Our package caches (npm, pnpm, yarn, corepack, bun): shared by jobs, never the user's own. */
  packageCacheDir: string;
  /** config `sandbox.allowHosts`: allowed during install and while the app runs. */
  allowHosts: HostRule[];
  /** config `sandbox.allowLocalPorts`: loopback ports of this machine the app may connect to. */
  allowLocalPorts: number[];
  /** The registries and auth of the user's package-manager config (install only). */
  install: InstallConfig;
  /** The user's home: never mounted; only the tool dirs on PATH inside it are (see toolMounts). */
  userHome: string;
  /** Our config, data and cache dirs: never mounted, not even as part of a tool dir or inside one. */
  forbidden: string[];
  /** The user config file, named in messages ("add it to sandbox.allowHosts in …"). */
  configFile: string;
  /**
   * Where each run's runtime dir (sockets, relay, proxy config) is made: the job's temp dir, so that
   * whatever removes the job's leftovers (teardown, or recovery after a kill -9) removes these too.
   */
  runtimeParent?: string;
  /** The user's own proxy (HTTPS_PROXY, …): allowed connections leave through it. */
  upstreamProxy?: UpstreamProxy;
}

/** What a report says about where the PR's code ran. */
export interface SandboxInfo {
  kind: 'bwrap' | 'none';
  /** For 'none': why it ran without one. */
  reason?: string;
}

export function sandboxInfo(sandbox: Sandbox): SandboxInfo {
  return sandbox.kind === 'none' ? { kind: 'none', reason: sandbox.reason } : { kind: 'bwrap' };
}
