// Accessibility against the base, as a user runs it: the real binary, real git, real Chromium. The head's
// `.myfav-coworker.json` says `"accessibility": "error"`, so a violation the change introduces fails it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leftoversIn, reportFromJson, runCli, tempHome } from '../helpers/cli.js';
import type { GitRepo } from '../helpers/gitRepo.js';
import { createPageCompareRepo } from '../helpers/pageCompareApp.js';
import { processesWithMarker } from '../helpers/processes.js';

const home = tempHome();
let repo: GitRepo;

beforeAll(async () => {
  repo = await createPageCompareRepo({ headConfig: { accessibility: 'error' } });
});
afterAll(async () => {
  await repo?.cleanup();
  home.cleanup();
});

describe('simulate compares accessibility with the base', () => {
  it('fails for a violation new on head, lists the one on both, and reports the one head fixed', async () => {
    const r = await runCli(
      ['simulate', repo.path, '--head', 'feature/look', '--base', 'main', '--json', '--no-agent'],
      { home: home.dir, timeoutMs: 240_000 },
    );
    const report = reportFromJson(r.stdout);
    expect(report.error).toBeUndefined();
    expect(report).toMatchObject({ status: 'completed', verdict: 'fail' });
    expect(r.code).toBe(1);

    const a11y = report.findings.filter((f) => f.kind === 'accessibility');
    expect(a11y.map((f) => [f.key, f.origin, f.severity]).sort()).toEqual([
      ['a11y|/a11y.html|button-name', 'fixed', 'error'],
      ['a11y|/a11y.html|html-has-lang', 'pre-existing', 'error'],
      ['a11y|/a11y.html|image-alt', 'new', 'error'],
    ]);
    const imageAlt = a11y.find((f) => f.key?.endsWith('image-alt'));
    expect(imageAlt?.title).toContain('image-alt');
    expect(imageAlt?.evidence).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^image-alt \(critical\): https:\/\/dequeuniversity\.com\//),
        'img',
      ]),
    );
    // Only the new one decides: the verdict is the change's, and the summary says so.
    expect(report.findings.filter((f) => f.origin === 'new' && f.severity === 'error')).toEqual([imageAlt]);
    expect(report.summary).toContain('1 fixed by this change');

    expect(processesWithMarker(report.id)).toEqual([]);
    expect(leftoversIn(home.dir)).toEqual([]);
  }, 300_000);
});
