// The MCP entry answers `initialize` before the SDK has loaded (src/mcp/earlyInitialize.ts): its answer
// must be the SDK server's own, for every protocol version a client may ask for, and the SDK's server
// must still learn who the client is. Over the real binary's stdio, and in-process against the SDK.
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { SUPPORTED_PROTOCOL_VERSIONS as sdkVersions } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeps, type Deps } from '../../src/deps.js';
import { JobService } from '../../src/jobs/service.js';
import { silentLogger } from '../../src/log.js';
import { initializeResult } from '../../src/mcp/earlyInitialize.js';
import { SUPPORTED_PROTOCOL_VERSIONS } from '../../src/mcp/identity.js';
import { createServer } from '../../src/mcp/server.js';
import { spawnCli, tempHome } from '../helpers/cli.js';

let home: ReturnType<typeof tempHome>;
let deps: Deps;

beforeAll(() => {
  home = tempHome();
  deps = createDeps({ env: { MYFAV_COWORKER_HOME: home.dir }, logger: silentLogger });
});

afterAll(() => {
  deps?.close();
  home?.cleanup();
});

const params = (protocolVersion: string) => ({
  protocolVersion,
  capabilities: { elicitation: {} },
  clientInfo: { name: 'early-test', version: '1.2.3' },
});

/** The SDK server's answer to a raw initialize, in-process. */
async function sdkAnswer(protocolVersion: string): Promise<unknown> {
  const service = new JobService({
    paths: deps.paths,
    logger: silentLogger,
    store: () => deps.store(),
    jobDeps: () => ({ paths: deps.paths, logger: silentLogger, store: deps.store() }),
  });
  const server = createServer({ service, logger: silentLogger, version: '9.9.9' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const answer = new Promise<JSONRPCMessage>((resolve) => {
    clientSide.onmessage = resolve;
  });
  await clientSide.start();
  await clientSide.send({ jsonrpc: '2.0', id: 7, method: 'initialize', params: params(protocolVersion) });
  const message = (await answer) as { result?: unknown };
  await server.close();
  return message.result;
}

describe('the early initialize answer', () => {
  it('speaks the protocol versions the SDK speaks', () => {
    expect(SUPPORTED_PROTOCOL_VERSIONS).toEqual(sdkVersions);
  });

  it.each(['2025-11-25', '2025-06-18', '2024-11-05', '2099-01-01'])(
    'equals the SDK server’s answer when the client asks for %s',
    async (version) => {
      expect(initializeResult(params(version), '9.9.9')).toEqual(await sdkAnswer(version));
    },
  );

  it('leaves malformed initialize requests to the SDK', () => {
    expect(initializeResult({ protocolVersion: '2025-11-25' }, '1')).toBeNull();
    expect(initializeResult(null, '1')).toBeNull();
  });
});

/** The real binary over pipes: every stdout line, stderr, and how it exited. */
function runServer(input: (stdin: NodeJS.WritableStream) => void, env: Record<string, string> = {}) {
  const child = spawnCli(['mcp'], { home: home.dir, env: { MYFAV_DEBUG: '1', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  input(child.stdin);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

const line = (message: object) => `${JSON.stringify(message)}\n`;

describe('myfav-coworker mcp over stdio', () => {
  it('answers initialize once, then the SDK serves the rest and knows the client', async () => {
    const server = runServer((stdin) => {
      // All at once, as a fast client sends it: the early reader must hand the rest on.
      stdin.write(
        line({ jsonrpc: '2.0', id: 1, method: 'initialize', params: params('2025-06-18') }) +
          line({ jsonrpc: '2.0', method: 'notifications/initialized' }) +
          line({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      );
    });
    const deadline = Date.now() + 30_000;
    while (!server.out().includes('"id":2') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    server.child.stdin.end();
    expect(await server.exited).toBe(0);
    const messages = server
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id?: number; result?: Record<string, unknown> });
    expect(messages.map((m) => m.id)).toEqual([1, 2]);
    expect(messages[0]?.result).toEqual(initializeResult(params('2025-06-18'), '0.1.0'));
    expect((messages[1]?.result?.tools as unknown[] | undefined) ?? []).toHaveLength(6);
    expect(server.err()).toContain('MCP client: early-test 1.2.3 (capabilities: elicitation)');
    expect(server.err()).not.toMatch(/differs/);
  });

  it('exits when stdin closes before the first line is complete', async () => {
    const server = runServer((stdin) => {
      stdin.write('{"jsonrpc":"2.0","id":1,"meth');
      stdin.end();
    });
    expect(await server.exited).toBe(0);
  });

  it('exits when the client goes away with all three pipes closed', async () => {
    const server = runServer((stdin) => {
      stdin.write(line({ jsonrpc: '2.0', id: 1, method: 'initialize', params: params('2025-11-25') }));
    });
    const deadline = Date.now() + 30_000;
    while (!server.out().includes('"id":1') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    // Its logs and answers now go to closed pipes: a failed write must not keep it alive.
    server.child.stdout.destroy();
    server.child.stderr.destroy();
    server.child.stdin.end();
    const code = await Promise.race([
      server.exited,
      new Promise((r) => setTimeout(() => r('still running'), 15_000)),
    ]);
    if (code === 'still running') server.child.kill('SIGKILL');
    expect(code).toBe(0);
  });
});
