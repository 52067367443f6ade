// Device-flow login and auth status with the real Octokit against the fake GitHub. The fake's protocol
// "second" is 20 ms so intervals and slow_downs are real but quick; it answers slow_down to any poll that
// comes sooner than its current interval, exactly like GitHub, and counts those.

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tokenFilePath } from '../../src/auth/fileStore.js';
import { authStatus, loginWithToken, logout, startDeviceLogin } from '../../src/auth/index.js';
import { CoworkerError } from '../../src/errors.js';
import { exitCodeFor } from '../../src/exit.js';
import { resolvePaths } from '../../src/paths.js';
import { FakeGithub } from '../fakes/fakeGithub.js';
import { fakeToken } from '../fakes/githubDemo.js';
import { type LoopLag, watchLoopLag } from '../helpers/loopLag.js';

const secondMs = 20;
let fake: FakeGithub;
let home: string;
const token = fakeToken('gho_');
const clientId = 'Iv1.fake-client';

beforeAll(async () => {
  fake = await FakeGithub.start({ secondMs });
  fake.addUser({ login: 'octo-dev', token, scopes: ['repo'] });
});
afterAll(async () => {
  await fake.close();
});
// Time limits below add what a loaded machine took from this process (tests/helpers/loopLag.ts).
let lag: LoopLag;
beforeEach(() => {
  lag = watchLoopLag();
});
afterEach(() => lag.stop());
afterEach(() => {
  if (home) rmSync(home, { recursive: true, force: true });
});

function setup(extra: Record<string, string> = {}) {
  home = mkdtempSync(path.join(os.tmpdir(), 'myfav-login-'));
  const env = {
    MYFAV_COWORKER_HOME: home,
    MYFAV_GITHUB_API_URL: fake.apiUrl,
    MYFAV_GITHUB_CLIENT_ID: clientId,
    MYFAV_KEYCHAIN: 'off',
    ...extra,
  };
  return { env, paths: resolvePaths(env) };
}

async function failure(promise: Promise<unknown>): Promise<CoworkerError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(CoworkerError);
    return err as CoworkerError;
  }
  throw new Error('expected a failure');
}

describe('device-flow login', () => {
  it('returns the code at once, polls at the interval, keeps every slow_down, then stores the token', async () => {
    const { env, paths } = setup();
    fake.setDeviceFlow({
      clientId,
      token,
      interval: 1,
      steps: ['pending', { error: 'slow_down' }, 'pending', 'pending', 'success'],
    });
    const login = await startDeviceLogin({ paths, env, secondMs });
    expect(login).toMatchObject({ userCode: 'WDJB-MJHT', expiresIn: 900 });
    expect(login.verificationUri).toBe(`${fake.url}/login/device`);
    expect(fake.polls).toHaveLength(0); // the code is known before any polling

    const result = await login.completion;
    expect(result).toMatchObject({ login: 'octo-dev', host: 'github.com' });
    expect(result.storedIn).toContain(tokenFilePath(paths.config));
    // The polls as the fake saw them: in order, each at the interval the fake demanded then (1 s, and
    // 1 + 5 s for every poll after the slow_down, RFC 8628 §3.5) — none sooner, or the fake would have
    // answered slow_down itself, raised its interval and counted it.
    expect(fake.pollLog.map((p) => [p.interval, p.answer])).toEqual([
      [1, 'authorization_pending'],
      [1, 'slow_down'],
      [6, 'authorization_pending'],
      [6, 'authorization_pending'],
      [6, 'token'],
    ]);
    expect(fake.tooEarlyPolls).toBe(0);
    const gaps = fake.polls.slice(1).map((t, i) => t - fake.polls[i]!);
    for (const gap of gaps.slice(2)) expect(gap).toBeGreaterThanOrEqual(6 * secondMs - 5);
    // And not later than asked: before the slow_down the client polled at its interval (x1.2), not at
    // the slowed one. The limit allows what a loaded machine took from this process in that gap.
    const lost = await lag.lostBetween(fake.polls[0]!, fake.polls[1]!);
    expect(gaps[0]).toBeLessThan(1.2 * secondMs + 50 + lost);

    // Stored, 0600 in a 0700 dir, and usable.
    expect(statSync(tokenFilePath(paths.config)).mode & 0o777).toBe(0o600);
    expect(statSync(paths.config).mode & 0o777).toBe(0o700);
    expect(await authStatus({ paths, env })).toMatchObject({
      loggedIn: true,
      login: 'octo-dev',
      host: 'github.com',
      scopes: ['repo'],
      source: 'file',
    });
  });

  it('takes a larger interval from the slow_down answer', async () => {
    const { env, paths } = setup();
    fake.setDeviceFlow({ clientId, token, interval: 0, steps: ['slow_down', 'pending', 'success'] });
    const login = await startDeviceLogin({ paths, env, secondMs });
    await login.completion;
    expect(fake.tooEarlyPolls).toBe(0);
  });

  it.each([
    ['denied', /denied in the browser/, 'AUTH_FAILED'],
    ['expired', /expired before it was entered/, 'AUTH_FAILED'],
  ] as const)('%s: a plain message and nothing stored', async (step, message, code) => {
    const { env, paths } = setup();
    fake.setDeviceFlow({ clientId, token, interval: 0, steps: ['pending', step] });
    const login = await startDeviceLogin({ paths, env, secondMs });
    const err = await failure(login.completion);
    expect(err.code).toBe(code);
    expect(exitCodeFor({ kind: 'error', error: err })).toBe(4);
    expect(err.message).toMatch(message);
    expect(err.hint).toMatch(/myfav-coworker login/);
    expect((await authStatus({ paths, env })).loggedIn).toBe(false);
  });

  it('stops polling when the code expires, even if GitHub keeps saying pending', async () => {
    const { env, paths } = setup();
    fake.setDeviceFlow({ clientId, token, interval: 1, expiresIn: 5, steps: ['pending'] });
    const started = Date.now();
    const login = await startDeviceLogin({ paths, env, secondMs });
    const err = await failure(login.completion);
    const ended = Date.now();
    expect(err.message).toMatch(/expired/);
    // Every poll was answered "pending": the client gave up by itself, at the code's expiry (5 s),
    // without a poll it knew would come after it — not when GitHub said so, nor later.
    expect(fake.pollLog.length).toBeGreaterThan(0);
    expect(fake.pollLog.length).toBeLessThanOrEqual(4);
    expect(new Set(fake.pollLog.map((p) => p.answer))).toEqual(new Set(['authorization_pending']));
    expect(ended - started).toBeLessThan(5 * secondMs + 200 + (await lag.lostBetween(started, ended)));
  });

  it('device flow disabled for the app: says what to enable', async () => {
    const { env, paths } = setup();
    fake.setDeviceFlow({ clientId, token, codeError: 'device_flow_disabled', steps: [] });
    const err = await failure(startDeviceLogin({ paths, env, secondMs }));
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toMatch(/Device flow is not enabled for the OAuth app Iv1\.fake-client/);
    expect(err.hint).toMatch(/Enable Device Flow/);
    expect(err.hint).toMatch(/--with-token/);
  });

  it('an unknown client id', async () => {
    const { env, paths } = setup({ MYFAV_GITHUB_CLIENT_ID: 'Iv1.nobody' });
    fake.setDeviceFlow({ clientId, token, steps: [] });
    const err = await failure(startDeviceLogin({ paths, env, secondMs }));
    expect(err.message).toMatch(/does not know the OAuth app client id "Iv1\.nobody"/);
  });

  it('no client id anywhere: says exactly what to do', async () => {
    const { env, paths } = setup({ MYFAV_GITHUB_CLIENT_ID: '' });
    const err = await failure(startDeviceLogin({ paths, env }));
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.hint).toMatch(/settings\/applications\/new/);
    expect(err.hint).toMatch(/Enable Device Flow/);
    expect(err.hint).toMatch(/MYFAV_GITHUB_CLIENT_ID/);
    expect(err.hint).toMatch(/login --with-token/);
  });

  it('network failure: GitHub unreachable', async () => {
    const closed = await freePort();
    const { env, paths } = setup({ MYFAV_GITHUB_API_URL: `http://127.0.0.1:${closed}/api/v3` });
    const err = await failure(startDeviceLogin({ paths, env, secondMs }));
    expect(err.code).toBe('GITHUB_FAILED');
    expect(err.message).toMatch(
      new RegExp(`Could not reach GitHub at http://127\\.0\\.0\\.1:${closed}.*ECONNREFUSED`),
    );
  });

  it('cancelling stops the polling', async () => {
    const { env, paths } = setup();
    fake.setDeviceFlow({ clientId, token, interval: 1, steps: ['pending'] });
    const controller = new AbortController();
    const login = await startDeviceLogin({ paths, env, secondMs, signal: controller.signal });
    setTimeout(() => controller.abort(), 3 * secondMs);
    const err = await failure(login.completion);
    expect(err.code).toBe('CANCELLED');
    const polls = fake.polls.length;
    await new Promise((r) => setTimeout(r, 5 * secondMs));
    expect(fake.polls.length).toBe(polls);
  });

  it('refuses to store a token while GH_TOKEN is set, and says why', async () => {
    const { env, paths } = setup({ GH_TOKEN: token });
    const err = await failure(startDeviceLogin({ paths, env }));
    expect(err.code).toBe('ENV_TOKEN_SET');
    expect(err.message).toMatch(/GH_TOKEN is set in your environment/);
    const err2 = await failure(loginWithToken({ token, paths, env }));
    expect(err2.code).toBe('ENV_TOKEN_SET');
  });
});

describe('tokens and status', () => {
  it('precedence: GH_TOKEN, then GITHUB_TOKEN, then the stored token', async () => {
    const { env, paths } = setup();
    await loginWithToken({ token, paths, env });
    expect((await authStatus({ paths, env })).source).toBe('file');
    expect((await authStatus({ paths, env: { ...env, GITHUB_TOKEN: token } })).source).toBe('GITHUB_TOKEN');
    expect((await authStatus({ paths, env: { ...env, GITHUB_TOKEN: 'x', GH_TOKEN: token } })).source).toBe(
      'GH_TOKEN',
    );
    // An Enterprise Server host never gets the github.com token.
    const ghe = await authStatus({ paths, env: { ...env, GH_TOKEN: token }, host: 'ghe.example.com' });
    expect(ghe).toMatchObject({ loggedIn: false, host: 'ghe.example.com' });
    expect(ghe.fix).toMatch(/login --hostname ghe\.example\.com/);
    // An Enterprise token goes only to a host the user configured (GH_HOST, githubHost(s), a login).
    const unconfigured = await authStatus({
      paths,
      env: { ...env, GH_ENTERPRISE_TOKEN: token },
      host: 'ghe.example.com',
    });
    expect(unconfigured).toMatchObject({ loggedIn: false, host: 'ghe.example.com' });
    expect(unconfigured.problem).toMatch(
      /GH_ENTERPRISE_TOKEN is set, but ghe\.example\.com is not a GitHub host you configured/,
    );
    expect(unconfigured.fix).toMatch(/GH_HOST=ghe\.example\.com/);
    expect(
      (
        await authStatus({
          paths,
          env: { ...env, GH_ENTERPRISE_TOKEN: token, GH_HOST: 'ghe.example.com' },
          host: 'ghe.example.com',
        })
      ).source,
    ).toBe('GH_ENTERPRISE_TOKEN');
  });

  it('an invalid token is reported as such, with the command that fixes it', async () => {
    const { env, paths } = setup();
    const bad = await authStatus({ paths, env: { ...env, GH_TOKEN: fakeToken() } });
    expect(bad).toMatchObject({ loggedIn: false, source: 'GH_TOKEN' });
    expect(bad.problem).toMatch(/invalid or revoked/);
    expect(bad.fix).toMatch(/GH_TOKEN/);
    const err = await failure(loginWithToken({ token: fakeToken(), paths, env }));
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toMatch(/rejected the token.*Nothing was stored/);
  });

  it('logout removes the stored token', async () => {
    const { env, paths } = setup();
    await loginWithToken({ token, paths, env });
    const out = await logout({ paths, env });
    expect(out.removedFrom).toEqual([tokenFilePath(paths.config)]);
    expect((await authStatus({ paths, env })).loggedIn).toBe(false);
    expect((await logout({ paths, env })).removedFrom).toEqual([]);
    expect((await logout({ paths, env: { ...env, GH_TOKEN: token } })).envToken).toBe('GH_TOKEN');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
