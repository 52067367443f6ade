// Writes report.json, report.md and report.html into the job's artifact dir. Each file is written
// to a temporary name in the same dir and renamed over the final one, so a reader (`show`, the MCP
// resource, a browser reloading report.html) sees the old file or the new one, never half of one.

import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { redactSecrets } from '../redact.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import type { Report } from './model.js';

export async function writeReportFiles(report: Report): Promise<void> {
  const dir = report.artifacts.dir;
  // Render everything first: a rendering bug then leaves no partial set of new files behind.
  const files: Array<[string, string]> = [
    [
      target(dir, report.artifacts.reportJson, 'report.json'),
      `${redactSecrets(JSON.stringify(report, null, 2))}\n`,
    ],
    [target(dir, report.artifacts.reportMd, 'report.md'), renderMarkdown(report)],
    [target(dir, report.artifacts.reportHtml, 'report.html'), renderHtml(report)],
  ];
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const [file, content] of files) await writeAtomically(file, content);
}

/** The configured path of a report file (absolute, or relative to the artifact dir), else the default name. */
function target(dir: string, configured: string, fallback: string): string {
  return path.resolve(dir, configured.trim() === '' ? fallback : configured);
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, content, { encoding: 'utf8', flush: true });
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
