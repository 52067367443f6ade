// MCP server start-up: time from spawn to the `initialize` response and to the `tools/list` response,
// and resident memory once idle — our `myfav-coworker mcp` side by side with @playwright/mcp (a dev
// dependency) as the reference stdio server, in the same run, runs interleaved.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const runs = 7;
const idleMs = 1500;

export default async function mcpStartup(ctx) {
  const work = mkdtempSync(path.join(os.tmpdir(), 'myfav-bench-mcp-'));
  const servers = [
    {
      name: 'myfav-coworker mcp',
      args: [ctx.bin, 'mcp'],
      env: { MYFAV_COWORKER_HOME: path.join(work, 'home') },
    },
    {
      name: '@playwright/mcp (reference)',
      // No browser is started for initialize/tools/list; the flags only keep it away from downloads.
      args: [
        path.join(ctx.root, 'node_modules/@playwright/mcp/cli.js'),
        '--headless',
        '--isolated',
        '--output-dir',
        path.join(work, 'playwright-mcp'),
        ...(existsSync('/usr/bin/chromium') ? ['--executable-path', '/usr/bin/chromium'] : []),
      ],
      env: {},
    },
  ];
  const results = new Map(servers.map((s) => [s.name, []]));
  try {
    for (let i = 0; i < runs; i++) {
      for (const server of servers) {
        ctx.log(`${server.name}: run ${i + 1}/${runs}`);
        results.get(server.name).push(await measure(server, work));
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const rows = servers.map((s) => {
    const r = results.get(s.name);
    return [
      s.name,
      `${Math.round(median(r.map((x) => x.initializeMs)))} ms`,
      `${Math.round(median(r.map((x) => x.toolsListMs)))} ms`,
      r[0].rssKb ? `${(median(r.map((x) => x.rssKb)) / 1024).toFixed(1)} MB` : 'n/a',
      String(r[0].tools),
      `${(median(r.map((x) => x.toolsListBytes)) / 1024).toFixed(1)} KB`,
    ];
  });
  return {
    title: 'MCP server start-up over stdio (median of runs, interleaved)',
    columns: [
      'server',
      'spawn → initialize',
      'spawn → tools/list',
      `RSS idle (+${idleMs / 1000} s)`,
      'tools',
      'tools/list size',
    ],
    rows,
    notes: [
      `${runs} runs each, spawned with \`node\` directly (npx adds its own start-up on top), Node ${process.version}, ${os.cpus().length} CPU(s).`,
      'RSS from /proc/<pid>/status (VmRSS) after the handshake and tools/list, then an idle pause; Linux only.',
    ],
  };
}

async function measure(server, work) {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, server.args, {
    cwd: work,
    env: { ...process.env, ...server.env, NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
  const waiting = new Map();
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const message = JSON.parse(line);
      waiting.get(message.id)?.({ at: ms(), message, bytes: Buffer.byteLength(line) });
    }
  });
  const request = (id, method, params = {}) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${server.name}: no answer to ${method}`)), 30_000);
      waiting.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  try {
    const init = await request(1, 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'myfav-bench', version: '1.0.0' },
    });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    const list = await request(2, 'tools/list');
    await sleep(idleMs);
    return {
      initializeMs: init.at,
      toolsListMs: list.at,
      tools: list.message.result.tools.length,
      toolsListBytes: list.bytes,
      rssKb: rssKb(child.pid),
    };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

function rssKb(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}
