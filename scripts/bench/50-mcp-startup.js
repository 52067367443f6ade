// MCP server start-up: time from spawn to the `initialize` response and to the `tools/list` response,
// and resident memory once idle — our `myfav-coworker mcp` side by side with @playwright/mcp (a dev
// dependency) as the reference stdio server and a bare-node stub that answers `initialize` and
// `tools/list` and nothing else (the floor: Node's own start-up), in the same run, runs interleaved.
// Goals (issue 12): initialize ≤ 0.4× @playwright/mcp and ≤ 2× the stub; idle RSS ≤ 60 MB. A fourth row is
// the memory floor of any server built on the official SDK: one tool, bundled by esbuild like ours.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'esbuild';

const runs = 9;
const idleMs = 1500;

// The floor: a node process that reads lines and answers the two requests.
const stubSource = `let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buf += chunk;
  for (let nl = buf.indexOf('\\n'); nl >= 0; nl = buf.indexOf('\\n')) {
    const m = JSON.parse(buf.slice(0, nl));
    buf = buf.slice(nl + 1);
    if (m.id === undefined) continue;
    const result = m.method === 'initialize'
      ? { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'stub', version: '0' } }
      : { tools: [] };
    process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: m.id, result }) + '\\n');
  }
});
`;

// The smallest server the MCP SDK makes: what its own modules (protocol types in zod, ajv) cost.
const sdkMinimalSource = `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
const server = new McpServer({ name: 'sdk-minimal', version: '0' });
server.registerTool('echo', { description: 'echo', inputSchema: { text: z.string() } }, async ({ text }) => ({
  content: [{ type: 'text', text }],
}));
await server.connect(new StdioServerTransport());
`;

export default async function mcpStartup(ctx) {
  const work = mkdtempSync(path.join(os.tmpdir(), 'myfav-bench-mcp-'));
  const stub = path.join(work, 'stub-server.mjs');
  writeFileSync(stub, stubSource);
  const sdkMinimal = path.join(work, 'sdk-minimal.mjs');
  await build({
    absWorkingDir: ctx.root,
    stdin: { contents: sdkMinimalSource, resolveDir: ctx.root, loader: 'js' },
    outfile: sdkMinimal,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    logLevel: 'warning',
  });
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
    { name: 'bare node stub (floor)', args: [stub], env: {} },
    { name: 'MCP SDK, one tool, bundled (SDK floor)', args: [sdkMinimal], env: {} },
  ];
  const results = new Map(servers.map((s) => [s.name, []]));
  try {
    // One run each first, not counted: fills Node's compile cache (module.enableCompileCache), as any
    // earlier start on the machine would have.
    for (const server of servers) await measure(server, work);
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
  const initMedian = (name) => median(results.get(name).map((x) => x.initializeMs));
  const ours = initMedian(servers[0].name);
  const rows = servers.map((s) => {
    const r = results.get(s.name);
    const init = initMedian(s.name);
    return [
      s.name,
      `${Math.round(init)} ms`,
      s === servers[0] ? '1.00' : (ours / init).toFixed(2),
      `${Math.round(median(r.map((x) => x.toolsListMs)))} ms`,
      r[0].rssKb ? `${(median(r.map((x) => x.rssKb)) / 1024).toFixed(1)} MB` : 'n/a',
      String(r[0].tools),
      `${(median(r.map((x) => x.toolsListBytes)) / 1024).toFixed(1)} KB`,
    ];
  });
  const rssOf = (name) => median(results.get(name).map((x) => x.rssKb)) / 1024;
  const rss = rssOf(servers[0].name);
  const vsPlaywright = ours / initMedian(servers[1].name);
  const vsStub = ours / initMedian(servers[2].name);
  const goal = (ok) => (ok ? 'met' : 'NOT met');
  return {
    title: 'MCP server start-up over stdio (median of runs, interleaved)',
    columns: [
      'server',
      'spawn → initialize',
      'ours ÷ this',
      'spawn → tools/list',
      `RSS idle (+${idleMs / 1000} s)`,
      'tools',
      'tools/list size',
    ],
    rows,
    notes: [
      `${runs} runs each, interleaved, after one uncounted warm-up run each (Node's compile cache); spawned with \`node\` directly (npx adds its own start-up on top), Node ${process.version}, ${os.cpus().length} CPU(s), load average ${os.loadavg()[0].toFixed(1)} at the end.`,
      'RSS from /proc/<pid>/status (VmRSS) after the handshake and tools/list, then an idle pause; Linux only.',
      `Goals: initialize ≤ 0.4× @playwright/mcp: ${vsPlaywright.toFixed(2)}× (${goal(vsPlaywright <= 0.4)}); ≤ 2× the bare stub: ${vsStub.toFixed(2)}× (${goal(vsStub <= 2)}); idle RSS ≤ 60 MB: ${rss.toFixed(1)} MB (${goal(rss <= 60)}); a one-tool server on the SDK takes ${rssOf(servers[3].name).toFixed(1)} MB${rssOf(servers[3].name) > 60 ? ', so 60 MB is out of reach for any server built on it' : ''}.`,
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
