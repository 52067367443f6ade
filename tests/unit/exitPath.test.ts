// One exit path: every outcome becomes an exit code in src/exit.ts, and only there does the process exit.

import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/exit.js';
import { sourceFiles, sourceText } from '../helpers/sourceGraph.js';

// The relay is a program of its own (CommonJS text run inside the sandbox by our node binary), not ours;
// so is the Node.js check, which runs before the program loads and ends a too-old Node's run (exit code 2).
const ownPrograms = new Set(['sandbox/relayScript.ts', 'nodeGuard.ts']);

describe('the exit path', () => {
  it('has process.exit exactly once in src/, in exitProcess, and no command sets process.exitCode', () => {
    const exits: string[] = [];
    const exitCodes: string[] = [];
    for (const file of sourceFiles()) {
      if (ownPrograms.has(file)) continue;
      const text = sourceText(file);
      for (const _ of text.matchAll(/\bprocess\.exit\s*\(/g)) exits.push(file);
      if (/\bprocess\.exitCode\s*=/.test(text)) exitCodes.push(file);
    }
    expect(exits).toEqual(['exit.ts']);
    expect(exitCodes).toEqual([]);
  });

  it('maps outcomes to the documented codes: 0 pass, 1 fail/inconclusive, 2 error/cancelled, 4 auth', () => {
    const report = (
      status: 'completed' | 'error' | 'cancelled',
      verdict: 'pass' | 'fail' | 'inconclusive' | null,
      code?: 'AUTH_REQUIRED' | 'APP_EXITED',
    ) => ({
      status,
      verdict,
      error: code ? { code, message: '', hint: '' } : null,
    });
    expect(exitCodeFor({ kind: 'done' })).toBe(0);
    expect(exitCodeFor({ kind: 'report', report: report('completed', 'pass') })).toBe(0);
    expect(exitCodeFor({ kind: 'report', report: report('completed', 'fail') })).toBe(1);
    expect(exitCodeFor({ kind: 'report', report: report('completed', 'inconclusive') })).toBe(1);
    expect(exitCodeFor({ kind: 'report', report: report('completed', 'pass'), publishFailed: true })).toBe(2);
    expect(exitCodeFor({ kind: 'report', report: report('completed', 'fail'), publishFailed: true })).toBe(1);
    expect(exitCodeFor({ kind: 'report', report: report('error', null, 'APP_EXITED') })).toBe(2);
    expect(exitCodeFor({ kind: 'report', report: report('error', null, 'AUTH_REQUIRED') })).toBe(4);
    expect(exitCodeFor({ kind: 'report', report: report('cancelled', null) })).toBe(2);
    expect(exitCodeFor({ kind: 'error', error: { code: 'AUTH_FAILED' } })).toBe(4);
    expect(exitCodeFor({ kind: 'error', error: { code: 'INVALID_INPUT' } })).toBe(2);
    expect(exitCodeFor({ kind: 'not-logged-in' })).toBe(4);
    expect(exitCodeFor({ kind: 'failed' })).toBe(2);
    expect(exitCodeFor({ kind: 'usage' })).toBe(2);
    expect(exitCodeFor({ kind: 'signal', signal: 'SIGINT' })).toBe(130);
    expect(exitCodeFor({ kind: 'signal', signal: 'SIGTERM' })).toBe(143);
  });
});
