// Who decides that a PR's code runs, and where a token goes: the real Octokit against the fake GitHub,
// the user config in a temp home, and the fake's request log as the witness of what was sent.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeps } from '../../src/deps.js';
import type { GithubTarget } from '../../src/github/targetParse.js';
import { resolvePullRequest } from '../../src/jobs/githubTarget.js';
import { silentLogger } from '../../src/log.js';
import { resolvePaths } from '../../src/paths.js';
import { addTrusted, loadTrustLists, parseTrustEntry, removeTrusted } from '../../src/trust/lists.js';
import { fakeToken, type GithubDemo, startGithubDemo } from '../fakes/githubDemo.js';

let demo: GithubDemo;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'myfav-trust-'));
  demo = await startGithubDemo();
}, 60_000);

afterAll(async () => {
  await demo?.close();
  rmSync(work, { recursive: true, force: true });
});

const pr = (target: string, host = 'github.com'): GithubTarget => {
  const [repo = '', number = ''] = target.split('#');
  const [owner = '', name = ''] = repo.split('/');
  return { kind: 'github', host, owner, repo: name, number: Number(number) };
};

function user(env: NodeJS.ProcessEnv = {}, config?: object) {
  const home = mkdtempSync(path.join(work, 'home-'));
  const paths = resolvePaths({ MYFAV_COWORKER_HOME: home });
  if (config) {
    mkdirSync(paths.config, { recursive: true });
    writeFileSync(path.join(paths.config, 'config.json'), JSON.stringify(config));
  }
  const progress: string[] = [];
  const github = createDeps({
    logger: silentLogger,
    paths,
    env: { MYFAV_GITHUB_API_URL: demo.apiUrl, MYFAV_KEYCHAIN: 'off', ...env },
  });
  return {
    configDir: paths.config,
    progress,
    resolve: (target: GithubTarget) =>
      resolvePullRequest(target, github, { onProgress: (m) => progress.push(m) }),
  };
}

const requestsSince = (n: number) => demo.fake.requests.slice(n);

describe('the trust policy', () => {
  it('same-repository PR, user can push: runs without asking', async () => {
    const { decision } = await user({ GH_TOKEN: demo.token }).resolve(pr('acme/demo#1'));
    expect(decision).toMatchObject({ trusted: true, reason: 'push-access' });
    expect(decision.detail).toBe('you can push to acme/demo');
  });

  it('same-repository PR, user cannot push: needs consent; trusting the repository or owner runs it', async () => {
    const u = user({ GH_TOKEN: demo.outsiderToken });
    expect((await u.resolve(pr('acme/demo#1'))).decision).toMatchObject({
      trusted: false,
      reason: 'no-push-access',
      detail: 'you cannot push to acme/demo',
    });
    await addTrusted(u.configDir, parseTrustEntry('ACME/Demo', 'repo'));
    expect((await u.resolve(pr('acme/demo#1'))).decision).toMatchObject({
      trusted: true,
      reason: 'trusted-repo',
    });
    expect(await removeTrusted(u.configDir, parseTrustEntry('acme/demo', 'repo'))).toBe(true);
    await addTrusted(u.configDir, parseTrustEntry('acme', 'owner'));
    expect((await u.resolve(pr('acme/demo#1'))).decision).toMatchObject({
      trusted: true,
      reason: 'trusted-owner',
    });
    expect(await loadTrustLists(u.configDir)).toEqual({ repos: [], owners: ['acme'] });
  });

  it('anonymous: whether the user may push is unknown, so it needs consent', async () => {
    const { decision } = await user().resolve(pr('acme/demo#1'));
    expect(decision).toMatchObject({ trusted: false, reason: 'access-unknown' });
  });

  it('a PR answer without permissions: asks GET /repos/{owner}/{repo} with the token', async () => {
    demo.fake.permissionsInPulls = false;
    try {
      const before = demo.fake.requests.length;
      const { decision } = await user({ GH_TOKEN: demo.token }).resolve(pr('acme/demo#1'));
      expect(decision).toMatchObject({ trusted: true, reason: 'push-access' });
      expect(requestsSince(before).map((r) => r.path)).toContain('/api/v3/repos/acme/demo');
    } finally {
      demo.fake.permissionsInPulls = true;
    }
  });

  it("a fork's PR needs consent even from someone who can push, and trusting the base does not cover it", async () => {
    const u = user({ GH_TOKEN: demo.token });
    expect((await u.resolve(pr('acme/demo#2'))).decision).toMatchObject({
      trusted: false,
      reason: 'fork',
      detail: 'it comes from the fork mallory/demo, not from acme/demo',
    });
    await addTrusted(u.configDir, parseTrustEntry('acme/demo', 'repo'));
    expect((await u.resolve(pr('acme/demo#2'))).decision.trusted).toBe(false);
    // Trusting where the code comes from does.
    await addTrusted(u.configDir, parseTrustEntry('mallory/demo', 'repo'));
    expect((await u.resolve(pr('acme/demo#2'))).decision).toMatchObject({
      trusted: true,
      reason: 'trusted-repo',
    });
  });

  it('list entries are validated and keep one spelling per repository', async () => {
    const u = user();
    expect(() => parseTrustEntry('acme', 'repo')).toThrow(/expected OWNER\/REPO/);
    expect(() => parseTrustEntry('acme/we b', 'repo')).toThrow(/not a valid repository name/);
    expect(parseTrustEntry('github.example.com/acme/web', 'repo').name).toBe('github.example.com/acme/web');
    expect(parseTrustEntry('acme/web', 'repo', 'github.example.com').name).toBe(
      'github.example.com/acme/web',
    );
    expect(await addTrusted(u.configDir, parseTrustEntry('acme/web', 'repo'))).toBe(true);
    expect(await addTrusted(u.configDir, parseTrustEntry('Acme/Web', 'repo'))).toBe(false);
    expect((await loadTrustLists(u.configDir)).repos).toEqual(['acme/web']);
  });
});

describe('tokens go only where the user put them', () => {
  const enterpriseToken = fakeToken('ghp_');

  it('an Enterprise token is never sent to a host the user did not configure: anonymous, with a note', async () => {
    const u = user({ GH_ENTERPRISE_TOKEN: enterpriseToken, GH_TOKEN: demo.token });
    const before = demo.fake.requests.length;
    const { token } = await u.resolve(pr('acme/demo#1', 'evil.example'));
    expect(token).toBeNull();
    const sent = requestsSince(before);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((r) => r.authorization === undefined)).toBe(true);
    expect(u.progress.join('\n')).toMatch(
      /evil\.example is not a GitHub host you configured, so no token is sent to it/,
    );
    // The github.com token does not go there either (a *.ghe.com host is not github.com).
    const ghe = user({ GH_TOKEN: demo.token });
    const gheBefore = demo.fake.requests.length;
    expect((await ghe.resolve(pr('acme/demo#1', 'evil.ghe.com'))).token).toBeNull();
    expect(requestsSince(gheBefore).every((r) => r.authorization === undefined)).toBe(true);
  });

  it('a configured Enterprise host gets its token: GH_HOST, githubHost, githubHosts', async () => {
    demo.fake.addUser({ login: 'ghe-user', token: enterpriseToken, scopes: ['repo'] });
    const configured = [
      user({ GH_ENTERPRISE_TOKEN: enterpriseToken, GH_HOST: 'ghe.example.com' }),
      user({ GH_ENTERPRISE_TOKEN: enterpriseToken }, { githubHost: 'ghe.example.com' }),
      user({ GH_ENTERPRISE_TOKEN: enterpriseToken }, { githubHosts: ['other.example', 'GHE.example.com'] }),
    ];
    for (const u of configured) {
      const before = demo.fake.requests.length;
      const { token } = await u.resolve(pr('acme/demo#1', 'ghe.example.com'));
      expect(token?.source).toBe('GH_ENTERPRISE_TOKEN');
      const sent = requestsSince(before);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.every((r) => r.authorization?.endsWith(enterpriseToken))).toBe(true);
      expect(u.progress.join('\n')).not.toMatch(/not a GitHub host you configured/);
    }
  });

  it('a host logged in to with `login --hostname` is configured by its stored token', async () => {
    const u = user({});
    const { writeTokenEntry } = await import('../../src/auth/fileStore.js');
    await writeTokenEntry(u.configDir, 'ghe.example.com', { login: 'ghe-user', token: enterpriseToken });
    const before = demo.fake.requests.length;
    const { token } = await u.resolve(pr('acme/demo#1', 'ghe.example.com'));
    expect(token?.source).toBe('file');
    expect(requestsSince(before).every((r) => r.authorization?.endsWith(enterpriseToken))).toBe(true);
  });
});
