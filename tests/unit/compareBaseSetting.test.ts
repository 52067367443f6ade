// Whether a job runs the base commit too: one resolved configuration decides it, the same one that
// prepares the head's app — the branch's .myfav-coworker.json, the user config's entry for the
// repository, a --config file and the flag, in that order of precedence.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settingsForJob } from '../../src/config/jobSettings.js';
import type { SettingOverrides } from '../../src/config/schema.js';
import { userConfigPath } from '../../src/config/userConfig.js';
import { comparePlan } from '../../src/jobs/runJob.js';
import type { TargetInfo } from '../../src/report/model.js';

let dir: string;
let worktree: string;
let configDir: string;
const target = { baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40), baseRef: 'main' } as TargetInfo;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'myfav-test-compare-setting-'));
  worktree = path.join(dir, 'repo');
  configDir = path.join(dir, 'config');
  await mkdir(worktree, { recursive: true });
  await mkdir(configDir, { recursive: true });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function plan(overrides: SettingOverrides = {}) {
  const head = await settingsForJob({ worktree, repo: worktree, configDir, overrides });
  return comparePlan(target, head);
}

describe('"compareBase"', () => {
  it('compares by default', async () => {
    expect(await plan()).toMatchObject({ enabled: true, baseLabel: 'main @ aaaaaaaa' });
  });

  it('is read from a --config file, and the note names it', async () => {
    const file = path.join(dir, 'ci.json');
    await writeFile(file, JSON.stringify({ compareBase: false }));
    const result = await plan({ configFile: file });
    expect(result).toEqual({
      enabled: false,
      note: `Not compared with the base commit ("compareBase": false in --config ${file}): every finding counts.`,
    });
  });

  it("is read from the user config's entry for the repository", async () => {
    await writeFile(
      userConfigPath(configDir),
      JSON.stringify({ repos: { [worktree]: { compareBase: false } } }),
    );
    const result = await plan();
    expect(result.enabled).toBe(false);
    expect(!result.enabled && result.note).toMatch(
      /"compareBase": false in repos\[".*"\] in the user config/,
    );
  });

  it('from the branch, unless a later layer turns it back on', async () => {
    await writeFile(path.join(worktree, '.myfav-coworker.json'), JSON.stringify({ compareBase: false }));
    const off = await plan();
    expect(!off.enabled && off.note).toMatch(/"compareBase": false in \.myfav-coworker\.json in the branch/);
    const file = path.join(dir, 'ci.json');
    await writeFile(file, JSON.stringify({ compareBase: true }));
    expect((await plan({ configFile: file })).enabled).toBe(true);
  });

  it('--no-compare-base wins over every file', async () => {
    const file = path.join(dir, 'ci.json');
    await writeFile(file, JSON.stringify({ compareBase: true }));
    const result = await plan({ configFile: file, compareBase: false });
    expect(!result.enabled && result.note).toMatch(/\(--no-compare-base\)/);
  });
});
