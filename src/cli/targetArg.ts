import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CoworkerError } from '../errors.js';
import type { TargetSpec } from '../jobs/request.js';

const examples = 'e.g. `myfav-coworker simulate ./my-app --head feature/login --base main`';

/** The target argument of `simulate`: a local repository path (PR URLs arrive with GitHub support). */
export function parseTargetArg(input: string, refs: { head?: string; base?: string }): TargetSpec {
  const trimmed = input.trim();
  if (!trimmed)
    throw new CoworkerError('INVALID_INPUT', 'No target given.', `Name a repository folder, ${examples}.`);
  const expanded =
    trimmed === '~' || trimmed.startsWith('~/') ? path.join(os.homedir(), trimmed.slice(1)) : trimmed;
  if (existsSync(expanded) || /^(\.{1,2}|~)?[\\/]/.test(trimmed) || trimmed === '.' || trimmed === '..') {
    return {
      kind: 'local',
      repoPath: path.resolve(expanded),
      ...(refs.head ? { headRef: refs.head } : {}),
      ...(refs.base ? { baseRef: refs.base } : {}),
    };
  }
  throw new CoworkerError(
    'INVALID_INPUT',
    `${JSON.stringify(trimmed)} is not a folder on this machine.`,
    `Pass the path of a local git repository, ${examples}.`,
  );
}
