// The few facts detection needs from a package.json.

import path from 'node:path';
import { readRepoFile } from '../repoFile.js';

export interface PackageJson {
  scripts?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
  optionalDependencies?: Record<string, unknown>;
  peerDependencies?: Record<string, unknown>;
  workspaces?: unknown;
  packageManager?: unknown;
}

export type PackageJsonRead =
  | { kind: 'missing' }
  | { kind: 'invalid'; file: string; error: string }
  | { kind: 'ok'; file: string; pkg: PackageJson };

/** `root`: the checkout, which the file must not lead out of (throws UNSAFE_FILE; see repoFile.ts). */
export function readPackageJson(dir: string, root: string = dir): PackageJsonRead {
  const file = path.join(dir, 'package.json');
  const text = readRepoFile(root, file);
  if (text === undefined) return { kind: 'missing' };
  try {
    const pkg: unknown = JSON.parse(text);
    if (typeof pkg !== 'object' || pkg === null || Array.isArray(pkg)) {
      return { kind: 'invalid', file, error: 'not a JSON object' };
    }
    return { kind: 'ok', file, pkg: pkg as PackageJson };
  } catch (err) {
    return { kind: 'invalid', file, error: (err as Error).message };
  }
}

/** Scripts that start a server, in the order we prefer them. */
export const startScriptNames = ['dev', 'start', 'preview', 'serve'] as const;

/** First start-like script with a non-empty command, or undefined. */
export function startScriptOf(pkg: PackageJson): { name: string; body: string } | undefined {
  for (const name of startScriptNames) {
    const body = pkg.scripts?.[name];
    if (typeof body === 'string' && body.trim() !== '') return { name, body };
  }
  return undefined;
}

/** Whether installing could put anything in node_modules (deps of any kind, or workspace packages). */
export function declaresDependencies(pkg: PackageJson): boolean {
  const nonEmpty = (v: unknown) => typeof v === 'object' && v !== null && Object.keys(v).length > 0;
  return (
    nonEmpty(pkg.dependencies) ||
    nonEmpty(pkg.devDependencies) ||
    nonEmpty(pkg.optionalDependencies) ||
    nonEmpty(pkg.peerDependencies) ||
    pkg.workspaces !== undefined
  );
}
