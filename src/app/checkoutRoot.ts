import path from 'node:path';
import type { AppPlan } from './types.js';

/** The checkout (worktree) an app plan belongs to: its dir minus its repo-relative dir. */
export function checkoutDirOf(plan: Pick<AppPlan, 'dir' | 'relDir'>): string {
  const depth = plan.relDir === '' ? 0 : plan.relDir.split('/').length;
  return path.resolve(plan.dir, ...Array<string>(depth).fill('..'));
}
