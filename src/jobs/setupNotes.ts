// What the set-up decided that the user should see beside the findings: the package manager that ran,
// a copied .env, other apps the change touches, where the app was found, and the changed files that
// lead to no page. Notes are report lines; a warning among them (no lockfile) is also a finding of
// severity warning, so the terminal summary shows it. None of them decides the verdict.

import type { AppPlan } from '../app/types.js';
import type { Finding } from '../report/model.js';

/** Changed files named one by one before "and N more". */
const maxListed = 10;

export function setupNotes(plan: AppPlan): { notes: string[]; findings: Finding[] } {
  const notes = plan.notes.map((n) => `${n.title}. ${n.detail}`);
  const unrouted = plan.diffRoutes?.unrouted ?? [];
  for (const u of unrouted.slice(0, maxListed)) notes.push(`changed: ${u.file} — ${u.why}; try --route`);
  if (unrouted.length > maxListed)
    notes.push(`… and ${unrouted.length - maxListed} more changed files that lead to no page we could open`);
  const findings: Finding[] = plan.notes
    .filter((n) => n.severity === 'warning')
    .map((n) => ({
      severity: 'warning',
      kind: 'note',
      title: n.title,
      detail: n.detail,
      evidence: [],
      source: 'crawl',
    }));
  return { notes, findings };
}
