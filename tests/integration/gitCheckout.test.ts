import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutLocal } from '../../src/git/localCheckout.js';

const cleanups: string[] = [];
afterEach(() => {
  for (const dir of cleanups.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args],
    {
      cwd,
      encoding: 'utf8',
    },
  ).trim();
}

function makeRepo(): { repo: string; home: string } {
  const home = mkdtempSync(path.join(os.tmpdir(), 'myfav-test-'));
  cleanups.push(home);
  const repo = path.join(home, 'user-repo');
  execFileSync('git', ['-c', 'init.defaultBranch=main', 'init', '-q', repo]);
  writeFileSync(path.join(repo, 'index.html'), '<h1>main</h1>');
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'first');
  git(repo, 'checkout', '-qb', 'feature/x');
  writeFileSync(path.join(repo, 'index.html'), '<h1>feature</h1>');
  writeFileSync(path.join(repo, 'new.html'), 'new');
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'Add the new page');
  git(repo, 'checkout', '-q', 'main');
  return { repo, home };
}

describe('checkoutLocal', () => {
  it('checks out the head commit into a worktree without touching the user repo', async () => {
    const { repo, home } = makeRepo();
    const statusBefore = git(repo, 'status', '--porcelain');
    const worktreesBefore = git(repo, 'worktree', 'list');
    const ctx = { reposDir: path.join(home, 'cache/repos'), worktreeDir: path.join(home, 'cache/wt/job1') };
    const checkout = await checkoutLocal({ repoPath: repo, headRef: 'feature/x' }, ctx);
    expect(checkout.headSha).toBe(git(repo, 'rev-parse', 'feature/x'));
    expect(checkout.baseRef).toBe('main');
    expect(checkout.baseSha).toBe(git(repo, 'rev-parse', 'main'));
    expect(checkout.changedFiles.sort()).toEqual(['index.html', 'new.html']);
    expect(checkout.commits.map((c) => c.subject)).toEqual(['Add the new page']);
    expect(checkout.cache).toBe('cloned');
    expect(readFileSync(path.join(checkout.worktree, 'index.html'), 'utf8')).toBe('<h1>feature</h1>');
    // The user's checkout is as it was: same branch, clean, no worktree registered there.
    expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(git(repo, 'status', '--porcelain')).toBe(statusBefore);
    expect(git(repo, 'worktree', 'list')).toBe(worktreesBefore);

    await checkout.remove();
    expect(existsSync(checkout.worktree)).toBe(false);
    expect(git(checkout.mirrorDir, 'worktree', 'list')).not.toContain('job1');

    // Second run: the mirror already has both commits, nothing is fetched.
    const second = await checkoutLocal(
      { repoPath: repo, headRef: 'feature/x' },
      { ...ctx, worktreeDir: path.join(home, 'cache/wt/job2') },
    );
    expect(second.cache).toBe('cached');
    await second.remove();

    // A new commit on the branch: fetched incrementally into the same mirror.
    git(repo, 'checkout', '-q', 'feature/x');
    writeFileSync(path.join(repo, 'more.html'), 'more');
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'More');
    git(repo, 'checkout', '-q', 'main');
    const third = await checkoutLocal(
      { repoPath: repo, headRef: 'feature/x' },
      { ...ctx, worktreeDir: path.join(home, 'cache/wt/job3') },
    );
    expect(third.cache).toBe('fetched');
    expect(third.headSha).toBe(git(repo, 'rev-parse', 'feature/x'));
    expect(existsSync(path.join(third.worktree, 'more.html'))).toBe(true);
    await third.remove();
  });

  it("compares with origin's default branch when there is no main or master", async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'myfav-test-'));
    cleanups.push(home);
    const upstream = path.join(home, 'upstream');
    execFileSync('git', ['-c', 'init.defaultBranch=trunk', 'init', '-q', upstream]);
    writeFileSync(path.join(upstream, 'index.html'), '<h1>trunk</h1>');
    git(upstream, 'add', '.');
    git(upstream, 'commit', '-qm', 'first');
    git(upstream, 'checkout', '-qb', 'feature/x');
    writeFileSync(path.join(upstream, 'new.html'), 'new');
    git(upstream, 'add', '.');
    git(upstream, 'commit', '-qm', 'Add the new page');
    git(upstream, 'checkout', '-q', 'trunk');
    const clone = path.join(home, 'clone');
    execFileSync('git', ['clone', '-q', upstream, clone]);

    const checkout = await checkoutLocal(
      { repoPath: clone, headRef: 'origin/feature/x' },
      { reposDir: path.join(home, 'cache/repos'), worktreeDir: path.join(home, 'cache/wt/job1') },
    );
    expect(checkout.baseRef).toBe('origin/trunk');
    expect(checkout.baseSha).toBe(git(clone, 'rev-parse', 'origin/trunk'));
    expect(checkout.changedFiles).toEqual(['new.html']);
    await checkout.remove();
  });

  it('refuses refs that look like options, and names unknown refs', async () => {
    const { repo, home } = makeRepo();
    const ctx = { reposDir: path.join(home, 'cache/repos'), worktreeDir: path.join(home, 'cache/wt/j') };
    await expect(
      checkoutLocal({ repoPath: repo, headRef: '--upload-pack=touch /tmp/pwned' }, ctx),
    ).rejects.toMatchObject({
      code: 'INVALID_REF',
    });
    await expect(checkoutLocal({ repoPath: repo, headRef: 'no-such-branch' }, ctx)).rejects.toMatchObject({
      code: 'UNKNOWN_REF',
      hint: expect.stringContaining('feature/x'),
    });
    await expect(checkoutLocal({ repoPath: home, headRef: 'main' }, ctx)).rejects.toMatchObject({
      code: 'NOT_A_GIT_REPO',
    });
    expect(existsSync(ctx.worktreeDir)).toBe(false);
  });

  it('runs concurrent checkouts of one repo safely', async () => {
    const { repo, home } = makeRepo();
    const reposDir = path.join(home, 'cache/repos');
    const results = await Promise.all(
      [1, 2, 3].map((n) =>
        checkoutLocal(
          { repoPath: repo, headRef: 'feature/x' },
          { reposDir, worktreeDir: path.join(home, `wt/${n}`) },
        ),
      ),
    );
    expect(new Set(results.map((r) => r.headSha)).size).toBe(1);
    for (const r of results) expect(existsSync(path.join(r.worktree, 'new.html'))).toBe(true);
    await Promise.all(results.map((r) => r.remove()));
  });
});
