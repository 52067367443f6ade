// Apps commonly refuse to start without a `.env` ("Invalid environment variables"), and ship a
// `.env.example` to copy. When the app folder has the template and no `.env`, we copy it in the
// job's worktree (never the user's working copy) and say so in the report.

import { copyFile, lstat } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../paths.js';
import type { PlanNote } from './types.js';

export async function copyEnvTemplate(appDir: string, template: string): Promise<PlanNote | undefined> {
  const source = path.resolve(appDir, template);
  const target = path.join(appDir, '.env');
  if (!isInside(appDir, source) || (await kind(target)) !== 'missing') return undefined;
  // A symlink in the branch must not make us copy a file from outside the checkout.
  if ((await kind(source)) !== 'file') return undefined;
  await copyFile(source, target);
  return {
    severity: 'info',
    title: `Copied ${template} to .env`,
    detail: `The app has ${template} and no .env, so the template was copied to .env before installing (set "envFile" in the config to use another template, or pass values with --env / --env-file).`,
  };
}

async function kind(file: string): Promise<'missing' | 'file' | 'other'> {
  try {
    const st = await lstat(file);
    return st.isFile() ? 'file' : 'other';
  } catch {
    return 'missing';
  }
}
