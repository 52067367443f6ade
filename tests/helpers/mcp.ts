// Talking to the real `myfav-coworker mcp` process in tests, two ways:
// - connectStdio(): the SDK's Client over its StdioClientTransport, as Claude Desktop-like clients do;
//   every stdout line that is not a JSON-RPC message shows up in `protocolErrors`.
// - spawnServer(): our own pipes, for life-cycle tests that need to close stdin or signal the process
//   themselves (StdioClientTransport.close() sends SIGTERM after 2 s, which would hide a server that
//   ignores a closed stdin). Every raw stdout line is kept and checked.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type CallToolResult,
  type JSONRPCMessage,
  JSONRPCMessageSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { binPath, cliEnv, repoRoot } from './cli.js';

export interface StdioSession {
  client: Client;
  pid: number;
  /** stdout content that was not a valid JSON-RPC message (must stay empty). */
  protocolErrors: string[];
  stderr(): string;
  close(): Promise<void>;
}

export async function connectStdio(opts: {
  home: string;
  env?: Record<string, string>;
}): Promise<StdioSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [binPath, 'mcp'],
    env: cliEnv(opts.home, opts.env),
    cwd: repoRoot,
    stderr: 'pipe',
  });
  const protocolErrors: string[] = [];
  let stderr = '';
  transport.stderr?.on('data', (d) => {
    stderr += d;
  });
  // Chained by Client.connect: a line that is not JSON-RPC fails the SDK's parse and lands here.
  transport.onerror = (err) => protocolErrors.push(err.message);
  const client = new Client({ name: 'myfav-test', version: '1.0.0' });
  await client.connect(transport);
  const pid = transport.pid;
  if (pid === null) throw new Error('the server process did not start');
  return {
    client,
    pid,
    protocolErrors,
    stderr: () => stderr,
    close: () => client.close(),
  };
}

/** A line-recording stdio transport over a child we spawned ourselves. */
class PipeTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly lines: string[] = [];
  readonly badLines: string[] = [];
  private buffer = '';

  constructor(private readonly child: ChildProcessWithoutNullStreams) {}

  async start(): Promise<void> {
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.lines.push(line);
        let message: JSONRPCMessage;
        try {
          message = JSONRPCMessageSchema.parse(JSON.parse(line));
        } catch {
          this.badLines.push(line);
          continue;
        }
        this.onmessage?.(message);
      }
    });
    this.child.on('exit', () => this.onclose?.());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (!this.child.stdin.writable) throw new Error('stdin is closed');
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  async close(): Promise<void> {
    this.child.stdin.end();
  }

  /** Whatever stdout held after the last newline (must be empty: messages end with one). */
  get partial(): string {
    return this.buffer;
  }
}

export interface ServerProcess {
  client: Client;
  child: ChildProcessWithoutNullStreams;
  pid: number;
  /** Raw stdout lines so far. */
  lines: string[];
  /** stdout lines that are not JSON-RPC messages, plus any unterminated tail (must stay empty). */
  badOutput(): string[];
  stderr(): string;
  /** Resolves with the exit when the process ends, or null after `ms`. */
  exited(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | null>;
  /** SIGKILL if still running; always safe. */
  kill(): void;
}

export async function spawnServer(opts: {
  home: string;
  env?: Record<string, string>;
  args?: string[];
}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [binPath, ...(opts.args ?? ['mcp'])], {
    cwd: repoRoot,
    env: cliEnv(opts.home, opts.env),
    stdio: 'pipe',
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const transport = new PipeTransport(child);
  const client = new Client({ name: 'myfav-test-pipes', version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    child,
    pid: child.pid!,
    lines: transport.lines,
    badOutput: () => [...transport.badLines, ...(transport.partial ? [transport.partial] : [])],
    stderr: () => stderr,
    exited: (ms) =>
      Promise.race([exit, new Promise<null>((resolve) => setTimeout(() => resolve(null), ms).unref())]),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** The text parts of a tool result, joined. */
export function textOf(result: unknown): string {
  const content = (result as CallToolResult).content ?? [];
  return content
    .filter((c): c is Extract<CallToolResult['content'][number], { type: 'text' }> => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
}

export function imagesOf(result: unknown): Array<{ data: string; mimeType: string }> {
  const content = (result as CallToolResult).content ?? [];
  return content
    .filter((c): c is Extract<CallToolResult['content'][number], { type: 'image' }> => c.type === 'image')
    .map((c) => ({ data: c.data, mimeType: c.mimeType }));
}

/** The job id a simulate_pr result names. */
export function jobIdOf(result: unknown): string {
  const match = /job ([0-9a-z]+-[0-9a-z]{4})\b/.exec(textOf(result));
  if (!match?.[1]) throw new Error(`no job id in: ${textOf(result)}`);
  return match[1];
}

/** Poll get_simulation until `done(text)` holds; returns the last text. */
export async function pollJob(
  client: Client,
  jobId: string,
  done: (text: string) => boolean,
  timeoutMs = 60_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = textOf(await client.callTool({ name: 'get_simulation', arguments: { job_id: jobId } }));
    if (done(text)) return text;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not get there in ${timeoutMs} ms: ${text}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A repository whose app never gets ready: `npm run start` runs a server that chatters on stdout and
 * stderr (JSON-looking lines included) and does not listen for minutes. A job on it sits in `launch`
 * with its dev server processes running — what cancel and shutdown must clean up.
 */
export const slowAppFiles: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'slow-app', private: true, scripts: { start: 'node server.js' } }),
  '.myfav-coworker.json': JSON.stringify({ readyTimeout: 600 }),
  'server.js': [
    "process.stdout.write('Content-Length: 42\\r\\n\\r\\n');",
    'let n = 0;',
    'setInterval(() => {',
    '  n++;',
    '  console.log(JSON.stringify({ jsonrpc: "2.0", method: "chatty", params: { n } }));',
    "  console.log('dev server: compiling module ' + n + '…');",
    "  console.error('warn: slow start ' + n);",
    '}, 20);',
    "setTimeout(() => require('node:http').createServer((q, s) => s.end('late')).listen(process.env.PORT), 10 * 60_000);",
  ].join('\n'),
};

/** pid → parent pid of every process, from /proc. */
function parentMap(): Map<number, number> {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  return parentOf;
}

/** Processes started, directly or not, by `ancestor` (still running or not yet reaped). */
export function descendantsOf(ancestor: number): number[] {
  const parentOf = parentMap();
  return [...parentOf.keys()].filter((pid) => {
    for (
      let p = parentOf.get(pid), hops = 0;
      p !== undefined && p > 1 && hops < 64;
      p = parentOf.get(p), hops++
    ) {
      if (p === ancestor) return true;
    }
    return false;
  });
}

/**
 * Descendants of `serverPid` whose stdin or stdout is the server's own stdin or stdout pipe — which
 * must never happen: a child writing there corrupts the protocol, one reading there steals the
 * client's messages. Linux (/proc) only.
 */
export async function childrenSharingStdio(
  serverPid: number,
): Promise<Array<{ pid: number; fd: number; command: string }>> {
  // A child caught between fork and exec still has the server's command line and fds for a moment;
  // only what shares stdio in each of several samples counts.
  let found = stdioSharers(serverPid);
  for (let sample = 0; sample < 3 && found.length > 0; sample++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = stdioSharers(serverPid);
    found = found.filter((f) =>
      again.some((a) => a.pid === f.pid && a.fd === f.fd && a.command === f.command),
    );
  }
  return found;
}

function stdioSharers(serverPid: number): Array<{ pid: number; fd: number; command: string }> {
  const link = (pid: number, fd: number) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      return null;
    }
  };
  const ours = new Set([link(serverPid, 0), link(serverPid, 1)].filter((l): l is string => l !== null));
  const found: Array<{ pid: number; fd: number; command: string }> = [];
  for (const pid of descendantsOf(serverPid)) {
    for (const fd of [0, 1]) {
      const target = link(pid, fd);
      if (target !== null && ours.has(target)) {
        let command = '';
        try {
          command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').slice(0, 120);
        } catch {
          // gone
        }
        found.push({ pid, fd, command });
      }
    }
  }
  return found;
}
