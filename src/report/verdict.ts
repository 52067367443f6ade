// The verdict of a completed run and the one-paragraph summary every face shows first.

import { clip } from '../clip.js';
import { isNew } from './compare.js';
import {
  bySeverity,
  describeBase,
  describeComparison,
  describeCounts,
  describeHead,
  firstLine,
  plural,
} from './format.js';
import type { Finding, Report, TargetInfo, Verdict } from './model.js';

export interface VerdictOptions {
  /** Set when the run could not look at everything it meant to (entry page never loaded, budget ran out). */
  incompleteReason?: string;
}

/**
 * fail when anything broke (an error-severity finding), whatever else happened: a problem seen is
 * a problem even in an incomplete run. Otherwise inconclusive when the run was incomplete, since
 * "nothing found" then does not mean "nothing wrong". Otherwise pass.
 */
export function decideVerdict(findings: readonly Finding[], opts: VerdictOptions = {}): Verdict {
  // Against a base, only what the change introduced counts: pre-existing and fixed problems are listed.
  if (findings.some((f) => f.severity === 'error' && isNew(f))) return 'fail';
  if (opts.incompleteReason) return 'inconclusive';
  return 'pass';
}

/** What `summarize` needs: a Report, or the parts of one a job has while it finishes. */
export type SummaryInput = Pick<Report, 'status' | 'verdict' | 'target' | 'findings' | 'pages'> &
  Partial<Pick<Report, 'agent' | 'error' | 'incompleteReason' | 'comparison' | 'comparisonNote' | 'sandbox'>>;

/** Problems named in the summary by title before "and N more". */
const topProblems = 3;

/**
 * One paragraph of plain English (plain text: renderers escape it): what was tested, the verdict,
 * findings by severity with the top problems, and whether the AI exploration ran.
 */
export function summarize(input: SummaryInput): string {
  const text = summarizeRun(input);
  // Every report of a run whose code was not confined says so (the user opted out of the sandbox).
  if (input.sandbox?.kind !== 'none' || input.status === 'queued' || input.status === 'running') return text;
  return `${text} The branch's code ran without a sandbox (${input.sandbox.reason ?? 'sandbox disabled'}).`;
}

function summarizeRun(input: SummaryInput): string {
  const what = describeTarget(input.target);
  const visited = input.pages.length
    ? `visited ${plural(input.pages.length, 'page')}`
    : 'could not visit any page';

  switch (input.status) {
    case 'error': {
      const err = input.error;
      const failure = err
        ? `${firstLine(err.message).replace(/[.!]$/, '')} (${err.code}).`
        : 'the pipeline failed for an unknown reason.';
      const hint = err?.hint ? ` What to do: ${sentence(err.hint)}` : '';
      return `Could not finish testing ${what}: ${failure}${hint}`;
    }
    case 'cancelled':
      return `Testing ${what} was cancelled before it finished${input.pages.length ? ` (${visited} so far)` : ''}; there is no verdict.`;
    case 'interrupted':
      return `Testing ${what} was interrupted (myfav-coworker stopped while it ran); there is no verdict. Start it again.`;
    case 'queued':
      return `Testing ${what} is queued.`;
    case 'running':
      return `Testing ${what} is in progress (${visited} so far).`;
    case 'completed':
      break;
  }

  const parts: string[] = [];
  // Compared with a base, the change's own result leads: "2 new problems; 1 already on main."
  const changeResult = describeComparison({ ...input, comparison: input.comparison });
  if (changeResult) parts.push(changeResult);
  const comparedWith = input.comparison
    ? `, compared with ${input.comparison.baseRef ?? 'the base'} @ ${input.comparison.baseSha.slice(0, 7)}${input.comparison.cached ? ' (its run cached)' : ''}`
    : '';
  parts.push(`Tested ${what} and ${visited}${comparedWith}.`);
  const verdict = input.verdict ?? 'inconclusive';
  if (verdict === 'pass') parts.push('Verdict: pass.');
  else if (verdict === 'fail') parts.push('Verdict: fail.');
  else
    parts.push(
      `Verdict: inconclusive${input.incompleteReason ? ` (${firstLine(input.incompleteReason)})` : ''}.`,
    );
  if (!input.comparison && input.comparisonNote) parts.push(sentence(input.comparisonNote));

  // Named by title: the problems that decide (new ones) first.
  const problems = bySeverity(
    [...input.findings].sort((a, b) => Number(!isNew(a)) - Number(!isNew(b))),
  ).filter((f) => f.severity !== 'info' && f.origin !== 'fixed');
  if (input.findings.length === 0) {
    parts.push('No problems were found.');
  } else if (problems.length === 0) {
    parts.push(`Found ${describeCounts(input.findings)}.`);
  } else {
    const named = problems.slice(0, topProblems).map((f) => clip(firstLine(f.title), 100));
    const more = problems.length - named.length;
    const list = more > 0 ? `${named.join('; ')}; and ${more} more` : named.join('; ');
    parts.push(`Found ${describeCounts(input.findings)}: ${list}.`);
  }

  const agent = input.agent;
  if (!agent?.ran) {
    parts.push(
      agent?.reason
        ? `No AI exploration ran: ${lowerFirst(sentence(agent.reason))}`
        : 'No AI exploration ran.',
    );
  } else {
    const steps = agent.usage ? ` (${plural(agent.usage.steps, 'step')})` : '';
    const stopped = agent.reason ? `, stopped early: ${lowerFirst(firstLine(agent.reason))}` : '';
    const own = agent.verdict ? `; the agent's own verdict was ${agent.verdict}` : '';
    parts.push(`An AI agent also explored the app${steps}${stopped}${own}.`);
  }
  return parts.join(' ');
}

/** "PR #42 “Add stats” (feature/x @ a1b2c3d, base main @ 9f8e7d6) in github.com/acme/web". */
function describeTarget(target: TargetInfo | null): string {
  if (!target) return 'the target';
  const base = describeBase(target);
  const refs = `${describeHead(target)}${base ? `, base ${base}` : ''}`;
  if (target.pr) {
    // A closed or merged PR is simulated all the same, but the reader must know it is not live.
    const state = target.pr.state === 'open' ? '' : `, ${target.pr.state}`;
    return `PR #${target.pr.number} “${clip(firstLine(target.pr.title), 80)}” (${refs}${state}) in ${target.repo}`;
  }
  return `${refs} in ${target.repo}`;
}

/** A message as a sentence: one line, ending in a full stop. */
function sentence(text: string): string {
  const line = firstLine(text);
  return /[.!?]$/.test(line) ? line : `${line}.`;
}

function lowerFirst(text: string): string {
  // Keep acronyms and names ("ANTHROPIC_API_KEY is not set") as they are.
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}
