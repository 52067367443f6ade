import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CoworkerError } from '../../src/errors.js';
import { githubEndpoints, normalizeHost } from '../../src/github/endpoints.js';
import { parseTarget, prUrl } from '../../src/github/targetParse.js';

const env = {}; // no GH_HOST: the default host is github.com
const pr = (host: string, owner: string, repo: string, number: number) => ({
  kind: 'github',
  host,
  owner,
  repo,
  number,
});

function rejection(input: string, refs = {}): CoworkerError {
  try {
    parseTarget(input, refs, { env });
  } catch (err) {
    expect(err).toBeInstanceOf(CoworkerError);
    return err as CoworkerError;
  }
  throw new Error(`${input} was accepted`);
}

describe('parseTarget: pull requests', () => {
  it.each([
    ['https://github.com/acme/app/pull/12', pr('github.com', 'acme', 'app', 12)],
    ['https://github.com/acme/app/pull/12/', pr('github.com', 'acme', 'app', 12)],
    ['https://github.com/acme/app/pull/12/files', pr('github.com', 'acme', 'app', 12)],
    ['https://github.com/acme/app/pull/12/commits', pr('github.com', 'acme', 'app', 12)],
    ['https://github.com/acme/app/pull/12/commits/0a1b2c3d', pr('github.com', 'acme', 'app', 12)],
    ['https://github.com/acme/app/pull/12/checks?check_run_id=1', pr('github.com', 'acme', 'app', 12)],
    ['https://github.com/acme/app/pull/12#discussion_r123', pr('github.com', 'acme', 'app', 12)],
    ['https://github.com/acme/app/pull/12/files?diff=split#diff-abc', pr('github.com', 'acme', 'app', 12)],
    ['https://www.github.com/Acme/my.app_1/pull/7', pr('github.com', 'Acme', 'my.app_1', 7)],
    ['https://GHE.Example.com/team/web/pull/3', pr('ghe.example.com', 'team', 'web', 3)],
    ['https://ghe.example.com:8443/team/web/pull/3', pr('ghe.example.com:8443', 'team', 'web', 3)],
    ['  https://github.com/acme/app/pull/12  ', pr('github.com', 'acme', 'app', 12)],
    ['github.com/acme/app/pull/12', pr('github.com', 'acme', 'app', 12)],
    ['acme/app#12', pr('github.com', 'acme', 'app', 12)],
    ['ghe.example.com/team/web#3', pr('ghe.example.com', 'team', 'web', 3)],
  ])('%s', (input, expected) => {
    expect(parseTarget(input, {}, { env })).toEqual(expected);
  });

  it('takes the host of OWNER/REPO#N from GH_HOST', () => {
    expect(parseTarget('team/web#3', {}, { env: { GH_HOST: 'ghe.example.com' } })).toEqual(
      pr('ghe.example.com', 'team', 'web', 3),
    );
  });

  it('gives the canonical URL back', () => {
    expect(prUrl(pr('github.com', 'acme', 'app', 12) as never)).toBe('https://github.com/acme/app/pull/12');
  });
});

describe('parseTarget: rejected before any network call, with an example', () => {
  it.each([
    ['https://github.com/acme/app/pulls', /lists pull requests/],
    ['https://github.com/acme/app/pull/abc', /not a pull request number/],
    ['https://github.com/acme/app/pull/0', /not a pull request number/],
    ['https://github.com/acme/app/pull/99999999999', /not a pull request number/],
    ['https://github.com/acme/app/issues/12', /not a pull request URL/],
    ['https://github.com/acme/app', /not a pull request URL/],
    ['https://github.com/acme/app/pull/12/evil/../x', /not understood/],
    ['https://github.com/-acme/app/pull/1', /owner/],
    ['https://github.com/acme/../pull/1', /not a pull request URL|repository/],
    ['https://user:pw@github.com/acme/app/pull/1', /credentials/],
    ['ftp://github.com/acme/app/pull/1', /https/],
    ['https://gitlab.com/acme/app/-/merge_requests/1', /GitLab is not supported/],
    ['https://bitbucket.org/acme/app/pull-requests/1', /Bitbucket is not supported/],
    ['acme/app#', /neither a pull request nor a folder/],
    ['acme#12', /neither a pull request nor a folder/],
    ['acme/app/12', /neither a pull request nor a folder/],
    ['localhost/acme/app#1', /not a host name/],
    ['just-some-words', /neither a pull request nor a folder/],
    ['', /No target/],
  ])('%s', (input, why) => {
    const err = rejection(input);
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toMatch(why);
    expect(err.hint).toMatch(/github\.com\/OWNER\/REPO\/pull\/123|OWNER\/REPO#123/);
  });

  it('refuses --head/--base with a pull request', () => {
    const err = rejection('acme/app#1', { head: 'feature/x' });
    expect(err.message).toMatch(/--head and --base apply to local repositories/);
  });
});

describe('parseTarget: local paths', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'myfav-parse-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('treats an existing folder as a local repository, even one named like a PR', () => {
    const odd = path.join(dir, 'acme', 'app#3');
    mkdirSync(odd, { recursive: true });
    // Relative to a cwd where it does not exist: a PR.
    expect(parseTarget('acme/app#3', {}, { env }).kind).toBe('github');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(parseTarget('acme/app#3', { head: 'feature/x', base: 'main' }, { env })).toEqual({
        kind: 'local',
        repoPath: odd,
        headRef: 'feature/x',
        baseRef: 'main',
      });
    } finally {
      process.chdir(cwd);
    }
  });

  it('accepts ./ and absolute paths that do not exist yet (checkout reports them)', () => {
    expect(parseTarget('./nope', {}, { env })).toMatchObject({
      kind: 'local',
      repoPath: path.resolve('nope'),
    });
    expect(parseTarget('/nope/x', {}, { env })).toMatchObject({ kind: 'local', repoPath: '/nope/x' });
  });
});

describe('endpoints', () => {
  it('knows github.com, ghe.com and Enterprise Server, and the override', () => {
    expect(githubEndpoints('github.com', {})).toMatchObject({
      apiUrl: 'https://api.github.com',
      oauthUrl: 'https://github.com',
    });
    expect(githubEndpoints('acme.ghe.com', {})).toMatchObject({
      apiUrl: 'https://api.acme.ghe.com',
      oauthUrl: 'https://acme.ghe.com',
    });
    expect(githubEndpoints('ghe.example.com', {})).toMatchObject({
      apiUrl: 'https://ghe.example.com/api/v3',
      oauthUrl: 'https://ghe.example.com',
      gitOrigins: ['https://ghe.example.com'],
    });
    const local = githubEndpoints('github.com', { MYFAV_GITHUB_API_URL: 'http://127.0.0.1:9/api/v3/' });
    expect(local).toMatchObject({ apiUrl: 'http://127.0.0.1:9/api/v3', oauthUrl: 'http://127.0.0.1:9' });
    expect(local.gitOrigins).toContain('http://127.0.0.1:9');
    expect(
      githubEndpoints('github.com', {
        MYFAV_GITHUB_API_URL: 'http://127.0.0.1:9/api/v3',
        MYFAV_GITHUB_OAUTH_URL: 'http://127.0.0.1:10',
      }).oauthUrl,
    ).toBe('http://127.0.0.1:10');
    expect(() => githubEndpoints('github.com', { MYFAV_GITHUB_API_URL: 'file:///etc' })).toThrow(
      /MYFAV_GITHUB_API_URL/,
    );
  });

  it('normalizes host names', () => {
    expect(normalizeHost('https://GitHub.com/')).toBe('github.com');
    expect(normalizeHost('api.github.com')).toBe('github.com');
    expect(normalizeHost('ghe.example.com:8443')).toBe('ghe.example.com:8443');
    expect(normalizeHost('bad host')).toBeUndefined();
    expect(normalizeHost('ghe.example.com/path')).toBeUndefined();
  });
});
