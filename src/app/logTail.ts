// The end of an install/app log, for error messages: what a user needs to see why it failed without
// opening the file. Read from the end so a huge dev-server log costs nothing.
//
// The last lines are not always enough: npm prints its real error first and then ~80 lines of usage
// text (EUSAGE), so the tail alone would show only the usage. When the first error-looking line lies
// before the tail, a few lines from there are shown too.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { redactSecrets } from '../redact.js';

const maxBytes = 256 * 1024;
const errorLine = /\b(error|err!|fatal|failed|exception)\b/i;
const firstErrorLines = 8;

/** Last `lines` lines of the log, preceded by the first error block when it is not among them. */
export function readLogTail(logFile: string, lines = 40): string {
  const all = readEnd(logFile).trimEnd().split('\n');
  const tailStart = Math.max(0, all.length - lines);
  const tail = all.slice(tailStart);
  // "$ <command>" headers are ours (spawnInGroup): a command may well contain the word "error".
  const firstError = all.findIndex((line) => !line.startsWith('$ ') && errorLine.test(line));
  const parts =
    firstError >= 0 && firstError < tailStart
      ? [...all.slice(firstError, Math.min(firstError + firstErrorLines, tailStart)), '…', ...tail]
      : tail;
  // The log ends up in reports and chat transcripts: mask anything that looks like a token.
  return redactSecrets(parts.join('\n'));
}

/** "\n\nFrom <log>:\n…" or '' when the log is empty. */
export function formatLogTail(logFile: string, lines = 40): string {
  const tail = readLogTail(logFile, lines);
  return tail ? `\n\nFrom ${logFile}:\n${tail}` : '';
}

function readEnd(logFile: string): string {
  let fd: number;
  try {
    fd = openSync(logFile, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    const text = buf.toString('utf8');
    return length < size ? text.slice(text.indexOf('\n') + 1) : text; // drop the cut-off first line
  } finally {
    closeSync(fd);
  }
}
