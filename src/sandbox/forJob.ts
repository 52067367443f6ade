// The sandbox of one job, from the user's settings: bubblewrap when it works here, no sandbox only when
// the user said so (--no-sandbox, "sandbox": false), and otherwise a clear refusal saying what is
// missing and how to get it.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadUserConfig, userConfigPath } from '../config/userConfig.js';
import { CoworkerError } from '../errors.js';
import type { AppPaths } from '../paths.js';
import { findBwrap, trialRun } from './bwrap.js';
import { type HostRule, parseHostRule } from './hosts.js';
import { userInstallConfig } from './registries.js';
import type { Sandbox } from './types.js';
import { upstreamProxyFromEnv } from './upstreamProxy.js';

type Env = Record<string, string | undefined>;

export interface SandboxForJobOptions {
  paths: AppPaths;
  /** `--no-sandbox`. Never settable from MCP: a model's flag is not the user's choice. */
  noSandbox?: boolean;
  parentEnv?: Env;
  /** The job's temp dir: each sandboxed run's runtime dir is made in it (see BwrapSandbox.runtimeParent). */
  runtimeParent?: string;
  /** The OS to decide for (tests of the macOS and Windows refusal); default: this one. */
  platform?: NodeJS.Platform;
}

export async function sandboxForJob(opts: SandboxForJobOptions): Promise<Sandbox> {
  const parentEnv = opts.parentEnv ?? process.env;
  const configFile = userConfigPath(opts.paths.config);
  const config = await loadUserConfig(opts.paths.config);
  if (opts.noSandbox) return { kind: 'none', reason: '--no-sandbox' };
  if (config.sandbox === false) return { kind: 'none', reason: `"sandbox": false in ${configFile}` };

  const bwrapPath = await requireWorkingSandbox(parentEnv.PATH, configFile, opts.platform);
  const allowHosts: HostRule[] = [];
  for (const entry of config.sandbox?.allowHosts ?? []) {
    const rule = parseHostRule(entry);
    if (!rule)
      throw new CoworkerError(
        'INVALID_CONFIG',
        `${configFile}: "sandbox.allowHosts" has "${entry}", which is not a host.`,
        'Give hosts as "registry.example.com", "*.example.com" or "127.0.0.1:4873" (no scheme, no path).',
      );
    allowHosts.push(rule);
  }
  const home = parentEnv.HOME || os.homedir();
  const install = userInstallConfig(parentEnv);
  // The proxy of the environment, else the one the user's .npmrc (pnpm, Yarn) names.
  const upstreamProxy = upstreamProxyFromEnv({ ...install.proxySettings, ...parentEnv });
  return {
    kind: 'bwrap',
    bwrapPath,
    packageCacheDir: path.join(opts.paths.cache, 'packages'),
    allowHosts,
    allowLocalPorts: config.sandbox?.allowLocalPorts ?? [],
    install,
    userHome: home,
    forbidden: [opts.paths.config, opts.paths.data, opts.paths.cache],
    configFile,
    ...(opts.runtimeParent ? { runtimeParent: opts.runtimeParent } : {}),
    ...(upstreamProxy ? { upstreamProxy } : {}),
  };
}

const noSandboxHint = (configFile: string) =>
  `Or pass --no-sandbox (or set "sandbox": false in ${configFile}) to run the branch's code unconfined, with your user's rights.`;

const trials = new Map<string, Promise<{ ok: true } | { ok: false; error: string }>>();

/** Why there is no sandbox on this OS (only Linux has one), and the way to run anyway. */
export function noSandboxOnPlatform(platform: NodeJS.Platform, configFile: string): CoworkerError {
  const os = platform === 'darwin' ? 'macOS' : platform === 'win32' ? 'Windows' : platform;
  const missing =
    platform === 'darwin'
      ? 'the Seatbelt (sandbox-exec) confinement it would need there is not built'
      : `it has a sandbox only on Linux (bubblewrap)`;
  return new CoworkerError(
    'SANDBOX_UNAVAILABLE',
    `myfav-coworker has no sandbox for a pull request's code on ${os} — ${missing} — so it does not run the branch's install or app here.`,
    `To run them anyway, unconfined, with your user's rights (your files, your network, your processes): pass --no-sandbox, or set "sandbox": false in ${configFile}. Only do that for code you trust. A sandboxed run needs Linux with bubblewrap.`,
  );
}

/** The path of a bwrap that demonstrably works here (one trial run per process), or a clear error. */
export async function requireWorkingSandbox(
  envPath: string | undefined,
  configFile: string,
  platform: NodeJS.Platform = process.platform,
): Promise<string> {
  const hint = noSandboxHint(configFile);
  if (platform !== 'linux') throw noSandboxOnPlatform(platform, configFile);
  const bwrapPath = findBwrap(envPath);
  if (!bwrapPath) {
    throw new CoworkerError(
      'SANDBOX_UNAVAILABLE',
      "bubblewrap (bwrap) is not installed: myfav-coworker runs a pull request's install and app inside a bubblewrap sandbox on Linux and will not run them without one.",
      'Install it: sudo apt-get install bubblewrap (Debian, Ubuntu), sudo dnf install bubblewrap (Fedora), ' +
        `sudo pacman -S bubblewrap (Arch). ${hint}`,
    );
  }
  let trial = trials.get(bwrapPath);
  if (!trial) {
    trial = tryBwrap(bwrapPath);
    trials.set(bwrapPath, trial);
  }
  const result = await trial;
  if (!result.ok) {
    throw new CoworkerError(
      'SANDBOX_UNAVAILABLE',
      `bubblewrap (${bwrapPath}) is installed but cannot create a sandbox here: ${result.error}`,
      'Unprivileged user namespaces are probably disabled: sudo sysctl -w kernel.unprivileged_userns_clone=1 ' +
        '(Debian), or sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 24.04+); in a ' +
        `container, run it with user namespaces allowed. ${hint}`,
    );
  }
  return bwrapPath;
}

/** A real sandbox with the mount table of a run, running a shell that checks its own PID namespace. */
export async function tryBwrap(bwrapPath: string): Promise<{ ok: true } | { ok: false; error: string }> {
  const runtimeDir = await mkdtemp(path.join(os.tmpdir(), 'myfav-sbx-'));
  try {
    return await trialRun(bwrapPath, {
      writable: [],
      readOnly: [],
      files: [],
      hidden: [],
      runtimeDir,
      cwd: '/',
    });
  } finally {
    await rm(runtimeDir, { recursive: true, force: true });
  }
}
