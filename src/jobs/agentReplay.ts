// An agent finding on the head is replayed on the base commit's app, without the model: the same recorded
// steps (each by its tool's own definition, src/browser/replay.ts), in a tab of the base's browser context.
// When the problem the finding is about comes back there, it was already on the base: pre-existing. When
// the steps cannot even be done on the base (the feature is new), or the problem does not come back, it
// stays the change's. No extra model tokens are spent.

import type { ReplayPoint } from '../agent/results.js';
import { type ReplayInputStep, replayRecordedSteps } from '../browser/replay.js';
import type { BrowserSession } from '../browser/session.js';
import { clip } from '../clip.js';
import { throwIfCancelled } from '../errors.js';
import { isNew } from '../report/compare.js';
import { firstLine } from '../report/format.js';
import { findingKeys } from '../report/identity.js';
import type { Finding, ReplayResult } from '../report/model.js';

export interface AgentReplayInput {
  findings: Finding[];
  actions: readonly ReplayInputStep[];
  points: readonly ReplayPoint[];
  /** The base's browser context, and the base app's entry URL. */
  baseSession: BrowserSession;
  baseUrl: string;
  signal: AbortSignal;
  progress(message: string): void;
}

/** Which new agent findings a replay can decide (the rest stay the change's). */
export function replayable(findings: readonly Finding[], points: readonly ReplayPoint[]): ReplayPoint[] {
  return points.filter((p) =>
    findings.some((f) => f.key === p.findingKey && isNew(f) && f.source === 'agent'),
  );
}

export async function replayAgentFindings(
  input: AgentReplayInput,
): Promise<{ findings: Finding[]; replays: ReplayResult[] }> {
  const replays: ReplayResult[] = [];
  const decided = new Map<string, { reproduced: boolean; detail: string }>();
  const origin = new URL(input.baseUrl).origin;
  for (const point of replayable(input.findings, input.points)) {
    throwIfCancelled(input.signal);
    const finding = input.findings.find((f) => f.key === point.findingKey) as Finding;
    const steps = input.actions.filter((a) => a.n <= point.upTo);
    input.progress(
      `replaying the agent's ${steps.length} step(s) for "${clip(finding.title, 60)}" on the base`,
    );
    const page = await input.baseSession.newPage();
    try {
      const result = await replayRecordedSteps(page, steps, {
        signal: input.signal,
        baseUrl: input.baseUrl,
        isAllowedUrl: (url) => input.baseSession.isAllowedUrl(url),
      });
      const seen = new Set([
        ...result.pageErrors.map((m) => findingKeys.pageError(firstLine(m) || 'unknown error')),
        ...result.failedRequests.map((r) => findingKeys.request(r.method, r.url, r.status, [origin])),
      ]);
      const stuck = result.steps.find((s) => !s.ok);
      const reproduced = seen.has(point.problemKey);
      const detail = reproduced
        ? `The agent's steps, replayed on the base without the model, end in the same problem: it was already there.`
        : stuck
          ? `The agent's steps cannot be done on the base (step ${stuck.n}, ${stuck.tool}: ${clip(firstLine(stuck.error ?? 'failed'), 160)}): what it found is new with this change.`
          : `The agent's steps, replayed on the base without the model, do not end in this problem: it is new with this change.`;
      decided.set(point.findingKey, { reproduced, detail });
      replays.push({ finding: finding.title, reproducedOnBase: reproduced, detail });
    } finally {
      await page.close().catch(() => {});
    }
  }
  const findings = input.findings.map((f): Finding => {
    const outcome = f.key ? decided.get(f.key) : undefined;
    if (!outcome) return f;
    return {
      ...f,
      ...(outcome.reproduced ? { origin: 'pre-existing' as const } : {}),
      evidence: [...f.evidence, `Replayed on the base: ${outcome.detail}`],
    };
  });
  return { findings, replays };
}
