// Dev servers print the URL they bound ("➜  Local:   http://localhost:4321/"). When a server ignored
// the port we gave it (a script with its own --port, a server that moved to the next free port), that
// line says where it is: if the port is held by our own process group, we use it (with a note in the
// report) instead of waiting until the ready timeout.

import { readFile } from 'node:fs/promises';
import { checkPortOwner, type Ours } from './portOwner.js';
import { probeHttp } from './readiness.js';

/** Loopback URLs with an explicit port, in the order the log announces them. */
export function announcedUrls(logText: string): URL[] {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are what we remove.
  const plain = logText.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
  const found = new Map<string, URL>();
  const pattern =
    /\bhttps?:\/\/(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1?\]):(\d{2,5})(?:\/[^\s'"<>)\]]*)?/g;
  for (const m of plain.matchAll(pattern)) {
    try {
      const url = new URL(m[0]);
      if (!found.has(url.port)) found.set(url.port, url);
    } catch {
      // not a URL after all
    }
  }
  return [...found.values()];
}

export interface AnnouncedApp {
  url: URL;
  remoteAddress: string;
  announced: string;
}

/**
 * A server our launch owns, at a URL the app log announced on another port than `ourPort`, answering
 * the entry path; undefined when there is none (yet).
 */
export async function findAnnouncedApp(
  logFile: string,
  ourPort: number,
  entryPath: string,
  ours: Ours,
): Promise<AnnouncedApp | undefined> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  for (const announced of announcedUrls(text.slice(0, 1_000_000))) {
    const port = Number(announced.port);
    if (port === ourPort) continue;
    // Loopback only, v4 first: "localhost" may be either.
    for (const host of ['127.0.0.1', '[::1]']) {
      const url = new URL(entryPath, `${announced.protocol}//${host}:${port}`);
      const probe = await probeHttp(url, 2000);
      if (!probe.ok) continue;
      const owner = await checkPortOwner(port, probe.remoteAddress, ours);
      if (owner.kind === 'ours')
        return { url, remoteAddress: probe.remoteAddress, announced: announced.href };
    }
  }
  return undefined;
}
