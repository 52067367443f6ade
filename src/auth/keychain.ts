// The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux) through
// @napi-rs/keyring, one child process per operation (keychainChild.ts) so that every call has a
// timeout that really works: 3 s, like gh. A keychain that fails or hangs is reported as unavailable,
// and the caller falls back to the token file.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * 'absent': no keychain service on this machine (nothing can be stored there); 'disabled': MYFAV_KEYCHAIN=off;
 * 'failed' / 'timeout': a keychain exists but did not do what was asked (a token may be in it).
 */
export type KeychainProblem = 'absent' | 'disabled' | 'failed' | 'timeout';

export class KeychainUnavailable extends Error {
  readonly problem: KeychainProblem;
  constructor(reason: string, problem: KeychainProblem) {
    super(reason);
    this.name = 'KeychainUnavailable';
    this.problem = problem;
  }
}

export interface KeychainOptions {
  /** Per call (default 3000 ms). */
  timeoutMs?: number;
  /** The environment the keychain is looked up in (D-Bus address on Linux). */
  env?: NodeJS.ProcessEnv;
}

export const keychainService = (host: string): string => `myfav-coworker:${host}`;

/** `MYFAV_KEYCHAIN=off`: never touch the OS keychain (headless machines, tests). */
export const keychainDisabled = (env: NodeJS.ProcessEnv): boolean =>
  /^(off|0|false|no|none)$/i.test(env.MYFAV_KEYCHAIN ?? '');

// After a failure or a hang, do not ask again for a while: a long-running MCP server would otherwise
// pay the timeout on every job. A keychain unlocked later is used again after this.
const backoffMs = 60_000;
let unavailable: { until: number; reason: string; problem: KeychainProblem } | undefined;

export async function keychainGet(
  host: string,
  opts: KeychainOptions = {},
): Promise<{ account: string; password: string } | null> {
  return (await call({ op: 'get', service: keychainService(host) }, opts)) as {
    account: string;
    password: string;
  } | null;
}

export async function keychainSet(
  host: string,
  account: string,
  password: string,
  opts: KeychainOptions = {},
) {
  await call({ op: 'set', service: keychainService(host), account, password }, opts);
}

/** Number of credentials removed. */
export async function keychainDelete(host: string, opts: KeychainOptions = {}): Promise<number> {
  return Number(await call({ op: 'delete', service: keychainService(host) }, opts)) || 0;
}

/** Forget a remembered failure (tests; `login` after the user unlocked the keychain). */
export function resetKeychainBackoff(): void {
  unavailable = undefined;
}

function childScript(): string {
  // Built: dist/keychainChild.js, next to the bundle chunk this code is in. From sources (tests):
  // src/auth/keychainChild.ts next to this file.
  const js = fileURLToPath(new URL('./keychainChild.js', import.meta.url));
  return existsSync(js) ? js : fileURLToPath(new URL('./keychainChild.ts', import.meta.url));
}

function call(request: Record<string, unknown>, opts: KeychainOptions): Promise<unknown> {
  const env = opts.env ?? process.env;
  if (keychainDisabled(env))
    return Promise.reject(new KeychainUnavailable('disabled by MYFAV_KEYCHAIN=off', 'disabled'));
  if (unavailable && Date.now() < unavailable.until)
    return Promise.reject(new KeychainUnavailable(unavailable.reason, unavailable.problem));
  const timeoutMs = opts.timeoutMs ?? 3000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript()], {
      env: { ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const fail = (reason: string, problem: KeychainProblem) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unavailable = { until: Date.now() + backoffMs, reason, problem };
      reject(new KeychainUnavailable(reason, problem));
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(
        `the OS keychain did not answer within ${timeoutMs / 1000} s (locked, or waiting for an unlock prompt?)`,
        'timeout',
      );
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (err) => fail(`could not start the keychain helper: ${err.message}`, 'failed'));
    child.on('close', () => {
      if (settled) return;
      let answer: { ok: boolean; result?: unknown; error?: string } | undefined;
      try {
        answer = JSON.parse(stdout);
      } catch {
        answer = undefined;
      }
      if (!answer) {
        const detail = stderr.trim().split('\n').slice(-2).join(' ') || 'no answer';
        return fail(`the keychain helper failed: ${detail}`, 'failed');
      }
      if (!answer.ok) return fail(...classify(answer.error ?? 'unknown error'));
      settled = true;
      clearTimeout(timer);
      unavailable = undefined;
      resolve(answer.result);
    });
    child.stdin.end(JSON.stringify(request));
  });
}

// No session bus, no Secret Service on it, or (containers) a platform store that refuses outright.
const absentPattern =
  /DBUS_SESSION_BUS_ADDRESS|Failed to connect to|ServiceUnknown|org\.freedesktop\.secrets|platform storage|No such file/i;

function classify(message: string): [string, KeychainProblem] {
  if (absentPattern.test(message))
    return [`no OS keychain service is available (${message.slice(0, 160)})`, 'absent'];
  return [`the OS keychain failed: ${message.slice(0, 200)}`, 'failed'];
}
