import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildChildEnv } from '../../src/app/childEnv.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'myfav-env-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

// What a real user's shell might hold: tokens and keys the PR's code must never see.
const secrets = {
  // Fake, and written in two parts so no committed line has a real token's shape (secret scanners).
  GH_TOKEN: `ghp_${'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'}`,
  GITHUB_TOKEN: `ghs_${'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'}`,
  ANTHROPIC_API_KEY: `sk-ant-${'cccccccccccccccccccc'}`,
  NPM_TOKEN: 'npm_dddddddddddddddddddd',
  npm_config__authToken: 'eeeeeeeeeeee',
  'npm_config_//registry.npmjs.org/:_authToken': 'ffffffffffff',
  AWS_SECRET_ACCESS_KEY: 'gggggggggggg',
  MYFAV_GITHUB_API_URL: 'http://127.0.0.1:1/api',
  NODE_OPTIONS: '--require /home/me/.secret-hook.js',
  SSH_AUTH_SOCK: '/tmp/ssh-agent.sock',
};
const parent = {
  ...secrets,
  PATH: '/usr/local/bin:/usr/bin',
  HOME: '/home/me',
  LANG: 'en_US.UTF-8',
  LC_ALL: 'en_US.UTF-8',
  TZ: 'Europe/Berlin',
  USER: 'me',
  SHELL: '/bin/zsh',
  HTTPS_PROXY: 'http://proxy.corp:3128',
  HTTP_PROXY: 'http://me:hunter2@proxy.corp:3128',
};

describe('buildChildEnv', () => {
  it('never passes secrets from our environment', () => {
    const env = buildChildEnv({ home: path.join(work, 'home'), jobId: 'job1', port: 4321 }, parent);
    for (const [name, value] of Object.entries(secrets)) {
      expect(env[name], name).toBeUndefined();
      expect(Object.values(env).join('\n')).not.toContain(value);
    }
    expect(env.HTTP_PROXY).toBeUndefined(); // carries a password
    expect(Object.values(env).join('\n')).not.toContain('hunter2');
  });

  it('passes what a shell needs and gives the app its port, host, marker and a private HOME', () => {
    const home = path.join(work, 'home');
    const env = buildChildEnv({ home, jobId: 'job1', port: 4321 }, parent);
    expect(env).toMatchObject({
      PATH: parent.PATH,
      LANG: parent.LANG,
      LC_ALL: parent.LC_ALL,
      TZ: parent.TZ,
      USER: 'me',
      SHELL: '/bin/zsh',
      HTTPS_PROXY: parent.HTTPS_PROXY,
      HOME: home,
      TMPDIR: path.join(home, 'tmp'),
      PORT: '4321',
      HOST: '127.0.0.1',
      BROWSER: 'none',
      NO_COLOR: '1',
      MYFAV_JOB_ID: 'job1',
    });
    expect(existsSync(path.join(home, 'tmp'))).toBe(true);
    // Installs keep using the user's npm cache despite the new HOME.
    expect(env.npm_config_cache).toBe('/home/me/.npm');
    expect(env.NODE_ENV).toBeUndefined();
  });

  it('has no PORT or HOST without a port (install), and passes NODE_ENV only when set', () => {
    const env = buildChildEnv(
      { home: path.join(work, 'h'), jobId: 'j' },
      { ...parent, NODE_ENV: 'development' },
    );
    expect(env.PORT).toBeUndefined();
    expect(env.HOST).toBeUndefined();
    expect(env.NODE_ENV).toBe('development');
  });

  it('applies the repo config env last, but keeps the job marker', () => {
    const env = buildChildEnv(
      {
        home: path.join(work, 'h'),
        jobId: 'j',
        port: 1,
        extra: { API_BASE: 'http://127.0.0.1:9/api', NODE_ENV: 'test', MYFAV_JOB_ID: 'hijacked' },
      },
      parent,
    );
    expect(env).toMatchObject({ API_BASE: 'http://127.0.0.1:9/api', NODE_ENV: 'test', MYFAV_JOB_ID: 'j' });
  });

  it('turns off the binary downloads of test tools in postinstall, unless the config turns them on', () => {
    const home = path.join(work, 'h');
    expect(buildChildEnv({ home, jobId: 'j' }, parent)).toMatchObject({
      CYPRESS_INSTALL_BINARY: '0',
      PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
      PUPPETEER_SKIP_DOWNLOAD: '1',
    });
    const env = buildChildEnv({ home, jobId: 'j', extra: { CYPRESS_INSTALL_BINARY: '13.13.2' } }, parent);
    expect(env.CYPRESS_INSTALL_BINARY).toBe('13.13.2');
  });

  it('respects an npm cache set in our environment', () => {
    const env = buildChildEnv(
      { home: path.join(work, 'h'), jobId: 'j' },
      { ...parent, npm_config_cache: '/var/cache/npm' },
    );
    expect(env.npm_config_cache).toBe('/var/cache/npm');
  });
});
