// login / whoami / logout as a user runs them: the real binary against the fake GitHub.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeGithub } from '../fakes/fakeGithub.js';
import { fakeToken } from '../fakes/githubDemo.js';
import { runCli, tempHome } from '../helpers/cli.js';

let fake: FakeGithub;
const token = fakeToken();
const clientId = 'Iv1.cli-test';
let home: ReturnType<typeof tempHome> | undefined;

beforeAll(async () => {
  fake = await FakeGithub.start();
  fake.addUser({ login: 'octo-dev', token, scopes: ['repo', 'gist'] });
});
afterAll(() => fake.close());
afterEach(() => {
  home?.cleanup();
  home = undefined;
});

function cli(args: string[], opts: { env?: Record<string, string>; input?: string } = {}) {
  home ??= tempHome();
  return runCli(args, {
    home: home.dir,
    env: { MYFAV_GITHUB_API_URL: fake.apiUrl, MYFAV_KEYCHAIN: 'off', ...opts.env },
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
}

describe('login --with-token, whoami, logout', () => {
  it('stores a token from stdin (plain-text fallback, warned), shows it, removes it', async () => {
    const login = await cli(['login', '--with-token'], { input: `${token}\n` });
    expect(login.stderr).toMatch(/Logged in as octo-dev on github\.com/);
    expect(login.code).toBe(0);
    expect(login.stdout).toBe('');
    const file = path.join(home!.dir, 'config', 'github-hosts.json');
    expect(login.stderr).toMatch(/stored in plain text in .*github-hosts\.json/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ 'github.com': { login: 'octo-dev', token } });
    expect(login.stderr).not.toContain(token);

    const who = await cli(['whoami']);
    expect(who.code).toBe(0);
    expect(who.stdout).toMatch(/github\.com/);
    expect(who.stdout).toMatch(/Logged in as octo-dev/);
    expect(who.stdout).toMatch(/Token from: the token file/);
    expect(who.stdout).toMatch(/Scopes: repo, gist/);
    const json = await cli(['auth', 'status', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      loggedIn: true,
      host: 'github.com',
      login: 'octo-dev',
      source: 'file',
      scopes: ['repo', 'gist'],
    });

    const out = await cli(['logout']);
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(/Logged out of github\.com: removed the token from .*github-hosts\.json/);
    expect(existsSync(file)).toBe(false);
    const after = await cli(['whoami']);
    expect(after.code).toBe(4);
    expect(after.stdout).toMatch(/Not logged in to github\.com/);
    expect(after.stdout).toMatch(/myfav-coworker login/);
  });

  it('an invalid GH_TOKEN is reported with the fix (exit 4); login refuses to store while it is set', async () => {
    const bad = await cli(['whoami'], { env: { GH_TOKEN: fakeToken() } });
    expect(bad.code).toBe(4);
    expect(bad.stdout).toMatch(/Token from: the GH_TOKEN environment variable/);
    expect(bad.stdout).toMatch(/invalid or revoked/);
    expect(bad.stdout).toMatch(/Set GH_TOKEN to a valid token, or unset it/);
    const refused = await cli(['login', '--with-token'], { env: { GH_TOKEN: token }, input: token });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/GH_TOKEN is set in your environment/);
    expect(refused.stderr).toMatch(/unset GH_TOKEN/);
  });

  it('a rejected token is not stored (exit 4)', async () => {
    const r = await cli(['login', '--with-token'], { input: fakeToken() });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/rejected the token.*Nothing was stored/);
    expect(existsSync(path.join(home!.dir, 'config', 'github-hosts.json'))).toBe(false);
  });
});

describe('login with the browser (device flow)', () => {
  it('prints the code and URL on stderr only, polls, and logs in', async () => {
    fake.setDeviceFlow({
      clientId,
      token,
      interval: 0,
      steps: ['pending', 'pending', 'success'],
      userCode: 'ABCD-1234',
    });
    const r = await cli(['login'], { env: { MYFAV_GITHUB_CLIENT_ID: clientId } });
    expect(r.stderr).toMatch(/First copy your one-time code: ABCD-1234/);
    expect(r.stderr).toContain(`${fake.url}/login/device`);
    expect(r.stderr).not.toMatch(/opening it now/); // not a TTY
    expect(r.stderr).toMatch(/Logged in as octo-dev/);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
    expect(fake.polls).toHaveLength(3);
  });

  it('denied in the browser: exit 4 with a plain message', async () => {
    fake.setDeviceFlow({ clientId, token, interval: 0, steps: ['denied'] });
    const r = await cli(['login', '--no-browser'], { env: { MYFAV_GITHUB_CLIENT_ID: clientId } });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/denied in the browser/);
  });

  it('no OAuth app configured: says exactly what to do', async () => {
    const r = await cli(['login']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/No OAuth app is configured/);
    expect(r.stderr).toMatch(/Enable Device Flow/);
    expect(r.stderr).toMatch(/--with-token/);
  });

  it('--hostname for GitHub Enterprise', async () => {
    const r = await cli(['login', '--hostname', 'ghe.example.com', '--with-token'], { input: token });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Logged in as octo-dev on ghe\.example\.com/);
    const who = await cli(['whoami', '--hostname', 'ghe.example.com']);
    expect(who.stdout).toMatch(/ghe\.example\.com[\s\S]*Logged in as octo-dev/);
  });
});
