import { type SimpleGit, simpleGit } from 'simple-git';

export interface GitOptions {
  signal?: AbortSignal;
  /** Kill git when it produces no output for this long (a hung fetch). */
  idleTimeoutMs?: number;
  /** Extra `-c key=value` settings for every command (e.g. an auth header, never persisted). */
  config?: string[];
  /** Extra environment for the git process only. */
  env?: Record<string, string>;
  /** GIT_* variables of `env` that simple-git must let through (it strips them otherwise). */
  allowEnvironment?: string[];
  /**
   * `env` carries settings as GIT_CONFIG_COUNT/GIT_CONFIG_KEY_n/GIT_CONFIG_VALUE_n (an auth header for one
   * command: in the environment it is hidden from other users, unlike `-c` on the command line).
   */
  configInEnv?: boolean;
}

/**
 * Settings forced on every git command we run: a repository's own config must not be able to turn
 * a fetch into code execution (`ext::` remotes) or run hooks, and git must never prompt on our stdin.
 */
const hardenedConfig = ['protocol.ext.allow=never', 'core.hooksPath=/dev/null', 'core.fsmonitor=false'];

export function createGit(baseDir: string, opts: GitOptions = {}): SimpleGit {
  const git = simpleGit({
    baseDir,
    config: [...hardenedConfig, ...(opts.config ?? [])],
    ...(opts.signal ? { abort: opts.signal } : {}),
    timeout: { block: opts.idleTimeoutMs ?? 120_000 },
    // simple-git refuses these keys whatever their value; we only ever set them to their safe values.
    // simple-git strips GIT_* variables unless they are named here.
    allowEnvironment: ['GIT_TERMINAL_PROMPT', 'GCM_INTERACTIVE', ...(opts.allowEnvironment ?? [])],
    unsafe: {
      allowUnsafeProtocolOverride: true,
      allowUnsafeHooksPath: true,
      allowUnsafeFsMonitor: true,
      ...(opts.configInEnv ? { allowUnsafeConfigEnvCount: true } : {}),
    },
  });
  return git.env({
    ...gitProcessEnv(),
    ...(opts.env ?? {}),
  });
}

/**
 * git's environment, from an allowlist: what git needs to find the user's own config, ssh agent and
 * proxy, and nothing that makes it interactive. (simple-git also refuses variables such as EDITOR or
 * GIT_ASKPASS in a passed environment; an allowlist keeps us clear of that.)
 */
const passedToGit = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'TMPDIR',
  'TEMP',
  'TMP',
  'SYSTEMROOT',
  'APPDATA',
  'LOCALAPPDATA',
  'USERPROFILE',
  'XDG_CONFIG_HOME',
  'SSH_AUTH_SOCK',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

function gitProcessEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of passedToGit) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  env.GIT_TERMINAL_PROMPT = '0';
  env.GCM_INTERACTIVE = 'never';
  env.LC_ALL = 'C';
  return env;
}
