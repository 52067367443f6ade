// A 5xx seen in the browser has its cause on the server side: the app's own log usually holds the
// stack trace. These are the few lines of that log worth quoting next to the finding.

import { clip } from '../clip.js';

const maxLines = 4;
// `\w*error` also takes JavaScript's error names (TypeError, ReferenceError), which \berror\b misses.
const errorLine = /\b(\w*error|exception|traceback|panic|fatal|unhandled|failed)\b/i;
/** A frame of a JavaScript stack trace ("    at handler (/app/server.js:12:7)"). */
const jsFrame = /^\s+at\s/;

/**
 * Lines of `log` that explain a server error on `requestPath`: the last line naming the path and the
 * lines after it (a stack trace usually follows), else the last error-looking lines. [] when nothing fits.
 */
export function serverLogExcerpt(
  log: string,
  requestPath: string,
  /** false: [] unless the log names the path (another service's log, which may not be the culprit). */
  fallback = true,
): string[] {
  const lines = log
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .filter((l) => l.trim() !== '');
  const mentions = lines.flatMap((line, i) => (namesPath(line, requestPath) ? [i] : []));
  const start = mentions.at(-1);
  if (start !== undefined) {
    const traceback = pythonTraceback(lines, start + 1);
    return (traceback ? [lines[start]!, ...traceback] : lines.slice(start, start + maxLines)).map((line) =>
      clip(line, 300),
    );
  }
  if (!fallback) return [];
  const errorAt = lines.flatMap((line, i) => (errorLine.test(line) ? [i] : []));
  const last = errorAt.at(-1);
  // A Node server logs a failed request as its error and stack: the error and its first frames.
  if (last !== undefined && jsFrame.test(lines[last + 1] ?? ''))
    return [lines[last]!, ...lines.slice(last + 1, last + maxLines).filter((l) => jsFrame.test(l))].map(
      (line) => clip(line, 300),
    );
  return errorAt.slice(-maxLines).map((i) => clip(lines[i]!, 300));
}

/** `/api/products` in "GET /api/products HTTP/1.1", not in "GET /api/products/2". */
function namesPath(line: string, requestPath: string): boolean {
  for (let at = line.indexOf(requestPath); at >= 0; at = line.indexOf(requestPath, at + 1)) {
    const next = line[at + requestPath.length];
    if (next === undefined || !/[\w/.-]/.test(next)) return true;
  }
  return false;
}

// Python servers (uvicorn, gunicorn, Flask, Django) log a request and then its traceback: dozens of
// frames of the framework before the one line that says what went wrong. Quoted: the frames in the
// app's own code (not an installed package's) and the exception itself.
const tracebackStart = 'Traceback (most recent call last):';
const packageFrame = /^\s*File "[^"]*(?:site-packages|dist-packages|\/lib\/python\d[^"/]*\/)/;
const ownFramesQuoted = 2;

/** The traceback starting within a few lines of `from`, compacted; undefined when there is none. */
function pythonTraceback(lines: string[], from: number): string[] | undefined {
  const start = lines.slice(from, from + 3).indexOf(tracebackStart);
  if (start < 0) return undefined;
  const frames: Array<[string, string | undefined]> = [];
  for (let i = from + start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*File "/.test(line)) {
      const code = lines[i + 1];
      frames.push([
        line,
        code !== undefined && /^\s{4,}\S/.test(code) && !/^\s*File "/.test(code) ? code : undefined,
      ]);
      continue;
    }
    if (/^\s/.test(line)) continue; // the code line of a frame, or ^^^^ markers
    const own = frames.filter(([file]) => !packageFrame.test(file));
    const quoted = (own.length ? own : frames).slice(-ownFramesQuoted);
    return [tracebackStart, ...quoted.flatMap(([file, code]) => (code ? [file, code] : [file])), line];
  }
  return undefined;
}
