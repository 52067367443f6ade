// Whether the agent runs, with which key and model: env over config file, flags over env; keys never leak.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL, resolveAgentSettings } from '../../src/agent/settings.js';
import { redactSecrets } from '../../src/redact.js';

describe('resolveAgentSettings', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'myfav-agent-settings-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const config = (value: object) => writeFile(path.join(dir, 'config.json'), JSON.stringify(value));

  it('does not run without a key, and says how to give one', async () => {
    const d = await resolveAgentSettings({ request: { enabled: true }, configDir: dir, env: {} });
    expect(d).toEqual({
      run: false,
      reason: `No Anthropic API key: set ANTHROPIC_API_KEY, or "anthropicApiKey" in ${path.join(dir, 'config.json')}, to let Claude explore the change.`,
    });
  });

  it('does not run with --no-agent', async () => {
    const d = await resolveAgentSettings({
      request: { enabled: false },
      configDir: dir,
      env: { ANTHROPIC_API_KEY: 'k'.repeat(20) },
    });
    expect(d).toEqual({ run: false, reason: 'Skipped with --no-agent.' });
  });

  it('takes the key from the environment before the config file, and registers it as a secret', async () => {
    await config({ anthropicApiKey: 'from-config-0123456789', model: 'claude-haiku-5-5' });
    const fromEnv = await resolveAgentSettings({
      request: { enabled: true },
      configDir: dir,
      env: { ANTHROPIC_API_KEY: 'from-env-abcdefghij' },
    });
    expect(fromEnv).toMatchObject({
      run: true,
      settings: { apiKey: 'from-env-abcdefghij', keySource: 'ANTHROPIC_API_KEY' },
    });
    const fromFile = await resolveAgentSettings({ request: { enabled: true }, configDir: dir, env: {} });
    expect(fromFile).toMatchObject({
      run: true,
      settings: { apiKey: 'from-config-0123456789', keySource: 'config file' },
    });
    expect(redactSecrets('key=from-config-0123456789 and from-env-abcdefghij')).toBe(
      'key=[redacted] and [redacted]',
    );
  });

  it('picks the model: --model, then MYFAV_MODEL, then the config file, then the current Sonnet', async () => {
    const env = { ANTHROPIC_API_KEY: 'key-0123456789' };
    const model = async (request: { enabled: true; model?: string }, extra: NodeJS.ProcessEnv = {}) => {
      const d = await resolveAgentSettings({ request, configDir: dir, env: { ...env, ...extra } });
      return d.run ? d.settings.model : null;
    };
    expect(DEFAULT_MODEL).toBe('claude-sonnet-5-5');
    expect(await model({ enabled: true })).toBe(DEFAULT_MODEL);
    await config({ model: 'claude-haiku-5-5' });
    expect(await model({ enabled: true })).toBe('claude-haiku-5-5');
    expect(await model({ enabled: true }, { MYFAV_MODEL: 'claude-opus-5-5' })).toBe('claude-opus-5-5');
    expect(await model({ enabled: true, model: 'claude-sonnet-5' }, { MYFAV_MODEL: 'claude-opus-5-5' })).toBe(
      'claude-sonnet-5',
    );
  });

  it('still runs with an environment key when the config file is broken', async () => {
    await writeFile(path.join(dir, 'config.json'), '{ not json');
    const d = await resolveAgentSettings({
      request: { enabled: true },
      configDir: dir,
      env: { ANTHROPIC_API_KEY: 'key-0123456789' },
    });
    expect(d.run).toBe(true);
    const none = await resolveAgentSettings({ request: { enabled: true }, configDir: dir, env: {} });
    expect(none).toMatchObject({
      run: false,
      reason: expect.stringMatching(/^Could not read the user config file: .*is not valid JSON/),
    });
  });
});
