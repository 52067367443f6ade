// Where myfav-coworker has no sandbox (macOS, Windows): simulating refuses, and doctor fails its sandbox
// check, with words that say what is missing and how to run anyway — nothing that sounds like a sandbox.

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoworkerError } from '../../src/errors.js';
import { sandboxForJob } from '../../src/sandbox/forJob.js';
import { sandboxSelfTest } from '../../src/sandbox/selfTest.js';
import { pathsUnder } from '../helpers/sandbox.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'myfav-platform-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each([
  ['darwin', 'macOS', /Seatbelt \(sandbox-exec\) confinement .* is not built/],
  ['win32', 'Windows', /a sandbox only on Linux \(bubblewrap\)/],
] as const)('on %s', (platform, name, missing) => {
  it('simulating refuses: what is missing, and --no-sandbox / "sandbox": false to run unconfined', async () => {
    const paths = pathsUnder(dir);
    const err = await sandboxForJob({ paths, platform }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CoworkerError);
    const { code, message, hint } = err as CoworkerError;
    expect(code).toBe('SANDBOX_UNAVAILABLE');
    expect(message).toContain(`no sandbox for a pull request's code on ${name}`);
    expect(message).toMatch(missing);
    expect(message).toContain("does not run the branch's install or app");
    expect(hint).toContain('--no-sandbox');
    expect(hint).toContain(`"sandbox": false in ${path.join(paths.config, 'config.json')}`);
    expect(hint).toContain('unconfined');
    expect(hint).toContain('needs Linux with bubblewrap');
  });

  it('--no-sandbox is the only way through, and is named as such', async () => {
    expect(await sandboxForJob({ paths: pathsUnder(dir), platform, noSandbox: true })).toEqual({
      kind: 'none',
      reason: '--no-sandbox',
    });
  });

  it("doctor's sandbox check fails with the same words", async () => {
    const check = await sandboxSelfTest(pathsUnder(dir), platform);
    expect(check.state).toBe('fail');
    expect(check.detail).toContain(`no sandbox for a pull request's code on ${name}`);
    expect(check.detail).toContain('--no-sandbox');
  });
});
