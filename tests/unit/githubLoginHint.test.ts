import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loginCommand } from '../../src/config/githubLogin.js';

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});
function home(config?: object): NodeJS.ProcessEnv {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'myfav-test-'));
  homes.push(dir);
  if (config) {
    mkdirSync(path.join(dir, 'config'), { recursive: true });
    writeFileSync(path.join(dir, 'config', 'config.json'), JSON.stringify(config));
  }
  return { MYFAV_COWORKER_HOME: dir };
}

describe('the login a hint suggests', () => {
  it('is a token login while no OAuth app is configured (the browser login would only fail)', () => {
    expect(loginCommand('github.com', home())).toBe('myfav-coworker login --with-token < token.txt');
    expect(loginCommand('ghe.example.com', home())).toBe(
      'myfav-coworker login --hostname ghe.example.com --with-token < token.txt',
    );
  });

  it('is the browser login once a client id is set in the environment or the config file', () => {
    expect(loginCommand('github.com', { ...home(), MYFAV_GITHUB_CLIENT_ID: 'Iv1.abc' })).toBe(
      'myfav-coworker login',
    );
    expect(loginCommand('github.com', home({ githubClientId: 'Iv1.abc' }))).toBe('myfav-coworker login');
    expect(loginCommand('ghe.example.com', home({ githubClientIds: { 'ghe.example.com': 'x' } }))).toBe(
      'myfav-coworker login --hostname ghe.example.com',
    );
  });
});
