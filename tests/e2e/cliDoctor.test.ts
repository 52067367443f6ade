import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';

const home = tempHome();
afterAll(() => home.cleanup());

describe('doctor', () => {
  it('checks each requirement and says what is missing without failing on optional parts', async () => {
    const r = await runCli(['doctor'], { home: home.dir, env: { MYFAV_KEYCHAIN: 'off' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ browser\s+\S*chrom/i);
    expect(r.stdout).toMatch(/✓ git\s+git version/);
    // A real trial app in bubblewrap, reached through the bridge, that saw only its own processes.
    expect(r.stdout).toMatch(
      /✓ sandbox\s+bubblewrap \(.*\): a trial app answered through the bridge .* seeing \d processes/,
    );
    expect(r.stdout).toMatch(/! GitHub\s+Not logged in.*myfav-coworker login/);
    expect(r.stdout).toMatch(/! AI agent\s+No Anthropic API key/);
  });

  it('fails with exit code 2 when no browser can be found, and says how to get one', async () => {
    const r = await runCli(['doctor'], {
      home: home.dir,
      env: { MYFAV_KEYCHAIN: 'off', MYFAV_BROWSER_PATH: '/nonexistent/chrome' },
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/✗ browser\s+.*\/nonexistent\/chrome/);
  });

  it('fails when bubblewrap is missing, and says how to install it or opt out', async () => {
    const bin = mkdtempSync(path.join(os.tmpdir(), 'myfav-test-nobwrap-'));
    try {
      symlinkSync(
        execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(),
        path.join(bin, 'git'),
      );
      const r = await runCli(['doctor'], {
        home: home.dir,
        env: { MYFAV_KEYCHAIN: 'off', PATH: [bin, path.dirname(process.execPath)].join(path.delimiter) },
      });
      expect(r.code).toBe(2);
      expect(r.stdout).toMatch(
        /✗ sandbox\s+bubblewrap \(bwrap\) is not installed.*apt-get install bubblewrap.*--no-sandbox/,
      );
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('reports the agent ready when a key is configured, without printing the key', async () => {
    // Fake, and written in two parts so no committed line has a real token's shape (secret scanners).
    const key = `sk-ant-${'test-doctor-0000000000000000'}`;
    const r = await runCli(['doctor'], {
      home: home.dir,
      env: { MYFAV_KEYCHAIN: 'off', ANTHROPIC_API_KEY: key },
    });
    expect(r.stdout).toMatch(/✓ AI agent\s+claude-\S+ \(key from ANTHROPIC_API_KEY\)/);
    expect(r.stdout + r.stderr).not.toContain(key);
  });
});
