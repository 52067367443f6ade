// The token in the OS keychain, with a real Secret Service: gnome-keyring, unlocked, inside a private
// D-Bus session (dbus-run-session), with a throwaway HOME so the user's own keyrings are never touched.
// Also: no Secret Service at all (the 0600 file, warned about), and a keychain that hangs (the 3 s timeout).

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGithub } from '../fakes/fakeGithub.js';
import { fakeToken } from '../fakes/githubDemo.js';
import { binPath, cliEnv, repoRoot, runCli } from '../helpers/cli.js';

const onLinux = process.platform === 'linux';
const has = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const secretService = onLinux && has('dbus-run-session') && has('gnome-keyring-daemon');
const inCI = /^(1|true)$/i.test(process.env.CI ?? '');

let fake: FakeGithub;
let work: string;
const token = fakeToken();

beforeAll(async () => {
  fake = await FakeGithub.start();
  fake.addUser({ login: 'octo-dev', token, scopes: ['repo'] });
  work = mkdtempSync(path.join(os.tmpdir(), 'myfav-keychain-'));
});
afterAll(async () => {
  await fake?.close();
  rmSync(work, { recursive: true, force: true });
});

/** The environment of a CLI run without any D-Bus session of the user's. */
function isolatedEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const runtime = path.join(home, 'runtime');
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  const env = cliEnv(home, { MYFAV_GITHUB_API_URL: fake.apiUrl, XDG_RUNTIME_DIR: runtime });
  delete env.DBUS_SESSION_BUS_ADDRESS;
  delete env.DISPLAY;
  return { ...env, ...extra };
}

describe('OS keychain (Secret Service)', () => {
  it('stores, reads and deletes the token in a real Secret Service', async (ctx) => {
    if (!secretService) {
      // CI installs gnome-keyring and dbus (.ci/run → scripts/with-setup.sh): missing there is a failure.
      if (inCI) throw new Error('dbus-run-session and gnome-keyring-daemon are required in CI');
      ctx.skip();
    }
    const home = path.join(work, 'secret-service');
    mkdirSync(home);
    const out = path.join(home, 'out');
    mkdirSync(out);
    writeFileSync(path.join(home, 'token'), `${token}\n`);
    // An independent look into the keychain, not through our code.
    const peek = `import('@napi-rs/keyring').then((k) => console.log(JSON.stringify(k.findCredentials('myfav-coworker:github.com'))))`;
    const script = [
      'set -u',
      'echo -n test-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1',
      `node '${binPath}' login --with-token < '${home}/token' 2> '${out}/login.err'; echo $? > '${out}/login.code'`,
      `node '${binPath}' whoami --json > '${out}/who.json' 2> '${out}/who.err'`,
      `node --input-type=module -e "${peek}" > '${out}/peek1.json'`,
      `node '${binPath}' logout 2> '${out}/logout.err'`,
      `node --input-type=module -e "${peek}" > '${out}/peek2.json'`,
      `node '${binPath}' whoami --json > '${out}/who2.json'; echo $? > '${out}/who2.code'`,
    ].join('\n');
    const env = isolatedEnv(path.join(home, 'myfav'), { HOME: home, XDG_DATA_HOME: path.join(home, 'data') });
    // Asynchronously: the fake GitHub answering the CLI lives in this process.
    // Its own process group, so a stuck run is killed whole (bus and keyring daemon included).
    const session = spawn('dbus-run-session', ['--', 'bash', '-c', script], {
      cwd: repoRoot,
      env,
      stdio: 'ignore',
      detached: true,
    });
    const timer = setTimeout(() => process.kill(-session.pid!, 'SIGKILL'), 60_000);
    await new Promise((resolve, reject) => {
      session.on('error', reject);
      session.on('close', resolve);
    }).finally(() => clearTimeout(timer));
    const read = (f: string) => readFileSync(path.join(out, f), 'utf8');

    expect(read('login.err')).toMatch(/Logged in as octo-dev/);
    expect(read('login.err')).toMatch(
      /Token stored in the OS keychain \(service myfav-coworker:github\.com\)/,
    );
    expect(read('login.err')).not.toMatch(/plain text/);
    expect(read('login.code').trim()).toBe('0');
    expect(JSON.parse(read('who.json'))).toMatchObject({
      loggedIn: true,
      login: 'octo-dev',
      source: 'keychain',
    });
    expect(JSON.parse(read('peek1.json'))).toEqual([{ account: 'octo-dev', password: token }]);
    // Nothing in plain text.
    expect(existsSync(path.join(home, 'myfav', 'config', 'github-hosts.json'))).toBe(false);

    expect(read('logout.err')).toMatch(/removed the token from the OS keychain/);
    expect(JSON.parse(read('peek2.json'))).toEqual([]);
    expect(read('who2.code').trim()).toBe('4');
  });
});

describe.skipIf(!onLinux)('without a usable keychain', () => {
  it('no Secret Service: the token goes to a 0600 file, with a warning that says so and where', async () => {
    const home = mkdtempSync(path.join(work, 'none-'));
    const r = await runCli(['login', '--with-token'], { home, env: isolatedEnv(home), input: token });
    expect(r.code).toBe(0);
    const file = path.join(home, 'config', 'github-hosts.json');
    expect(r.stderr).toMatch(/No OS keychain is available/);
    expect(r.stderr).toContain(`stored in plain text in ${file}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });

  it('a keychain that hangs times out after 3 s into the file', async () => {
    const home = mkdtempSync(path.join(work, 'hang-'));
    const socket = path.join(home, 'bus.sock');
    // A "session bus" that accepts connections and never answers: the D-Bus handshake waits forever.
    const server: Server = createServer((c) => c.on('data', () => {}));
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      const started = Date.now();
      const r = await runCli(['login', '--with-token'], {
        home,
        env: isolatedEnv(home, { DBUS_SESSION_BUS_ADDRESS: `unix:path=${socket}` }),
        input: token,
      });
      const elapsed = Date.now() - started;
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/did not answer within 3 s/);
      expect(r.stderr).toMatch(/stored in plain text/);
      expect(elapsed).toBeGreaterThanOrEqual(3000);
      expect(elapsed).toBeLessThan(15_000);
      expect(JSON.parse(readFileSync(path.join(home, 'config', 'github-hosts.json'), 'utf8'))).toMatchObject({
        'github.com': { login: 'octo-dev' },
      });
    } finally {
      server.close();
    }
  });
});
