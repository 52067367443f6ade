// The agent's run as report material: findings (the agent's own, and what the browser itself saw go wrong
// after the agent's actions), the summary of the run, and why it is incomplete when it is.
//
// The verdict must not rest on the agent's word alone. An uncaught error or a 5xx right after one of its
// actions is a finding even when the agent missed it, ran out of budget, or said "pass": it comes with the
// steps that led to it. When the agent reported the same problem, the observed error joins its evidence.

import { clip } from '../clip.js';
import { firstLine } from '../report/format.js';
import { findingKeys } from '../report/identity.js';
import type { AgentStep, AgentSummary, FailedRequest, Finding } from '../report/model.js';
import type { AgentAction, AgentRunResult } from './loop.js';
import { estimateCost } from './pricing.js';
import type { AgentReportFinding } from './tools.js';

export interface AgentFindingsInput {
  run: AgentRunResult;
  /** The start page as the first action (opening it). */
  actions: AgentAction[];
  crawlFindings: readonly Finding[];
  /** The app origin of this run, cut from texts (the port changes every run). */
  appOrigin: string;
}

const MAX_STEP_CHARS = 300;

export function agentFindings(input: AgentFindingsInput): Finding[] {
  const { run } = input;
  const reported = (run.report?.findings ?? []).map((f) => reportedFinding(f, input.appOrigin));
  const observed: Finding[] = [];
  // Keys of problems already reported: by the crawl (thrown while a page loaded), or earlier in this run.
  const seen = new Set<string>(input.crawlFindings.flatMap((f) => (f.key ? [f.key] : [])));
  const origins = [input.appOrigin];

  const events = [
    ...input.actions.map((a) => ({ n: a.n, problems: a.problems, page: a.page })),
    ...run.problems,
  ].sort((a, b) => a.n - b.n);
  for (const event of events) {
    const steps = stepsUpTo(input.actions, event.n);
    for (const message of event.problems.pageErrors) {
      const line = firstLine(message) || 'unknown error';
      const core = errorCore(line);
      const key = findingKeys.pageError(line);
      if (seen.has(key)) continue;
      seen.add(key);
      const evidence = `Page error: ${clip(message, 2000)}`;
      const match = reported.find((f) => mentions(`${f.title}\n${f.detail}\n${f.evidence.join('\n')}`, core));
      if (match) {
        if (!match.evidence.includes(evidence)) match.evidence.push(evidence);
        continue;
      }
      const title = /^Uncaught\b/.test(line) ? line : `Uncaught ${line}`;
      observed.push({
        severity: 'error',
        kind: 'page-error',
        title: clip(title, 120),
        page: event.page,
        detail:
          `${clip(title, 200)} was thrown after: ${steps[steps.length - 1] ?? 'opening the page'}. ` +
          'The browser saw it while the AI agent explored the app.',
        evidence: [evidence],
        steps: [...steps, `Observe the uncaught error in the browser console: ${clip(line, 200)}`],
        source: 'agent',
        key,
      });
    }
    for (const request of event.problems.failedRequests) {
      if (!isServerFailure(request)) continue;
      const target = pathOf(request.url, input.appOrigin);
      const outcome =
        request.status !== null ? `HTTP ${request.status}` : (request.failure ?? 'network error');
      const key = findingKeys.request(request.method, request.url, request.status, origins);
      if (seen.has(key)) continue;
      seen.add(key);
      const title = `${request.method} ${target} ${request.status !== null ? `returned ${outcome}` : `failed (${outcome})`}`;
      const evidence = `${request.method} ${request.url} → ${outcome}`;
      const match = reported.find((f) => `${f.title}\n${f.detail}`.includes(target));
      if (match) {
        if (!match.evidence.includes(evidence)) match.evidence.push(evidence);
        continue;
      }
      observed.push({
        severity: 'error',
        kind: 'failed-request',
        title: clip(title, 120),
        page: event.page,
        detail: `${title} after: ${steps[steps.length - 1] ?? 'opening the page'}. The browser saw it while the AI agent explored the app.`,
        evidence: [evidence],
        steps: [...steps, `In the browser's network panel, observe ${request.method} ${target} ${outcome}`],
        source: 'agent',
        key,
      });
    }
  }
  return [...reported, ...observed];
}

function reportedFinding(f: AgentReportFinding, origin: string): Finding {
  const strip = (text: string) => text.split(origin).join('');
  return {
    severity: f.severity,
    kind: 'agent',
    title: clip(strip(f.title), 200),
    detail: strip(f.detail),
    steps: f.steps.map((s) => clip(strip(s), MAX_STEP_CHARS)),
    evidence: [...new Set(f.evidence.map((e) => e.trim()).filter(Boolean))],
    source: 'agent',
    key: findingKeys.agent(strip(f.title)),
  };
}

/** "Cannot set properties of null (setting 'value')": the message without the error type and location. */
function errorCore(line: string): string {
  return line
    .replace(/^Uncaught\s+/, '')
    .replace(/^[A-Z]\w*(Error|Exception):\s*/, '')
    .replace(/\s*\(at .*\)$/, '')
    .trim();
}

/**
 * Whether a text is about this error: it quotes the message, or the message without its parenthesised
 * details ("Cannot set properties of null" for "… of null (setting 'value')").
 */
function mentions(text: string, core: string): boolean {
  if (text.includes(core)) return true;
  const bare = core.replace(/\s*\([^)]*\)/g, '').trim();
  return bare.length >= 12 && text.includes(bare);
}

/** The app broke (5xx) or the request never got an answer; 4xx answers may be the app saying no. */
function isServerFailure(r: FailedRequest): boolean {
  return r.status === null ? !/ERR_ABORTED|BLOCKED/.test(r.failure ?? '') : r.status >= 500;
}

function stepsUpTo(actions: AgentAction[], n: number): string[] {
  return actions.filter((a) => a.n <= n).map((a) => a.step);
}

function pathOf(url: string, origin: string): string {
  return url.startsWith(origin) ? url.slice(origin.length) || '/' : url;
}

/** Why a run without a usable verdict from the agent is incomplete (none when the agent decided). */
export function agentIncompleteReason(run: AgentRunResult): string | undefined {
  if (run.report) {
    return run.report.verdict === 'inconclusive'
      ? `the AI agent could not decide: ${clip(firstLine(run.report.summary), 300)}`
      : undefined;
  }
  if (run.stoppedBy === 'error') return undefined;
  return run.reason ?? 'the AI agent stopped without a verdict';
}

export function agentSummary(input: {
  run: AgentRunResult;
  model: string;
  /** Cut from step texts (the port changes every run). */
  appOrigin: string;
  transcript?: string;
  reproduceSpec?: string;
  reproduceConfig?: string;
}): AgentSummary {
  const { run, appOrigin } = input;
  const calls = run.turns.flatMap((t) =>
    t.calls.map((c, i) => ({ call: c, thought: i === 0 ? t.thought : undefined })),
  );
  const steps: AgentStep[] = calls.map(({ call, thought }) => ({
    n: call.n,
    tool: call.tool,
    input: describeInput(call.input),
    ok: call.ok,
    result: clip(headline(call.result), 200),
    ...(call.screenshot ? { screenshot: call.screenshot } : {}),
    ...(call.problems?.length ? { problems: call.problems.map((p) => p.split(appOrigin).join('')) } : {}),
    ...(thought ? { thought: clip(thought, 400) } : {}),
  }));
  const observed = calls.flatMap(({ call }) =>
    call.observation && call.observation.kind !== 'none' ? [call.observation] : [],
  );
  return {
    ran: true,
    ...(run.stoppedBy !== 'report' && run.reason ? { reason: run.reason } : {}),
    ...(run.report ? { verdict: run.report.verdict, summary: run.report.summary } : {}),
    usage: {
      model: input.model,
      steps: run.turns.length,
      inputTokens: run.usage.inputTokens,
      outputTokens: run.usage.outputTokens,
      cacheReadTokens: run.usage.cacheReadTokens,
      cacheWriteTokens: run.usage.cacheWriteTokens,
      costUsd: estimateCost(input.model, run.usage),
    },
    ...(input.transcript ? { transcript: input.transcript } : {}),
    ...(input.reproduceSpec ? { reproduceSpec: input.reproduceSpec } : {}),
    ...(input.reproduceConfig ? { reproduceConfig: input.reproduceConfig } : {}),
    steps,
    ...(observed.length
      ? {
          observation: {
            steps: observed.length,
            sentChars: observed.reduce((sum, o) => sum + o.sentChars, 0),
            fullChars: observed.reduce((sum, o) => sum + o.fullChars, 0),
          },
        }
      : {}),
  };
}

/** The first line of a result; with the next one when the first only announces a list ("…:"). */
function headline(result: string): string {
  const [first = '', second] = result.split('\n');
  return first.endsWith(':') && second ? `${first} ${second}` : first;
}

function describeInput(input: unknown): string {
  if (!input || typeof input !== 'object') return '';
  const i = input as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of ['element', 'url', 'text', 'textGone', 'key', 'values', 'seconds', 'verdict']) {
    const v = i[key];
    if (v === undefined) continue;
    parts.push(key === 'element' || key === 'url' ? String(v) : `${key}: ${JSON.stringify(v)}`);
  }
  return clip(parts.join(', '), 200);
}

/** Where an agent finding can be checked on another app: the error it is about, and the step after which it appeared. */
export interface ReplayPoint {
  /** The finding's key. */
  findingKey: string;
  /** Key of the observed problem (a page error or a failed request) that the replay looks for. */
  problemKey: string;
  /** The replay does the recorded actions up to and including this call number. */
  upTo: number;
}

/**
 * For each agent finding, the first step after which the browser saw the problem it is about (its own
 * page error or failed request, or one quoted in an agent-reported finding's evidence). A finding with no
 * such observation cannot be replayed: the base run would have nothing to look for.
 */
export function replayPoints(
  findings: readonly Finding[],
  input: Omit<AgentFindingsInput, 'crawlFindings'>,
): ReplayPoint[] {
  const origins = [input.appOrigin];
  const events = [
    ...input.actions.map((a) => ({ n: a.n, problems: a.problems })),
    ...input.run.problems,
  ].sort((a, b) => a.n - b.n);
  const firstSeen = new Map<string, number>();
  for (const event of events) {
    const keys = [
      ...event.problems.pageErrors.map((m) => findingKeys.pageError(firstLine(m) || 'unknown error')),
      ...event.problems.failedRequests.map((r) => findingKeys.request(r.method, r.url, r.status, origins)),
    ];
    for (const key of keys) if (!firstSeen.has(key)) firstSeen.set(key, event.n);
  }
  const points: ReplayPoint[] = [];
  for (const f of findings) {
    if (f.source !== 'agent' || !f.key) continue;
    const quoted = f.evidence.flatMap((e) => {
      const m = /^Page error: (.*)$/s.exec(e);
      return m?.[1] ? [findingKeys.pageError(firstLine(m[1]))] : [];
    });
    const problemKey = [f.key, ...quoted].find((k) => firstSeen.has(k));
    if (problemKey) points.push({ findingKey: f.key, problemKey, upTo: firstSeen.get(problemKey) as number });
  }
  return points;
}
