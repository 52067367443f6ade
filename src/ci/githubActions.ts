// Running inside GitHub Actions: the PR comes from the event (GITHUB_EVENT_PATH), phases become log
// groups, new findings become annotations, and the step summary gets the verdict. Plain text in, the
// runner's workflow-command syntax out (https://docs.github.com/actions/reference/workflow-commands).
// Nothing here talks to GitHub's API.

import { readFile, stat } from 'node:fs/promises';
import { CoworkerError } from '../errors.js';
import type { Finding, Report } from '../report/model.js';

export interface ActionsEnv {
  /** GITHUB_SERVER_URL: https://github.com, or the Enterprise Server's. */
  serverUrl: string;
  /** GITHUB_REPOSITORY: owner/name of the workflow's repository. */
  repository?: string;
  eventName?: string;
  eventPath?: string;
  runId?: string;
  stepSummary?: string;
}

/** The runner's environment, or null when this is not a GitHub Actions job. */
export function actionsEnv(env: NodeJS.ProcessEnv = process.env): ActionsEnv | null {
  if (env.GITHUB_ACTIONS !== 'true') return null;
  return {
    serverUrl: (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, ''),
    ...(env.GITHUB_REPOSITORY ? { repository: env.GITHUB_REPOSITORY } : {}),
    ...(env.GITHUB_EVENT_NAME ? { eventName: env.GITHUB_EVENT_NAME } : {}),
    ...(env.GITHUB_EVENT_PATH ? { eventPath: env.GITHUB_EVENT_PATH } : {}),
    ...(env.GITHUB_RUN_ID ? { runId: env.GITHUB_RUN_ID } : {}),
    ...(env.GITHUB_STEP_SUMMARY ? { stepSummary: env.GITHUB_STEP_SUMMARY } : {}),
  };
}

/** The workflow run's page, where its artifacts are (null when the runner did not say). */
export function runUrl(actions: ActionsEnv): string | null {
  if (!actions.repository || !actions.runId || !/^\d+$/.test(actions.runId)) return null;
  return `${actions.serverUrl}/${actions.repository}/actions/runs/${actions.runId}`;
}

const maxEventBytes = 25 * 1024 * 1024;

/**
 * The pull request of the event that started the workflow, as a target (`HOST/OWNER/REPO#N`):
 * `pull_request` / `pull_request_target` events, and `issue_comment` on a PR.
 */
export async function pullRequestFromEvent(actions: ActionsEnv): Promise<string> {
  const what = `the workflow's event (${actions.eventName ?? 'unknown'})`;
  if (!actions.eventPath) throw noPullRequest(`${what}: GITHUB_EVENT_PATH is not set`);
  let event: unknown;
  try {
    const info = await stat(actions.eventPath);
    if (!info.isFile() || info.size > maxEventBytes) throw new Error('not a regular file of a sane size');
    event = JSON.parse(await readFile(actions.eventPath, 'utf8'));
  } catch (err) {
    throw noPullRequest(`${what}: ${actions.eventPath} could not be read (${(err as Error).message})`);
  }
  const e = (event ?? {}) as {
    pull_request?: { number?: unknown };
    issue?: { number?: unknown; pull_request?: unknown };
    repository?: { full_name?: unknown };
  };
  const number = e.pull_request?.number ?? (e.issue?.pull_request ? e.issue.number : undefined);
  const repo = typeof e.repository?.full_name === 'string' ? e.repository.full_name : actions.repository;
  if (typeof number !== 'number' || !Number.isInteger(number) || number <= 0 || !repo)
    throw noPullRequest(`${what} is not about a pull request`);
  return `${new URL(actions.serverUrl).host}/${repo}#${number}`;
}

function noPullRequest(why: string): CoworkerError {
  return new CoworkerError(
    'INVALID_INPUT',
    `No pull request to simulate: ${why}.`,
    'Run it on `pull_request` events (see the example workflow in the README), or name the PR: `myfav-coworker simulate OWNER/REPO#N`.',
  );
}

// Workflow commands: data escapes %, CR, LF; property values also ':' and ','. Untrusted text (page
// errors, PR text) thus cannot end the command and start another one.
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function groupStart(title: string): string {
  return `::group::${escapeData(title)}\n`;
}

export const groupEnd = '::endgroup::\n';

export interface Annotation {
  level: 'error' | 'warning';
  title: string;
  message: string;
  file?: string;
}

export function annotationCommand(a: Annotation): string {
  const props = [a.file ? `file=${escapeProperty(a.file)}` : '', `title=${escapeProperty(a.title)}`]
    .filter(Boolean)
    .join(',');
  return `::${a.level} ${props}::${escapeData(a.message)}\n`;
}

const maxAnnotations = 20;

/**
 * The change's new problems (errors and warnings) as annotations, pointing at the changed file a
 * finding names when one does (a page `/stats.html` served from `public/stats.html`, an error in
 * `stats.js`). GitHub shows at most 10 of each level per step; we send no more than 20 in all.
 */
export function annotationsFor(report: Report): Annotation[] {
  const changed = report.target?.changedFiles ?? [];
  return report.findings
    .filter((f) => (f.origin ?? 'new') === 'new' && f.severity !== 'info')
    .slice(0, maxAnnotations)
    .map((f) => {
      const file = changedFileOf(f, changed);
      return {
        level: f.severity === 'error' ? 'error' : 'warning',
        title: `myfav-coworker: ${f.title}`.slice(0, 200),
        message: [
          f.page ? `On ${f.page}: ${f.detail}` : f.detail,
          ...(f.steps ?? []).map((s, i) => `${i + 1}. ${s}`),
        ]
          .join('\n')
          .slice(0, 4000),
        ...(file ? { file } : {}),
      };
    });
}

/**
 * A changed file the finding names: a script or file path in its text first (the stack's `stats.js`),
 * else its page (`/stats.html` served from `public/stats.html`). The shortest matching file wins.
 */
export function changedFileOf(finding: Finding, changedFiles: readonly string[]): string | undefined {
  const text = [finding.title, finding.detail, ...finding.evidence].join(' ');
  const named: string[] = [];
  for (const m of text.matchAll(
    /(?:^|[\s"'(=@])((?:https?:\/\/[^/\s]+)?\/[\w./-]*[\w-]\.[a-z0-9]{1,6})\b/gi,
  )) {
    named.push((m[1] ?? '').replace(/^https?:\/\/[^/]+/i, ''));
  }
  const page =
    finding.page && /^\/[^?#]*$/.test(finding.page)
      ? [finding.page.endsWith('/') ? `${finding.page}index.html` : finding.page]
      : [];
  for (const candidates of [named, page]) {
    let best: string | undefined;
    for (const p of candidates) {
      for (const file of changedFiles) {
        if (p.length > 1 && `/${file}`.endsWith(p) && (!best || file.length < best.length)) best = file;
      }
    }
    if (best) return best;
  }
  return undefined;
}
