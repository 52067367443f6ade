// `KEY=VALUE` files (`--env-file`, the `.env` format): comments, `export `, single/double quotes.
// Multi-line values and `${VAR}` expansion are left out: they are rare in what users pass us.

import { readFile } from 'node:fs/promises';
import { CoworkerError } from '../errors.js';

const namePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseDotenv(text: string, where: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([^=\s]+)\s*=\s*(.*)$/.exec(line);
    const name = m?.[1];
    if (!m || name === undefined || !namePattern.test(name)) {
      // The line itself is not quoted: it may hold a secret.
      throw new CoworkerError(
        'INVALID_INPUT',
        `${where}, line ${i + 1}, is not KEY=VALUE.`,
        'Write one variable per line as NAME=value (# starts a comment).',
      );
    }
    values[name] = unquote(m[2] ?? '');
  }
  return values;
}

function unquote(value: string): string {
  const quoted = /^(['"])(.*)\1$/.exec(value);
  if (quoted) {
    const inner = quoted[2] ?? '';
    return quoted[1] === '"' ? inner.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1') : inner;
  }
  return value.replace(/\s+#.*$/, '');
}

export async function readDotenvFile(file: string, flag: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CoworkerError(
      'INVALID_INPUT',
      `${flag} ${file} could not be read: ${(err as Error).message}`,
      `Give ${flag} the path of a file of NAME=value lines.`,
      { cause: err },
    );
  }
  return parseDotenv(text, `${flag} ${file}`);
}

export const isEnvName = (name: string): boolean => namePattern.test(name);
