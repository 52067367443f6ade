import path from 'node:path';
import type { AppPaths } from '../../src/paths.js';
import { sandboxForJob } from '../../src/sandbox/forJob.js';
import type { NoSandbox, Sandbox } from '../../src/sandbox/types.js';

/** For tests of the unsandboxed code paths (process groups, port ownership): what --no-sandbox gives. */
export const noSandbox: NoSandbox = { kind: 'none', reason: 'test of the unsandboxed path' };

/** Our paths under one temp dir (as MYFAV_COWORKER_HOME would give). */
export function pathsUnder(dir: string): AppPaths {
  return { data: path.join(dir, 'data'), cache: path.join(dir, 'cache'), config: path.join(dir, 'config') };
}

/** The real bubblewrap sandbox a job would get with our paths under `dir`. */
export function realSandbox(dir: string, parentEnv?: Record<string, string | undefined>): Promise<Sandbox> {
  return sandboxForJob({ paths: pathsUnder(dir), ...(parentEnv ? { parentEnv } : {}) });
}
