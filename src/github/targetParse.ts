// What the user (CLI argument or MCP call) asked to simulate: a pull request or a local repository.
// Everything is decided from the text alone — no network — so a typo fails at once with an example.

import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CoworkerError } from '../errors.js';
import { defaultHost, normalizeHost } from './endpoints.js';

/** What to simulate, as parsed from the user's input (CLI argument or MCP call). */
export type TargetSpec =
  | { kind: 'local'; repoPath: string; headRef?: string; baseRef?: string }
  | { kind: 'github'; host: string; owner: string; repo: string; number: number };

export type GithubTarget = Extract<TargetSpec, { kind: 'github' }>;

const prExamples =
  'e.g. https://github.com/OWNER/REPO/pull/123, OWNER/REPO#123, or github.example.com/OWNER/REPO#123';
const localExample = '`myfav-coworker simulate ./my-app --head feature/login --base main`';

// GitHub's own rules: owners are alphanumerics and single hyphens (39 max); repository names are
// letters, digits, '.', '-', '_' (100 max) and never '.' or '..'.
export const ownerPattern = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
export const repoPattern = /^[A-Za-z0-9._-]{1,100}$/;

/** Hosts that are certainly not GitHub: a clear message instead of a confusing 404 later. */
const notGithub = new Map([
  ['gitlab.com', 'GitLab'],
  ['bitbucket.org', 'Bitbucket'],
  ['codeberg.org', 'Codeberg'],
  ['dev.azure.com', 'Azure DevOps'],
  ['gitee.com', 'Gitee'],
  ['sr.ht', 'SourceHut'],
]);

export interface ParseTargetOptions {
  /** GH_HOST gives the host of `OWNER/REPO#N` (default github.com). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Parse a target: a PR as `https://HOST/OWNER/REPO/pull/N` (a trailing `/files`, `/commits`, `/checks`,
 * query or fragment is fine), `HOST/OWNER/REPO/pull/N`, `OWNER/REPO#N` or `HOST/OWNER/REPO#N`; or the
 * path of a local git repository (where `refs` apply).
 */
export function parseTarget(
  input: string,
  refs: { head?: string; base?: string } = {},
  opts: ParseTargetOptions = {},
): TargetSpec {
  const trimmed = input.trim();
  if (!trimmed) {
    throw new CoworkerError(
      'INVALID_INPUT',
      'No target given.',
      `Name a pull request (${prExamples}) or a repository folder, ${localExample}.`,
    );
  }
  const env = opts.env ?? process.env;

  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return withoutRefs(parsePrUrl(trimmed), refs);

  const local = localPath(trimmed);
  if (local) {
    return {
      kind: 'local',
      repoPath: local,
      ...(refs.head ? { headRef: refs.head } : {}),
      ...(refs.base ? { baseRef: refs.base } : {}),
    };
  }

  const shorthand = parseShorthand(trimmed, env);
  if (shorthand) return withoutRefs(shorthand, refs);

  throw new CoworkerError(
    'INVALID_INPUT',
    `${JSON.stringify(trimmed.slice(0, 200))} is neither a pull request nor a folder on this machine.`,
    `Pass a pull request (${prExamples}) or the path of a local git repository, ${localExample}.`,
  );
}

/** The canonical web URL of a PR target. */
export function prUrl(spec: GithubTarget): string {
  return `https://${spec.host}/${spec.owner}/${spec.repo}/pull/${spec.number}`;
}

/** The cache key and display name of a PR's repository: HOST/OWNER/REPO. */
export function repoId(spec: Pick<GithubTarget, 'host' | 'owner' | 'repo'>): string {
  return `${spec.host}/${spec.owner}/${spec.repo}`;
}

function localPath(text: string): string | null {
  const expanded = text === '~' || text.startsWith('~/') ? path.join(os.homedir(), text.slice(1)) : text;
  // Something on disk wins over a shorthand that happens to look the same ("acme/app#2" as a folder).
  if (existsSync(expanded)) return path.resolve(expanded);
  if (/^(\.{1,2}|~)?[\\/]/.test(text) || text === '.' || text === '..' || /^[A-Za-z]:[\\/]/.test(text))
    return path.resolve(expanded);
  return null;
}

function parsePrUrl(text: string): GithubTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(text, 'it is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid(text, 'only https URLs are accepted');
  if (url.username || url.password) throw invalid(text, 'it contains credentials');
  const host = normalizeHost(url.host);
  if (!host) throw invalid(text, 'the host name is not valid');
  rejectKnownNonGithub(host, text);
  const segments = url.pathname.split('/').filter(Boolean);
  return fromPath(host, segments, text);
}

function parseShorthand(text: string, env: NodeJS.ProcessEnv): GithubTarget | null {
  // OWNER/REPO#N or HOST/OWNER/REPO#N
  const hash = /^(?:([^/\s#]+)\/)?([^/\s#]+)\/([^/\s#]+)#(\d+)$/.exec(text);
  if (hash) {
    const [, hostPart, owner = '', repo = '', number = ''] = hash;
    const host = hostPart ? normalizeHost(hostPart) : defaultHostFrom(env);
    if (!host || (hostPart && !hostPart.includes('.') && !hostPart.includes(':'))) {
      throw invalid(text, `"${hostPart}" is not a host name`);
    }
    rejectKnownNonGithub(host, text);
    return fromPath(host, [owner, repo, 'pull', number], text);
  }
  // HOST/OWNER/REPO/pull/N without the scheme (copied from an address bar that hides it)
  const segments = text.split(/[?#]/)[0]!.split('/').filter(Boolean);
  if (segments.length >= 5 && segments[0]!.includes('.') && segments[3] === 'pull') {
    const host = normalizeHost(segments[0]!);
    if (!host) throw invalid(text, 'the host name is not valid');
    rejectKnownNonGithub(host, text);
    return fromPath(host, segments.slice(1), text);
  }
  return null;
}

function defaultHostFrom(env: NodeJS.ProcessEnv): string {
  const fromEnv = env.GH_HOST ? normalizeHost(env.GH_HOST) : undefined;
  return fromEnv ?? defaultHost;
}

/** OWNER/REPO/pull/N[/files|/commits[/SHA]|/checks] */
function fromPath(host: string, segments: string[], text: string): GithubTarget {
  const [owner = '', rawRepo = '', kind, number = '', ...rest] = segments;
  if (kind !== 'pull' || segments.length < 4) {
    const hint = kind === 'pulls' ? ' (it lists pull requests; open one and copy its URL)' : '';
    throw invalid(text, `it is not a pull request URL${hint}`);
  }
  const repo = rawRepo.replace(/\.git$/, '');
  if (!ownerPattern.test(owner)) throw invalid(text, `"${owner}" is not a valid GitHub owner name`);
  if (!repoPattern.test(repo) || repo === '.' || repo === '..')
    throw invalid(text, `"${rawRepo}" is not a valid repository name`);
  if (!/^[1-9]\d{0,9}$/.test(number) || Number(number) > 2 ** 31 - 1)
    throw invalid(text, `"${number}" is not a pull request number`);
  const tailOk =
    rest.length === 0 ||
    (rest.length === 1 && ['files', 'commits', 'checks', 'changes'].includes(rest[0]!)) ||
    (rest.length === 2 &&
      (rest[0] === 'commits' || rest[0] === 'changes') &&
      /^[0-9a-f]{7,64}$/.test(rest[1]!));
  if (!tailOk) throw invalid(text, `"/${rest.join('/')}" after the pull request number is not understood`);
  return { kind: 'github', host, owner, repo, number: Number(number) };
}

function rejectKnownNonGithub(host: string, text: string): void {
  const bare = host.replace(/:\d+$/, '');
  const name = notGithub.get(bare) ?? [...notGithub].find(([h]) => bare.endsWith(`.${h}`))?.[1];
  if (name)
    throw invalid(text, `${name} is not supported; only GitHub and GitHub Enterprise pull requests are`);
}

function withoutRefs(spec: GithubTarget, refs: { head?: string; base?: string }): GithubTarget {
  if (refs.head || refs.base) {
    throw new CoworkerError(
      'INVALID_INPUT',
      '--head and --base apply to local repositories: a pull request has its own head and base.',
      `Drop --head/--base, or simulate a local checkout instead, ${localExample}.`,
    );
  }
  return spec;
}

function invalid(text: string, why: string): CoworkerError {
  return new CoworkerError(
    'INVALID_INPUT',
    `${JSON.stringify(text.slice(0, 200))} is not a pull request this tool can simulate: ${why}.`,
    `Pass a GitHub pull request, ${prExamples}, or a local repository folder.`,
  );
}
