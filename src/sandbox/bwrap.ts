// bubblewrap: finding it, proving it works here, and the mount table of one sandboxed run.
//
// What the PR's code sees: the system's runtime dirs read-only (/usr, /etc minus password hashes and
// SSH host keys), the tools on its PATH read-only, its worktree, HOME and our package cache read-write,
// a fresh /tmp, /proc of its own PID namespace, a minimal /dev. Nothing else of the host: not the
// user's home, not our config, data or other jobs, not /run (D-Bus sockets). Every namespace is new
// (network included: loopback only, and abstract unix sockets are per network namespace), no
// capabilities, and the root is read-only so a stray write fails instead of vanishing.

import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { isInside } from '../paths.js';

/** Where the run's runtime dir (sockets, relay) appears inside. */
export const insideRuntimeDir = '/run/myfav';

const systemDirs = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
const maskedFiles = ['/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-', '/etc/sudoers'];
const maskedDirs = ['/etc/ssh', '/etc/sudoers.d', '/etc/ssl/private'];

/** Absolute path of `bwrap` on PATH, or undefined. */
export function findBwrap(envPath: string | undefined = process.env.PATH): string | undefined {
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir || !path.isAbsolute(dir)) continue;
    const file = path.join(dir, 'bwrap');
    try {
      if (statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface MountSpec {
  /** Read-write at the same path. */
  writable: string[];
  /** Read-only at the same path. */
  readOnly: string[];
  /** [host path, inside path]: read-only files placed over paths (e.g. the user's .npmrc in HOME). */
  files: Array<[string, string]>;
  /** Host dir mounted read-write at insideRuntimeDir. */
  runtimeDir: string;
  /** Paths hidden even if a read-only dir contains them. */
  hidden: string[];
  cwd: string;
  /**
   * The uid (and gid) inside, when not ours. Its user namespace maps it to our uid outside, so what the
   * code may touch does not change; only what it sees as its uid does.
   */
  uid?: number;
}

/** "nobody", in every passwd: the inside uid of a service that must not run as root. */
export const nobodyUid = 65534;

/** The bubblewrap arguments before the command. */
export function bwrapArgs(spec: MountSpec): string[] {
  const args = [
    '--unshare-all',
    ...(spec.uid !== undefined ? ['--uid', String(spec.uid), '--gid', String(spec.uid)] : []),
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--hostname',
    'myfav-sandbox',
  ];
  for (const dir of systemDirs) {
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(dir);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else if (st.isDirectory()) args.push('--ro-bind', dir, dir);
  }
  args.push('--ro-bind', '/etc', '/etc');
  for (const file of maskedFiles) if (existsSync(file)) args.push('--ro-bind', '/dev/null', file);
  for (const dir of maskedDirs) if (isDir(dir)) args.push('--tmpfs', dir);
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--tmpfs', '/var/tmp', '--tmpfs', '/run');
  for (const dir of spec.readOnly) args.push('--ro-bind', dir, dir);
  for (const dir of spec.writable) args.push('--bind', dir, dir);
  for (const hidden of spec.hidden) {
    if (isDir(hidden)) args.push('--tmpfs', hidden);
    else if (existsSync(hidden)) args.push('--ro-bind', '/dev/null', hidden);
  }
  for (const [from, to] of spec.files) args.push('--ro-bind', from, to);
  args.push('--bind', spec.runtimeDir, insideRuntimeDir);
  args.push('--remount-ro', '/', '--chdir', spec.cwd);
  return args;
}

/**
 * What the command needs of the tools on its PATH, read-only. Each PATH entry outside the system dirs is
 * mounted as itself only (`~/.local/bin`, never `~/.local`, whose `share/` holds keyrings), plus what it
 * demonstrably runs from:
 * - a Node install prefix (`<prefix>/bin` next to `<prefix>/lib/node_modules`: nvm's versions, `~/.local`
 *   as npm's prefix): `lib/node_modules` (npm, global packages) and `include/node` (node-gyp's headers) —
 *   not the rest of the prefix (`etc/npmrc` may hold registry tokens);
 * - a pyenv or rbenv root (its `shims/`, `bin/` or a plugin's `shims/`): what the shims exec — `libexec`,
 *   `versions`, `plugins`, the hooks dir and the global `version` file — not the rest of the root.
 * A symlink in a mounted dir that points elsewhere (nvm's `bin/npm`, a `~/.local/bin` link into a
 * project) only works when its target is mounted too; nothing else of the home follows. Never a path that
 * contains `userHome` or a `forbidden` dir (our config, data and cache), nor one inside a `forbidden` dir.
 */
export function toolMounts(envPath: string, userHome: string, forbidden: string[]): string[] {
  const out = new Set<string>();
  const allowed = (p: string) =>
    ![userHome, ...forbidden].some((f) => isInside(p, f)) && !forbidden.some((f) => isInside(f, p));
  const consider = (dir: string) => {
    let real: string;
    try {
      real = realpathSync(dir);
      if (!statSync(real).isDirectory()) return;
    } catch {
      return;
    }
    if (real === '/' || real === '/etc' || systemDirs.some((s) => isInside(s, real))) return;
    if (!allowed(real)) return;
    out.add(real);
    for (const companion of companionsOf(real)) {
      let resolved: string;
      try {
        resolved = realpathSync(companion);
      } catch {
        continue; // not there
      }
      if (allowed(resolved) && !systemDirs.some((s) => isInside(s, resolved))) out.add(resolved);
    }
  };
  for (const dir of envPath.split(path.delimiter)) if (dir && path.isAbsolute(dir)) consider(dir);
  consider(path.dirname(process.execPath));
  // Nested entries are covered by their parent's bind.
  return [...out].filter((d) => ![...out].some((o) => o !== d && isInside(o, d))).sort();
}

/** Shim managers whose shims exec `<root>/libexec/<name>`, which runs `<root>/versions/<v>/bin/<program>`. */
const shimManagers = ['pyenv', 'rbenv'];

/** What the tools of one PATH dir run from, beyond the dir itself (see toolMounts). */
function companionsOf(dir: string): string[] {
  const parent = path.dirname(dir);
  if (path.basename(dir) === 'bin' && isDir(path.join(parent, 'lib', 'node_modules')))
    return [path.join(parent, 'lib', 'node_modules'), path.join(parent, 'include', 'node')];
  // <root>/shims, <root>/bin, <root>/plugins/<plugin>/shims
  const roots = [parent, path.dirname(path.dirname(parent))];
  for (const root of roots) {
    const manager = shimManagers.find((m) => existsSync(path.join(root, 'libexec', m)));
    if (!manager) continue;
    return ['bin', 'shims', 'libexec', 'versions', 'plugins', `${manager}.d`, 'version'].map((p) =>
      path.join(root, p),
    );
  }
  return [];
}

/**
 * The git metadata of a `git worktree` checkout (its `.git` file names a dir in our cached mirror),
 * read-only: build scripts commonly run `git rev-parse HEAD`. Undefined for a plain checkout.
 */
export function worktreeGitDir(checkoutDir: string): string | undefined {
  try {
    const text = readFileSync(path.join(checkoutDir, '.git'), 'utf8');
    const gitdir = /^gitdir:\s*(.+)$/m.exec(text)?.[1]?.trim();
    if (!gitdir) return undefined;
    const abs = path.resolve(checkoutDir, gitdir);
    const common = readFileSync(path.join(abs, 'commondir'), 'utf8').trim();
    return realpathSync(path.resolve(abs, common));
  } catch {
    return undefined;
  }
}

/** Runs a trivial command in a sandbox with the real mount table: whether bubblewrap works here. */
export function trialRun(
  bwrapPath: string,
  spec: MountSpec,
): Promise<{ ok: true } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    execFile(
      bwrapPath,
      [...bwrapArgs(spec), '--', '/bin/sh', '-c', '[ "$(cat /proc/1/comm)" = bwrap ] && echo sandboxed'],
      { timeout: 10_000, env: { PATH: '/usr/bin:/bin' } },
      (err, stdout, stderr) => {
        if (!err && stdout.trim() === 'sandboxed') resolve({ ok: true });
        else resolve({ ok: false, error: (stderr.trim() || (err?.message ?? stdout.trim())).slice(0, 500) });
      },
    );
  });
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
