import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoRepo } from '../../fixtures/buildDemoRepo.js';
import type { Report } from '../../src/report/model.js';
import { leftoversIn, reportFromJson, runCli, tempHome } from '../helpers/cli.js';
import { processesWithMarker } from '../helpers/processes.js';

// The demo as a user runs it: the real binary, real git, the demo's real server, real Chromium, real SQLite.
let work: string;
let repo: string;
const home = tempHome();

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'myfav-test-demo-'));
  repo = (await buildDemoRepo(path.join(work, 'demo'))).repoPath;
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  home.cleanup();
});

async function simulate(head: string): Promise<{ code: number | null; report: Report; stderr: string }> {
  const r = await runCli(['simulate', repo, '--head', head, '--base', 'main', '--json', '--no-agent'], {
    home: home.dir,
  });
  expect(r.stdout.trim().startsWith('{')).toBe(true);
  return { code: r.code, report: reportFromJson(r.stdout), stderr: r.stderr };
}

describe('simulate the demo repository', () => {
  it('passes main: the app works and nothing is broken', async () => {
    const { code, report, stderr } = await simulate('main');
    expect(report.error).toBeUndefined();
    expect(report).toMatchObject({ status: 'completed', verdict: 'pass' });
    expect(code).toBe(0);
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(report.pages.map((p) => p.path)).toEqual(expect.arrayContaining(['/', '/about.html']));
    // Progress went to stderr, phase by phase.
    for (const phase of ['checkout', 'detect', 'launch', 'crawl', 'teardown'])
      expect(stderr).toContain(phase);
    expect(processesWithMarker(report.id)).toEqual([]);
    expect(leftoversIn(home.dir)).toEqual([]);
  });

  it('fails feature/stats with each regression found for the right reason', async () => {
    const { code, report } = await simulate('feature/stats');
    expect(code).toBe(1);
    expect(report).toMatchObject({ status: 'completed', verdict: 'fail' });
    expect(report.target).toMatchObject({ headRef: 'feature/stats', baseRef: 'main' });
    expect(report.target?.headSha).toMatch(/^[0-9a-f]{40}$/);
    expect(report.target?.changedFiles).toContain('public/stats.js');

    const errors = report.findings.filter((f) => f.severity === 'error');
    const byKind = (kind: string) => errors.filter((f) => f.kind === kind);
    // The stats page throws on load, because /api/stats answers 500.
    expect(byKind('page-error')).toEqual([
      expect.objectContaining({ page: '/stats.html', title: expect.stringContaining('TypeError') }),
    ]);
    expect(byKind('failed-request')).toEqual([
      expect.objectContaining({ title: expect.stringMatching(/\/api\/stats.*500/) }),
    ]);
    // The server's own side of the 500, quoted from app.log.
    expect(byKind('failed-request')[0]?.evidence.join('\n')).toMatch(
      /Server log: GET \/api\/stats failed: TypeError/,
    );
    // The new nav link points at a page that does not exist.
    expect(errors.some((f) => /help\.html/.test(f.title) && /404/.test(f.title + f.detail))).toBe(true);
    expect(errors).toHaveLength(3);

    // Evidence a user can open.
    const dir = report.artifacts.dir;
    for (const file of ['report.json', 'report.md', 'report.html', 'trace.zip', 'app.log']) {
      expect(existsSync(path.join(dir, file)), file).toBe(true);
    }
    expect(readFileSync(path.join(dir, 'trace.zip')).subarray(0, 2).toString()).toBe('PK');
    for (const shot of report.artifacts.screenshots) expect(existsSync(path.join(dir, shot))).toBe(true);
    expect(processesWithMarker(report.id)).toEqual([]);
    expect(leftoversIn(home.dir)).toEqual([]);

    // The history knows it: `jobs` lists it, `show` prints its report.
    const jobs = await runCli(['jobs', '--json'], { home: home.dir });
    expect(JSON.parse(jobs.stdout)[0]).toMatchObject({ id: report.id, status: 'completed', verdict: 'fail' });
    const table = await runCli(['jobs'], { home: home.dir });
    expect(table.stdout).toContain(report.id);
    const shown = await runCli(['show', report.id.slice(0, 10)], { home: home.dir });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('/api/stats');
    expect(shown.stdout).toMatch(/fail/i);
    const shownJson = await runCli(['show', report.id, '--json'], { home: home.dir });
    expect(JSON.parse(shownJson.stdout)).toMatchObject({
      job_id: report.id,
      status: 'completed',
      verdict: 'fail',
      counts: { new: 3 },
    });
  });

  it('prints a readable summary on stdout without --json, no colour when piped', async () => {
    const r = await runCli(['simulate', repo, '--head', 'feature/stats', '--no-agent'], { home: home.dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL/);
    expect(r.stdout).toContain('/stats.html');
    expect(r.stdout).toContain('report.html');
    expect(r.stdout + r.stderr).not.toContain('\u001b[');
  });
});
