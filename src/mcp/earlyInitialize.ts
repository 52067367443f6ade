// The handshake before the server has loaded. Spawn → `initialize` answered is what a client waits
// for before anything else, and most of a cold start is loading the MCP SDK and zod (~1.5 MB of
// bundled code, their schemas built at import). So the MCP entry reads the first message itself and,
// when it is a well-formed `initialize`, answers it from identity.ts — the answer the SDK would give
// (protocol version negotiated the SDK's way) — while the rest loads. Everything read so far, the
// `initialize` included, is then handed to the SDK's server, so it knows the client (its capabilities,
// e.g. elicitation or tasks) as if it had answered; its own answer to that `initialize` is not sent
// again (stdio.ts drops it and checks it equals ours).

import type { Readable } from 'node:stream';
import { instructions, SUPPORTED_PROTOCOL_VERSIONS, serverCapabilities, serverInfo } from './identity.js';

export interface EarlyHandshake {
  /** Everything read from stdin so far (to be read again by the SDK's transport). */
  buffered: Buffer;
  /** Set when the first message was an `initialize` that was answered here. */
  answered?: { id: string | number; result: Record<string, unknown> };
  /** stdin ended before a whole line came (the server stops once it has read what there was). */
  ended?: true;
}

/** The `initialize` result for these request params, or null when they are not a valid request. */
export function initializeResult(params: unknown, version: string): Record<string, unknown> | null {
  if (!params || typeof params !== 'object') return null;
  const p = params as { protocolVersion?: unknown; capabilities?: unknown; clientInfo?: unknown };
  const client = p.clientInfo as { name?: unknown; version?: unknown } | undefined;
  if (
    typeof p.protocolVersion !== 'string' ||
    !p.capabilities ||
    typeof p.capabilities !== 'object' ||
    typeof client?.name !== 'string' ||
    typeof client.version !== 'string'
  ) {
    return null;
  }
  return {
    protocolVersion: SUPPORTED_PROTOCOL_VERSIONS.includes(p.protocolVersion)
      ? p.protocolVersion
      : SUPPORTED_PROTOCOL_VERSIONS[0],
    capabilities: serverCapabilities,
    serverInfo: serverInfo(version),
    instructions,
  };
}

/**
 * Read stdin up to the end of the first line; answer it when it is `initialize`. Resolves with what
 * was read (also when stdin ends first, or the line is anything else: the SDK deals with it).
 */
export function answerInitializeEarly(
  stdin: Readable,
  write: (line: string) => void,
  version: string,
): Promise<EarlyHandshake> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const finish = (answered?: EarlyHandshake['answered'], ended = false) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
      resolve({
        buffered: Buffer.concat(chunks),
        ...(answered ? { answered } : {}),
        ...(ended ? { ended: true as const } : {}),
      });
    };
    const onEnd = () => finish(undefined, true);
    const onData = (chunk: Buffer | string) => {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      const all = Buffer.concat(chunks);
      const nl = all.indexOf(0x0a);
      if (nl < 0) return;
      finish(answer(all.subarray(0, nl).toString('utf8'), write, version));
    };
    stdin.on('data', onData);
    stdin.on('end', onEnd);
  });
}

function answer(
  line: string,
  write: (line: string) => void,
  version: string,
): EarlyHandshake['answered'] | undefined {
  let message: { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
  try {
    message = JSON.parse(line);
  } catch {
    return undefined;
  }
  const { id } = message;
  if (message?.jsonrpc !== '2.0' || message.method !== 'initialize') return undefined;
  if (typeof id !== 'string' && typeof id !== 'number') return undefined;
  const result = initializeResult(message.params, version);
  if (!result) return undefined;
  write(`${JSON.stringify({ result, jsonrpc: '2.0', id })}\n`);
  return { id, result };
}
