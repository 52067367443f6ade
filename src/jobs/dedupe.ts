// When two requests are the same simulation, decided in this one place (JobService.submit, shared by
// the CLI and MCP): an identical request joins the job already queued or running (MCP clients retry,
// a terminal follows a server's job), and a request for a different run gets that run.
//
// The key is what the run is for (target at its head commit, the trust decision, what it writes to
// the PR) in words, plus a digest of everything else that changes the run's outcome, normalised so
// that two ways of asking for the same run are one key:
// - the settings the request passed, with undefined fields dropped and object keys sorted; a --config
//   file by its content (editing it between two runs changes the pages visited, the start command…),
//   an --env-file by its size and modification time (its values are secrets: not even a hash of them
//   is stored);
// - the agent as this process would run it (resolveAgentSettings: --no-agent and "no API key" are both
//   "no agent"; a model or budget left out is the one the run would use);
// - the sandbox as the run would have it (--no-sandbox, or "sandbox": false in the user config);
// - --refresh-base (only when the base is compared), the report URL a PR comment links to.
// Layers every process on one data dir reads alike when its job runs (the branch's .myfav-coworker.json
// is in the head commit; the user config's `repos` entry) are not part of the key.

import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolveAgentSettings } from '../agent/settings.js';
import { loadUserConfig } from '../config/userConfig.js';
import type { SimulationRequest, TargetSpec } from './request.js';

export interface DedupeContext {
  /** The user config's folder (the agent's key and model, the sandbox setting). */
  configDir: string;
  env?: NodeJS.ProcessEnv;
}

/** The job's dedupe key for `request`, whose target is at `headSha` (undefined: unknown). */
export async function dedupeKey(
  request: Pick<SimulationRequest, 'settings' | 'agent' | 'consent' | 'publish' | 'refreshBase'>,
  target: TargetSpec,
  headSha: string | undefined,
  ctx: DedupeContext,
): Promise<string> {
  const where =
    target.kind === 'local'
      ? `local:${target.repoPath}:${target.headRef ?? 'HEAD'}:${target.baseRef ?? ''}`
      : `github:${target.host}/${target.owner}/${target.repo}#${target.number}`;
  const at = headSha ? `${where}@${headSha}` : where;
  // A job that writes to the PR and one that does not are different jobs: joining one would post
  // where the caller did not ask, or not post where it did.
  const writes = [request.publish?.comment ? 'comment' : '', request.publish?.status ? 'status' : ''];
  const writing = writes.filter(Boolean).join('+');
  // A job run with the user's consent and one left to the policy never merge, so a call can only
  // join a job that was allowed to run the way it asked.
  const trust = target.kind === 'github' ? `:${request.consent ? 'consented' : 'policy'}` : '';
  const run = digest(canonicalJson(await runOptions(request, ctx)));
  return `${at}${trust}${writing ? `:writes=${writing}` : ''}:run=${run}`;
}

/** What else decides the run's outcome, in a normal form (see the top of this file). */
export async function runOptions(
  request: Pick<SimulationRequest, 'settings' | 'agent' | 'publish' | 'refreshBase'>,
  ctx: DedupeContext,
): Promise<Record<string, unknown>> {
  const { configFile, envFile, sandbox: _flag, allowedOrigins, ...settings } = request.settings;
  const userConfig = await loadUserConfig(ctx.configDir).catch(() => ({}) as { sandbox?: unknown });
  const agent = await resolveAgentSettings({
    request: request.agent,
    configDir: ctx.configDir,
    ...(ctx.env ? { env: ctx.env } : {}),
  });
  const compared = request.settings.compareBase !== false;
  return {
    settings: {
      ...settings,
      // A set: the order they were given in changes nothing.
      ...(allowedOrigins?.length ? { allowedOrigins: [...new Set(allowedOrigins)].sort() } : {}),
      ...(configFile ? { configFile: { path: configFile, content: await contentDigest(configFile) } } : {}),
      ...(envFile ? { envFile: { path: envFile, version: await fileVersion(envFile) } } : {}),
    },
    agent: agent.run ? { model: agent.settings.model, budgets: agent.settings.budgets } : 'off',
    sandbox: request.settings.sandbox === false || userConfig.sandbox === false ? 'off' : 'on',
    refreshBase: compared && request.refreshBase === true,
    reportUrl:
      request.publish && (request.publish.comment || request.publish.status)
        ? request.publish.reportUrl
        : undefined,
  };
}

/** JSON with object keys sorted and undefined fields left out: equal values, equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const digest = (data: string | Buffer): string =>
  createHash('sha256').update(data).digest('hex').slice(0, 16);

/** The file's content as a digest; a file that cannot be read is one value (the job will say why). */
async function contentDigest(file: string): Promise<string> {
  try {
    return digest(await readFile(file));
  } catch (err) {
    return `unreadable:${(err as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}

async function fileVersion(file: string): Promise<string> {
  try {
    const s = await stat(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch (err) {
    return `unreadable:${(err as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}
