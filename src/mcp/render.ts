// What the tools say about a job, as text for a model: our own framing (status, verdict, counts,
// durations, file paths) in the open, everything that came from the PR or the app inside one
// untrusted block (see untrusted.ts).

import path from 'node:path';
import type { ProgressEvent } from '../jobs/progress.js';
import type { JobRecord } from '../jobs/store.js';
import {
  bySeverity,
  describeBase,
  describeCounts,
  describeHead,
  formatDuration,
  formatUsd,
  outcomeLabel,
  outcomeOf,
  plural,
} from '../report/format.js';
import type { Report } from '../report/model.js';
import { MAX_WAIT_SECONDS } from './identity.js';
import type { KeyScreenshot } from './images.js';
import { UNTRUSTED_PREAMBLE, untrustedBlock } from './untrusted.js';

export const reportUri = (id: string): string => `myfav-coworker://jobs/${id}/report.md`;

/** Findings shown in a tool result; the rest are counted and left to report.md. */
const MAX_FINDINGS = 10;

export const followUp = (id: string): string =>
  `Call get_simulation with job_id "${id}" (and wait_seconds up to ${MAX_WAIT_SECONDS}) to follow it; a run usually takes 1–5 minutes.`;

/** A queued or running job: where it is, and what to call next. */
export function renderInProgress(
  job: JobRecord,
  info: { position: number | null; last?: ProgressEvent | undefined },
): string {
  const lines: string[] = [];
  if (job.status === 'queued') {
    const where =
      info.position === null
        ? 'queued in another myfav-coworker server process'
        : info.position <= 1
          ? 'queued, next to start'
          : `queued, ${plural(info.position - 1, 'job')} ahead of it`;
    lines.push(`Simulation job ${job.id} is ${where} (waiting ${elapsed(job.createdAt)}).`);
  } else {
    lines.push(
      `Simulation job ${job.id} is running: phase ${job.phase ?? 'checkout'}, ${elapsed(job.startedAt ?? job.createdAt)} elapsed.`,
    );
  }
  lines.push(`Target: ${job.targetInput}`);
  if (info.last && job.status === 'running') {
    const block = untrustedBlock('progress');
    block.line(`Latest step: ${info.last.message}`, 300);
    lines.push('', UNTRUSTED_PREAMBLE, block.toString(), '');
  }
  lines.push(followUp(job.id));
  return lines.join('\n');
}

/** A finished job: verdict, summary, findings, screenshots attached, and where the full artifacts are. */
export function renderFinished(job: JobRecord, report: Report | undefined, shots: KeyScreenshot[]): string {
  const lines: string[] = [];
  const outcome = report
    ? outcomeOf(report)
    : job.status === 'completed'
      ? (job.verdict ?? 'inconclusive')
      : job.status;
  const took =
    job.startedAt && job.finishedAt
      ? ` after ${formatDuration(Date.parse(job.finishedAt) - Date.parse(job.startedAt))}`
      : '';
  lines.push(`Simulation job ${job.id} finished${took}: ${outcomeLabel[outcome]}.`);
  lines.push(`Target: ${job.targetInput}`);
  lines.push(meaning(outcome));
  if (report) {
    lines.push(
      `Pages visited: ${report.pages.length}. Findings: ${describeCounts(report.findings)}.` +
        (report.agent?.usage
          ? ` AI exploration: ${plural(report.agent.usage.steps, 'step')}, ${formatUsd(report.agent.usage.costUsd)}.`
          : ''),
    );
  }

  const block = untrustedBlock('pull request and app under test');
  const target = report?.target;
  if (target) {
    const base = describeBase(target);
    block.line(`Head: ${describeHead(target)}${base ? `, base ${base}` : ''}`, 300);
    if (target.pr) block.line(`PR #${target.pr.number}: ${target.pr.title}`, 300);
  } else if (job.headRef) {
    block.line(`Head: ${job.headRef}${job.headSha ? ` @ ${job.headSha.slice(0, 7)}` : ''}`, 300);
  }
  if (report?.summary) block.line(`Summary: ${report.summary}`, 1500);
  const error = report?.error ?? job.error;
  if (error && outcome !== 'pass' && outcome !== 'fail' && outcome !== 'inconclusive') {
    block.line(`What happened: ${error.message}`, 1500);
    if (error.hint) block.line(`What to do: ${error.hint}`, 500);
  }
  if (report && report.findings.length > 0) {
    block.line('Findings, most severe first:');
    const sorted = bySeverity(report.findings);
    sorted.slice(0, MAX_FINDINGS).forEach((f, i) => {
      block.line(`${i + 1}. [${f.severity}] ${f.title}${f.page ? ` (page ${f.page})` : ''}`, 300);
      if (f.detail && f.detail !== f.title) block.line(`   ${f.detail}`, 600);
      if (f.steps?.length)
        block.line(`   Steps to reproduce: ${f.steps.map((s, n) => `${n + 1}) ${s}`).join(' ')}`, 600);
      if (f.evidence.length) block.line(`   Evidence: ${f.evidence.slice(0, 4).join(' · ')}`, 400);
    });
    if (sorted.length > MAX_FINDINGS)
      block.line(`…and ${sorted.length - MAX_FINDINGS} more findings in report.md.`);
  }
  if (report?.agent?.ran && report.agent.summary)
    block.line(`The AI agent's summary: ${report.agent.summary}`, 1000);
  else if (report?.agent && !report.agent.ran && report.agent.reason)
    block.line(`AI exploration did not run: ${report.agent.reason}`, 300);
  const text = block.toString();
  if (text) lines.push('', UNTRUSTED_PREAMBLE, text);

  if (shots.length > 0) {
    lines.push(
      '',
      `Screenshots attached below (downscaled), in order: ${shots
        .map((s) => `${s.page ?? s.relPath} (${s.relPath})`)
        .join('; ')}.`,
    );
  }
  lines.push('', ...artifactLines(job, report));
  return lines.join('\n');
}

function artifactLines(job: JobRecord, report: Report | undefined): string[] {
  if (!report) return [`Files of this job (on the user's machine): ${job.artifactDir}`];
  const a = report.artifacts;
  const lines = ["Files on the user's machine:"];
  lines.push(
    `- Report: ${a.reportMd} (also ${path.basename(a.reportHtml)} and ${path.basename(a.reportJson)} there)`,
  );
  if (a.screenshots.length) lines.push(`- Screenshots: ${path.join(a.dir, 'screenshots')}`);
  if (a.trace)
    lines.push(`- Playwright trace: ${a.trace} (open with: npx playwright show-trace "${a.trace}")`);
  if (a.appLog) lines.push(`- App log: ${a.appLog}`);
  if (a.installLog) lines.push(`- Install log: ${a.installLog}`);
  lines.push(`The Markdown report is also the MCP resource ${reportUri(job.id)}.`);
  return lines;
}

function meaning(outcome: ReturnType<typeof outcomeOf>): string {
  switch (outcome) {
    case 'pass':
      return 'Verdict: pass — the app started and nothing broke on the pages that were tried.';
    case 'fail':
      return 'Verdict: fail — something broke; the findings say what and how to reproduce it.';
    case 'inconclusive':
      return 'Verdict: inconclusive — the run could not look at everything it meant to, so "nothing found" does not mean "nothing wrong".';
    case 'error':
      return 'No verdict: the simulation could not run to the end (see what happened and what to do).';
    case 'cancelled':
      return 'No verdict: the simulation was cancelled; nothing was left running.';
    case 'interrupted':
      return 'No verdict: the process running the simulation stopped unexpectedly; its leftovers were cleaned up. Start it again.';
    default:
      return '';
  }
}

function elapsed(since: string): string {
  return formatDuration(Math.max(0, Date.now() - Date.parse(since)));
}

/** One line per job for list_simulations: only our own fields and the user's target input. */
export function renderJobLine(job: JobRecord): string {
  const outcome = job.status === 'completed' ? `${job.status}, ${job.verdict ?? 'inconclusive'}` : job.status;
  const phase = job.status === 'running' && job.phase ? `, ${job.phase}` : '';
  const head = job.headSha ? ` @ ${job.headSha.slice(0, 7)}` : '';
  const took =
    job.startedAt && job.finishedAt
      ? `, took ${formatDuration(Date.parse(job.finishedAt) - Date.parse(job.startedAt))}`
      : '';
  return `- ${job.id} — ${outcome}${phase} — ${job.targetInput}${head} — created ${job.createdAt.replace('T', ' ').slice(0, 19)} UTC${took}`;
}
