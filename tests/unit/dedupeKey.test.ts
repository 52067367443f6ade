// Which requests share a job: the same target at the same head asked for the same run, and no other.
// Real files in a temp config dir; the e2e side (binary and MCP server) is tests/e2e/jobDedupe.test.ts.
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_BUDGETS, DEFAULT_MODEL } from '../../src/agent/settings.js';
import { dedupeKey } from '../../src/jobs/dedupe.js';
import type { SimulationRequest, TargetSpec } from '../../src/jobs/request.js';

const target: TargetSpec = { kind: 'local', repoPath: '/repos/web', headRef: 'feature' };
const pr: TargetSpec = { kind: 'github', host: 'github.com', owner: 'acme', repo: 'web', number: 7 };
const withKey = { ANTHROPIC_API_KEY: 'sk-ant-FAKE-0123456789' };

describe('dedupeKey', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'myfav-dedupe-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const key = (
    request: Partial<SimulationRequest>,
    opts: { env?: NodeJS.ProcessEnv; on?: TargetSpec; sha?: string } = {},
  ) =>
    dedupeKey(
      { settings: {}, agent: { enabled: true }, ...request },
      opts.on ?? target,
      opts.sha ?? 'a'.repeat(40),
      { configDir: dir, env: opts.env ?? withKey },
    );

  it('is the same for identical requests, and names the target and commit', async () => {
    const request = { settings: { routes: ['/a', '/b'], maxPages: 5 }, agent: { enabled: false } };
    expect(await key(request)).toBe(await key(structuredClone(request)));
    expect(await key(request)).toMatch(/^local:\/repos\/web:feature:@a{40}:run=[0-9a-f]{16}$/);
    expect(await key(request, { sha: 'b'.repeat(40) })).not.toBe(await key(request));
  });

  it('tells --no-agent from a run with the agent, and the agent runs apart by model and budget', async () => {
    const on = await key({ agent: { enabled: true } });
    expect(await key({ agent: { enabled: false } })).not.toBe(on);
    expect(await key({ agent: { enabled: true, model: 'claude-haiku-5-5' } })).not.toBe(on);
    expect(await key({ agent: { enabled: true, maxSteps: 3 } })).not.toBe(on);
    expect(await key({ agent: { enabled: true }, settings: { instructions: 'try search' } })).not.toBe(on);
  });

  it('normalises the agent to the run it will be', async () => {
    // What is left out is what the run uses.
    expect(await key({ agent: { enabled: true, model: DEFAULT_MODEL, ...DEFAULT_BUDGETS } })).toBe(
      await key({ agent: { enabled: true } }),
    );
    // No API key: the agent does not run either way.
    expect(await key({ agent: { enabled: true } }, { env: {} })).toBe(
      await key({ agent: { enabled: false } }, { env: {} }),
    );
    // A disabled agent's model and budgets change nothing.
    expect(await key({ agent: { enabled: false, model: 'x', maxSteps: 1 } })).toBe(
      await key({ agent: { enabled: false } }),
    );
    // MYFAV_MODEL decides the model when the request does not.
    expect(await key({}, { env: { ...withKey, MYFAV_MODEL: 'claude-haiku-5-5' } })).toBe(
      await key({ agent: { enabled: true, model: 'claude-haiku-5-5' } }),
    );
  });

  it('tells runs apart by every setting that changes what is crawled or judged', async () => {
    const plain = await key({});
    const variants: SimulationRequest['settings'][] = [
      { compareBase: false },
      { readyTimeoutSeconds: 90 },
      { installTimeoutSeconds: 90 },
      { routes: ['/settings'] },
      { maxPages: 3 },
      { appDir: 'web' },
      { install: false },
      { start: 'npm run dev' },
      { url: 'http://127.0.0.1:3000/' },
      { env: { API: 'x' } },
      { allowedOrigins: ['https://api.example.com'] },
      { sandbox: false },
    ];
    const keys = await Promise.all(variants.map((settings) => key({ settings })));
    expect(new Set([plain, ...keys]).size).toBe(variants.length + 1);
    expect(await key({ refreshBase: true })).not.toBe(plain);
  });

  it('ignores what cannot change the run', async () => {
    const origins = ['https://b.example.com', 'https://a.example.com'];
    expect(await key({ settings: { allowedOrigins: origins } })).toBe(
      await key({ settings: { allowedOrigins: [...origins].reverse() } }),
    );
    // Without a base to compare with, refreshing it does nothing.
    expect(await key({ settings: { compareBase: false }, refreshBase: true })).toBe(
      await key({ settings: { compareBase: false } }),
    );
    expect(await key({ input: 'how it was written' })).toBe(await key({ input: 'another way' }));
  });

  it('is one run for --no-sandbox and "sandbox": false in the user config', async () => {
    const flag = await key({ settings: { sandbox: false } });
    expect(await key({})).not.toBe(flag);
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ sandbox: false }));
    expect(await key({})).toBe(flag);
  });

  it('follows the content of a --config file, and the version of an --env-file', async () => {
    const configFile = path.join(dir, 'web.json');
    await writeFile(configFile, JSON.stringify({ routes: ['/a'] }));
    const first = await key({ settings: { configFile } });
    expect(await key({ settings: { configFile } })).toBe(first);
    await writeFile(configFile, JSON.stringify({ routes: ['/b'] }));
    expect(await key({ settings: { configFile } })).not.toBe(first);

    const envFile = path.join(dir, 'app.env');
    await writeFile(envFile, 'SECRET=one\n');
    await utimes(envFile, 1_700_000_000, 1_700_000_000);
    const before = await key({ settings: { envFile } });
    expect(await key({ settings: { envFile } })).toBe(before);
    await writeFile(envFile, 'SECRET=two\n');
    await utimes(envFile, 1_700_000_100, 1_700_000_100);
    const after = await key({ settings: { envFile } });
    expect(after).not.toBe(before);
    // The key never carries a value of the file.
    expect(after).not.toMatch(/one|two|SECRET/);
  });

  it('keeps trust and writes to the PR apart, as before', async () => {
    const grant: SimulationRequest['consent'] = { headSha: 'a'.repeat(40), how: 'flag' };
    const policy = await key({}, { on: pr });
    expect(policy).toMatch(/^github:github\.com\/acme\/web#7@a{40}:policy:run=/);
    expect(await key({ consent: grant }, { on: pr })).toMatch(/:consented:run=/);
    expect(await key({ publish: { comment: true } }, { on: pr })).toMatch(/:policy:writes=comment:run=/);
    expect(await key({ publish: { comment: true, reportUrl: 'https://ci/1' } }, { on: pr })).not.toBe(
      await key({ publish: { comment: true, reportUrl: 'https://ci/2' } }, { on: pr }),
    );
  });
});
