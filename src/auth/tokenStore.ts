// Where a GitHub token is kept between runs: the OS keychain (service `myfav-coworker:<host>`,
// account = login), else a 0600 file in the config dir. Both behind one small interface.

import type { Logger } from '../log.js';
import type { AppPaths } from '../paths.js';
import { readTokenFile, tokenFilePath, writeTokenEntry } from './fileStore.js';
import {
  type KeychainOptions,
  KeychainUnavailable,
  keychainDelete,
  keychainGet,
  keychainService,
  keychainSet,
} from './keychain.js';

export interface StoredToken {
  host: string;
  login: string;
  token: string;
}

export interface TokenStore {
  readonly kind: 'keychain' | 'file';
  /** Where a host's token is, for messages. */
  describe(host: string): string;
  get(host: string): Promise<StoredToken | null>;
  set(entry: StoredToken): Promise<void>;
  /** true when something was removed. */
  delete(host: string): Promise<boolean>;
}

/** Throws KeychainUnavailable when there is no usable keychain (or it hung). */
export function keychainStore(opts: KeychainOptions = {}): TokenStore {
  return {
    kind: 'keychain',
    describe: (host) => `the OS keychain (service ${keychainService(host)})`,
    async get(host) {
      const found = await keychainGet(host, opts);
      return found?.password ? { host, login: found.account, token: found.password } : null;
    },
    set: (entry) => keychainSet(entry.host, entry.login, entry.token, opts),
    delete: async (host) => (await keychainDelete(host, opts)) > 0,
  };
}

export function fileStore(configDir: string): TokenStore {
  return {
    kind: 'file',
    describe: () => `${tokenFilePath(configDir)} (plain text, readable only by you)`,
    async get(host) {
      const entry = (await readTokenFile(configDir))[host];
      return entry ? { host, ...entry } : null;
    },
    set: async (entry) => {
      await writeTokenEntry(configDir, entry.host, { login: entry.login, token: entry.token });
    },
    delete: (host) => writeTokenEntry(configDir, host, null),
  };
}

export interface StoreContext {
  paths: AppPaths;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  keychainTimeoutMs?: number;
}

function stores(ctx: StoreContext): { keychain: TokenStore; file: TokenStore } {
  return {
    keychain: keychainStore({
      ...(ctx.env ? { env: ctx.env } : {}),
      ...(ctx.keychainTimeoutMs ? { timeoutMs: ctx.keychainTimeoutMs } : {}),
    }),
    file: fileStore(ctx.paths.config),
  };
}

/** The stored token of a host: keychain first, then the file. */
export async function readStoredToken(
  host: string,
  ctx: StoreContext,
): Promise<(StoredToken & { source: 'keychain' | 'file' }) | null> {
  const { keychain, file } = stores(ctx);
  try {
    const found = await keychain.get(host);
    if (found) return { ...found, source: 'keychain' };
  } catch (err) {
    if (!(err instanceof KeychainUnavailable)) throw err;
    ctx.logger?.debug(`keychain: ${err.message}; looking in the token file`);
  }
  const found = await file.get(host);
  return found ? { ...found, source: 'file' } : null;
}

export interface SaveResult {
  kind: 'keychain' | 'file';
  /** Human-readable place: "the OS keychain (service …)" or the file path. */
  storedIn: string;
  /** Set when the token went to the plain-text file (also logged as a warning). */
  warning?: string;
}

/** Store a token: the keychain when there is one (and drop any file copy), else the 0600 file, warned about. */
export async function saveToken(entry: StoredToken, ctx: StoreContext): Promise<SaveResult> {
  const { keychain, file } = stores(ctx);
  try {
    await keychain.set(entry);
    await file.delete(entry.host);
    return { kind: 'keychain', storedIn: keychain.describe(entry.host) };
  } catch (err) {
    if (!(err instanceof KeychainUnavailable)) throw err;
    await file.set(entry);
    const warning =
      `No OS keychain is available (${err.message}): the token is stored in plain text in ` +
      `${tokenFilePath(ctx.paths.config)} (mode 0600, readable only by you).`;
    ctx.logger?.warn(warning);
    return { kind: 'file', storedIn: file.describe(entry.host), warning };
  }
}

/** Remove a host's token from the keychain and the file: where it was removed from, and a keychain problem. */
export async function deleteStoredToken(
  host: string,
  ctx: StoreContext,
): Promise<{ removedFrom: string[]; keychainProblem?: string }> {
  const { keychain, file } = stores(ctx);
  const removedFrom: string[] = [];
  let keychainProblem: string | undefined;
  try {
    if (await keychain.delete(host)) removedFrom.push(keychain.describe(host));
  } catch (err) {
    if (!(err instanceof KeychainUnavailable)) throw err;
    // Without a keychain service nothing can be in it; a keychain that failed or hung may hold a token.
    if (err.problem === 'failed' || err.problem === 'timeout') keychainProblem = err.message;
  }
  if (await file.delete(host)) removedFrom.push(tokenFilePath(ctx.paths.config));
  return { removedFrom, ...(keychainProblem ? { keychainProblem } : {}) };
}
