// installDependencies with real package-manager runs (offline: local file: dependencies, npm's own
// lockfile checks) and real shell commands for the failure paths.

import { randomUUID } from 'node:crypto';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildChildEnv } from '../../src/app/childEnv.js';
import { detectApp } from '../../src/app/detect.js';
import { installDependencies } from '../../src/app/install.js';
import type { AppPlan } from '../../src/app/types.js';
import { defaultSettings } from '../../src/config/schema.js';
import { CancelledError, CoworkerError } from '../../src/errors.js';
import { hasProc, killMarked, processesWithMarker } from '../helpers/processes.js';
import { noSandbox } from '../helpers/sandbox.js';

let work: string;
let appDir: string;
let jobId: string;

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'myfav-install-'));
  appDir = path.join(work, 'app');
  await mkdir(appDir);
  jobId = `test-${randomUUID()}`;
});

afterEach(async () => {
  if (hasProc) killMarked(jobId);
  await rm(work, { recursive: true, force: true });
});

const logFile = () => path.join(work, 'logs', 'install.log');
const env = () => buildChildEnv({ home: path.join(work, 'home'), jobId });
const plan = (installCommand: string | null): AppPlan => ({
  dir: appDir,
  relDir: '',
  dirReason: 'test',
  kind: 'node',
  installCommand,
  startCommand: 'node server.js',
});

async function installError(
  p: AppPlan,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<CoworkerError> {
  try {
    await installDependencies(p, {
      sandbox: noSandbox,
      env: env(),
      logFile: logFile(),
      timeoutMs: opts.timeoutMs ?? 60_000,
      ...opts,
    });
  } catch (err) {
    expect(err).toBeInstanceOf(CoworkerError);
    return err as CoworkerError;
  }
  throw new Error('expected the install to fail');
}

describe('installDependencies', () => {
  it('skips when the plan has no install command', async () => {
    expect(
      await installDependencies(plan(null), {
        sandbox: noSandbox,
        env: env(),
        logFile: logFile(),
        timeoutMs: 1000,
      }),
    ).toBeNull();
    expect(existsSync(logFile())).toBe(false);
  });

  it('runs the detected npm install in the app dir (offline, local dependency) and logs to the file', async () => {
    await mkdir(path.join(appDir, 'local-dep'));
    await writeFile(
      path.join(appDir, 'local-dep', 'package.json'),
      JSON.stringify({ name: 'local-dep', version: '1.0.0' }),
    );
    await writeFile(
      path.join(appDir, 'package.json'),
      JSON.stringify({
        name: 'app',
        version: '1.0.0',
        scripts: { start: 'node server.js' },
        dependencies: { 'local-dep': 'file:./local-dep' },
      }),
    );
    const detected = await detectApp(appDir, [], defaultSettings);
    expect(detected.installCommand).toBe('npm install');
    const result = await installDependencies(detected, {
      sandbox: noSandbox,
      home: path.join(work, 'home'),
      jobId,
      logFile: logFile(),
      timeoutMs: 120_000,
    });
    expect(result?.ms).toBeGreaterThan(0);
    expect(lstatSync(path.join(appDir, 'node_modules', 'local-dep')).isSymbolicLink()).toBe(true);
    expect(readFileSync(logFile(), 'utf8')).toContain('$ npm install');
  });

  it('reports a failing install with the command, exit code and the log tail', async () => {
    // A real npm failure without network: `npm ci` refuses a lockfile out of sync with package.json.
    await mkdir(path.join(appDir, 'local-dep'));
    await writeFile(
      path.join(appDir, 'local-dep', 'package.json'),
      JSON.stringify({ name: 'local-dep', version: '1.0.0' }),
    );
    await writeFile(
      path.join(appDir, 'package.json'),
      JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { 'local-dep': 'file:./local-dep' } }),
    );
    await writeFile(
      path.join(appDir, 'package-lock.json'),
      JSON.stringify({
        name: 'app',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: { '': { name: 'app', version: '1.0.0' } },
      }),
    );
    const err = await installError(plan('npm ci'), { timeoutMs: 120_000 });
    expect(err.code).toBe('INSTALL_FAILED');
    expect(err.message).toContain('"npm ci"');
    expect(err.message).toMatch(/exited with code [1-9]/);
    // npm's own explanation: it comes before ~80 lines of usage text, so the tail alone would miss it.
    expect(err.message).toMatch(/can only install packages when your package.json and package-lock.json/);
    expect(err.hint).toContain(logFile());
  });

  it('keeps only the last 40 lines of a long log in the message', async () => {
    const err = await installError(
      plan(
        `node -e "for (let i = 1; i <= 100; i++) console.log('line ' + i); console.error('fatal: broken'); process.exit(2)"`,
      ),
    );
    expect(err.message).toContain('exited with code 2');
    expect(err.message).toContain('fatal: broken');
    expect(err.message).toContain('line 100');
    expect(err.message).toContain('line 62\n');
    expect(err.message).not.toContain('line 61\n');
    expect(err.message).not.toContain('line 1\n');
  });

  it('says when the package manager is not installed', async () => {
    const err = await installError(plan('surely-not-a-package-manager install'));
    expect(err.message).toContain('exited with code 127');
    expect(err.hint).toContain('corepack');
  });

  it.runIf(hasProc)('times out, kills the install and says after how long', async () => {
    const started = Date.now();
    const err = await installError(plan(`node -e "console.log('fetching'); setInterval(() => {}, 1000)"`), {
      timeoutMs: 1000,
    });
    expect(Date.now() - started).toBeLessThan(8000);
    expect(err.code).toBe('INSTALL_FAILED');
    expect(err.message).toContain('timed out after 1 s');
    expect(processesWithMarker(jobId)).toEqual([]);
  });

  it.runIf(hasProc)('stops on cancel with CancelledError and kills the whole group', async () => {
    const controller = new AbortController();
    const installing = installDependencies(plan(`sh -c "sleep 30 & sleep 30"`), {
      sandbox: noSandbox,
      env: env(),
      logFile: logFile(),
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 300);
    await expect(installing).rejects.toBeInstanceOf(CancelledError);
    expect(processesWithMarker(jobId)).toEqual([]);
  });
});
