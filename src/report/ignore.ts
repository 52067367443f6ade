// The config's `ignore` rules: known noise (a hosting-only script, a font CDN that is offline here,
// a console message a dependency always logs) is left out of the verdict, with its reason, and the
// report says how much was left out ("Ignored (3)") so nothing disappears silently.

import type { IgnoreRule } from '../config/schema.js';
import type { Finding } from './model.js';

export interface IgnoreOutcome {
  kept: Finding[];
  ignored: Array<{ finding: Finding; rule: IgnoreRule }>;
}

export function applyIgnoreRules(findings: Finding[], rules: IgnoreRule[]): IgnoreOutcome {
  const outcome: IgnoreOutcome = { kept: [], ignored: [] };
  const compiled = rules.map((rule) => ({ rule, matches: matcher(rule) }));
  for (const finding of findings) {
    const hit = finding.kind === 'note' ? undefined : compiled.find((c) => c.matches(finding));
    if (hit) outcome.ignored.push({ finding, rule: hit.rule });
    else outcome.kept.push(finding);
  }
  return outcome;
}

/** The report's note for what was left out ("Ignored (3) …"), or undefined when nothing was. */
export function ignoredNote(ignored: IgnoreOutcome['ignored']): string | undefined {
  if (ignored.length === 0) return undefined;
  const byRule = new Map<IgnoreRule, Finding[]>();
  for (const { finding, rule } of ignored) byRule.set(rule, [...(byRule.get(rule) ?? []), finding]);
  const parts = [...byRule.entries()].map(
    ([rule, found]) =>
      `${describeRule(rule)} (${rule.reason}): ${found.map((f) => `${f.severity} "${f.title}"`).join(', ')}`,
  );
  return `Ignored (${ignored.length}) by the config's "ignore" rules — ${parts.join('; ')}`;
}

export function describeRule(rule: IgnoreRule): string {
  return [
    rule.kind ? `kind ${rule.kind}` : '',
    rule.url ? `url ${rule.url}` : '',
    rule.console ? `console ${JSON.stringify(rule.console)}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

function matcher(rule: IgnoreRule): (finding: Finding) => boolean {
  const url = rule.url !== undefined ? globPattern(rule.url) : undefined;
  const text = rule.console !== undefined ? textPattern(rule.console) : undefined;
  return (finding) => {
    if (rule.kind !== undefined && finding.kind !== rule.kind) return false;
    if (url && !urlsOf(finding).some((u) => url.test(u))) return false;
    if (text) {
      if (finding.kind !== 'console-error' && finding.kind !== 'page-error' && finding.kind !== 'agent')
        return false;
      if (![finding.title, finding.detail, ...finding.evidence].some((t) => text.test(t))) return false;
    }
    return true;
  };
}

/** `*` matches anything (slashes too); the rest is literal; the whole URL (or path) must match. */
function globPattern(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

/** `/regex/flags`, or else a case-insensitive piece of text. */
function textPattern(source: string): RegExp {
  const re = /^\/(.+)\/([dgimsuy]*)$/.exec(source);
  if (re) {
    try {
      return new RegExp(re[1] ?? '', (re[2] ?? '').replace('g', ''));
    } catch {
      // not a valid regex: taken as text
    }
  }
  return new RegExp(source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
}

/** Every URL a finding names (evidence keeps absolute ones), and their paths, and the page. */
function urlsOf(finding: Finding): string[] {
  const found = new Set<string>();
  if (finding.page) found.add(finding.page);
  for (const text of [finding.title, finding.detail, ...finding.evidence]) {
    for (const m of text.matchAll(/https?:\/\/[^\s)'"<>]+/g)) {
      found.add(m[0]);
      try {
        const u = new URL(m[0]);
        found.add(`${u.pathname}${u.search}`);
      } catch {
        // not a URL after all
      }
    }
    for (const m of text.matchAll(/(?:^|\s)(\/[^\s)'"<>,]*)/g)) if (m[1]) found.add(m[1]);
  }
  return [...found];
}
