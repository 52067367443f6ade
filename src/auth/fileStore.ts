// The fallback when no OS keychain is available: a JSON file in the config dir, mode 0600 in a 0700
// dir, written atomically. Plain text — `login` says so, and where.

import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface FileEntry {
  login: string;
  token: string;
}

export const tokenFilePath = (configDir: string): string => path.join(configDir, 'github-hosts.json');

export async function readTokenFile(configDir: string): Promise<Record<string, FileEntry>> {
  let text: string;
  try {
    text = await readFile(tokenFilePath(configDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return {}; // a damaged file holds no usable token; the next login rewrites it
  }
  const entries: Record<string, FileEntry> = {};
  if (raw && typeof raw === 'object') {
    for (const [host, value] of Object.entries(raw as Record<string, unknown>)) {
      const v = value as Partial<FileEntry> | null;
      if (v && typeof v.token === 'string' && v.token && typeof v.login === 'string')
        entries[host] = { login: v.login, token: v.token };
    }
  }
  return entries;
}

export async function writeTokenEntry(
  configDir: string,
  host: string,
  entry: FileEntry | null,
): Promise<boolean> {
  const entries = await readTokenFile(configDir);
  const had = host in entries;
  if (entry) entries[host] = entry;
  else delete entries[host];
  if (!entry && !had) return false;
  const file = tokenFilePath(configDir);
  if (Object.keys(entries).length === 0) {
    await rm(file, { force: true });
    return had;
  }
  await mkdir(configDir, { recursive: true, mode: 0o700 });
  await chmod(configDir, 0o700);
  const tmp = `${file}.${process.pid}.tmp`;
  await rm(tmp, { force: true });
  // Created 0600 with 'wx' (never an older file's mode): the token is not readable by others, even briefly.
  await writeFile(tmp, `${JSON.stringify(entries, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
  return had;
}
