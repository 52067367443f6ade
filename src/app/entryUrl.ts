// `--url` / "url" is either an absolute http(s) URL the app comes up at, or a path on the origin we give it.
// Parsed during detection too, so a typo fails before a long install rather than after it.

import { CoworkerError } from '../errors.js';

export type EntryUrl = { kind: 'absolute'; url: URL; port: number } | { kind: 'path'; path: string };

export function parseEntryUrl(value: string | undefined): EntryUrl {
  if (value === undefined || value === '') return { kind: 'path', path: '/' };
  if (value.startsWith('/') && !value.startsWith('//')) return { kind: 'path', path: value };
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new CoworkerError(
      'INVALID_INPUT',
      `The app URL "${value}" is neither an http(s) URL nor a path starting with "/".`,
      'Pass --url as a path on the app (e.g. /app) or a full URL (e.g. http://127.0.0.1:5173/), or fix "url" in .myfav-coworker.json.',
    );
  }
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { kind: 'absolute', url, port };
}
