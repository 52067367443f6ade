import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';

const home = tempHome();
afterAll(() => home.cleanup());

describe('the CLI keeps tokens out of what it prints', () => {
  it('masks a token pasted as the target, on stdout (--json) as on stderr', async () => {
    // Pasting the wrong clipboard entry: the error quotes what was given.
    const token = `ghp_${'FAKEsecr'.repeat(4)}`;
    const r = await runCli(['simulate', token, '--json', '--no-agent'], { home: home.dir });
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    expect(json).toEqual({ error: expect.objectContaining({ code: 'INVALID_INPUT' }) });
    expect(json.error.message).toContain('[redacted]');
    expect(r.stdout).not.toContain(token);
    expect(r.stderr).not.toContain(token);
  });
});
