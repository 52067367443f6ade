// A 5xx seen in the browser has its cause on the server side: the app's own log usually holds the
// stack trace. These are the few lines of that log worth quoting next to the finding.

import { clip } from '../clip.js';

const maxLines = 4;
const errorLine = /\b(error|exception|traceback|panic|fatal|unhandled|failed)\b/i;

/**
 * Lines of `log` that explain a server error on `requestPath`: the last line naming the path and the
 * lines after it (a stack trace usually follows), else the last error-looking lines. [] when nothing fits.
 */
export function serverLogExcerpt(log: string, requestPath: string): string[] {
  const lines = log
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .filter((l) => l.trim() !== '');
  const mentions = lines.flatMap((line, i) => (line.includes(requestPath) ? [i] : []));
  const start = mentions.at(-1);
  if (start !== undefined) return lines.slice(start, start + maxLines).map((line) => clip(line, 300));
  return lines
    .filter((l) => errorLine.test(l))
    .slice(-maxLines)
    .map((line) => clip(line, 300));
}
