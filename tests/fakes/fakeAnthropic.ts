// A stand-in for the Anthropic Messages API on 127.0.0.1, for the real SDK pointed at it with
// ANTHROPIC_BASE_URL. It answers POST /v1/messages with scripted turns (a turn may read the request, e.g.
// take a ref out of the last tool result) and POST /v1/messages/count_tokens with the documented estimate
// (4 characters per token). Every request is checked against the rules of the real API — message roles,
// tool_use/tool_result pairing, tool definitions, image blocks, cache_control — and a request that breaks
// one gets the real API's 400 answer and is listed in `problems`, so a test can assert there are none.
//
// Usage is simulated with prompt caching: a request's prefix up to a cache breakpoint is "written"; a later
// request whose prefix (at any block boundary up to 20 blocks before one of its breakpoints) was written
// reads it from the cache. So the counts say whether our prefix really stays stable from turn to turn.

import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  /** When it arrived (Date.now()). */
  at: number;
  path: string;
  headers: http.IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: a raw JSON body, checked field by field below.
  body: any;
}

export interface FakeMessage {
  content: FakeBlock[];
  stop_reason?: 'end_turn' | 'tool_use' | 'max_tokens' | 'refusal' | 'stop_sequence';
  usage?: { input_tokens?: number; output_tokens?: number };
}

export type FakeBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

export type FakeReply =
  | FakeMessage
  | { status: number; type: string; message: string; headers?: Record<string, string> }
  | { hang: true };

/** A scripted turn: a reply, or a function of the request (and the turn's index) giving one. */
export type Turn = FakeReply | ((req: FakeRequest, index: number) => FakeReply | Promise<FakeReply>);

export interface FakeAnthropic {
  /** For ANTHROPIC_BASE_URL. */
  url: string;
  /** Every /v1/messages request received (retries included), in order. */
  requests: FakeRequest[];
  /** Requests that broke a rule of the API, with what was wrong. */
  problems: string[];
  /** Turns not used yet. */
  readonly pending: number;
  /** `hang` turns whose request the client has not given up yet (its connection still open). */
  readonly hanging: number;
  /** Queue turns; `repeat` keeps answering with the last one. */
  script(turns: Turn[], opts?: { repeatLast?: boolean }): void;
  close(): Promise<void>;
}

export async function startFakeAnthropic(opts: { apiKey?: string } = {}): Promise<FakeAnthropic> {
  const requests: FakeRequest[] = [];
  const problems: string[] = [];
  let queue: Turn[] = [];
  let repeatLast = false;
  let turnIndex = 0;
  const cached = new Set<string>();
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        'request-id': `req_fake_${randomBytes(6).toString('hex')}`,
        ...headers,
      });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, type: string, message: string, headers?: Record<string, string>) =>
      send(status, { type: 'error', error: { type, message } }, headers);

    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      error(400, 'invalid_request_error', 'body is not JSON');
      return;
    }
    const auth = req.headers['x-api-key'] ?? req.headers.authorization?.replace(/^Bearer /, '');
    if (opts.apiKey && auth !== opts.apiKey) {
      error(401, 'authentication_error', 'invalid x-api-key');
      return;
    }
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
      send(200, { input_tokens: estimate(body) });
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/messages') {
      error(404, 'not_found_error', `no route ${req.method} ${req.url}`);
      return;
    }
    const request: FakeRequest = { at: Date.now(), path, headers: req.headers, body };
    requests.push(request);
    const found = validate(body);
    if (found.length) {
      problems.push(...found.map((p) => `request ${requests.length}: ${p}`));
      error(400, 'invalid_request_error', found.join('; '));
      return;
    }

    let turn = queue.shift();
    if (turn === undefined && repeatLast && lastTurn !== undefined) turn = lastTurn;
    if (turn === undefined) {
      error(500, 'api_error', 'fake Anthropic: no scripted turn left');
      return;
    }
    lastTurn = turn;
    const reply = typeof turn === 'function' ? await turn(request, turnIndex) : turn;
    turnIndex++;
    if ('hang' in reply) {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if ('status' in reply) {
      error(reply.status, reply.type, reply.message, reply.headers);
      return;
    }
    const b = body as { model: string };
    const usage = simulateUsage(body, cached);
    const toolUse = reply.content.some((c) => c.type === 'tool_use');
    send(200, {
      id: `msg_fake_${randomBytes(8).toString('hex')}`,
      type: 'message',
      role: 'assistant',
      model: b.model,
      content: reply.content,
      stop_reason: reply.stop_reason ?? (toolUse ? 'tool_use' : 'end_turn'),
      stop_sequence: null,
      usage: {
        ...usage,
        output_tokens: reply.usage?.output_tokens ?? Math.ceil(JSON.stringify(reply.content).length / 4),
        ...(reply.usage?.input_tokens !== undefined ? { input_tokens: reply.usage.input_tokens } : {}),
      },
    });
  });
  let lastTurn: Turn | undefined;

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    problems,
    get pending() {
      return queue.length;
    },
    get hanging() {
      return hanging.size;
    },
    script(turns, o = {}) {
      queue = [...queue, ...turns];
      repeatLast = o.repeatLast ?? false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- helpers for scripts --------------------------------------------------------------------------

let ids = 0;
export function toolUse(name: string, input: unknown): FakeBlock {
  ids++;
  return {
    type: 'tool_use',
    id: `toolu_fake_${String(ids).padStart(4, '0')}_${randomBytes(4).toString('hex')}`,
    name,
    input,
  };
}

export function text(t: string): FakeBlock {
  return { type: 'text', text: t };
}

/** A reply of the model: some text and tool calls. */
export function reply(...content: FakeBlock[]): FakeMessage {
  return { content };
}

/** All text the model was sent in the last user message (tool results and notes). */
export function lastUserText(req: FakeRequest): string {
  const messages = req.body.messages as { role: string; content: unknown }[];
  const last = messages[messages.length - 1];
  return blockText(last?.content);
}

/** All text of the request's messages (the context message included). */
export function allText(req: FakeRequest): string {
  return (req.body.messages as { content: unknown }[]).map((m) => blockText(m.content)).join('\n');
}

/** The tool_result blocks of the last user message. */
export function lastToolResults(
  req: FakeRequest,
): { tool_use_id: string; is_error?: boolean; text: string; images: number }[] {
  const messages = req.body.messages as { role: string; content: unknown }[];
  const content = messages[messages.length - 1]?.content;
  if (!Array.isArray(content)) return [];
  return content
    .filter((b) => b.type === 'tool_result')
    .map((b) => ({
      tool_use_id: b.tool_use_id,
      ...(b.is_error !== undefined ? { is_error: b.is_error } : {}),
      text: blockText(b.content),
      images: Array.isArray(b.content)
        ? b.content.filter((c: { type: string }) => c.type === 'image').length
        : 0,
    }));
}

/** The ref on the (last) snapshot line matching `line`, e.g. refIn(text, /searchbox "Search notes"/). */
export function refIn(snapshotText: string, line: RegExp): string {
  const matches = snapshotText
    .split('\n')
    .filter((l) => line.test(l))
    .map((l) => /\[ref=([a-z0-9]+)\]/.exec(l)?.[1])
    .filter((r): r is string => Boolean(r));
  const ref = matches[matches.length - 1];
  if (!ref) throw new Error(`fake Anthropic: no ref for ${line} in:\n${snapshotText.slice(0, 3000)}`);
  return ref;
}

function blockText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b) => {
      if (b.type === 'text') return b.text;
      if (b.type === 'tool_result') return blockText(b.content);
      return '';
    })
    .join('\n');
}

// ---- the API's rules --------------------------------------------------------------------------------

const TOP_LEVEL = new Set([
  'model',
  'max_tokens',
  'messages',
  'system',
  'tools',
  'tool_choice',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'stream',
  'metadata',
  'thinking',
  'service_tier',
]);
const IMAGE_TYPES: Record<string, (b: Buffer) => boolean> = {
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8,
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/gif': (b) => b.subarray(0, 3).toString() === 'GIF',
  'image/webp': (b) => b.subarray(8, 12).toString() === 'WEBP',
};

// biome-ignore lint/suspicious/noExplicitAny: walking raw JSON.
export function validate(body: any): string[] {
  const p: string[] = [];
  if (!body || typeof body !== 'object') return ['body must be an object'];
  for (const key of Object.keys(body)) if (!TOP_LEVEL.has(key)) p.push(`unknown field ${key}`);
  if (typeof body.model !== 'string' || !body.model) p.push('model: required string');
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1)
    p.push('max_tokens: positive integer required');
  let breakpoints = 0;
  // biome-ignore lint/suspicious/noExplicitAny: raw JSON.
  const checkCache = (where: string, block: any) => {
    if (block?.cache_control === undefined || block.cache_control === null) return;
    breakpoints++;
    const cc = block.cache_control;
    if (cc.type !== 'ephemeral' || (cc.ttl !== undefined && cc.ttl !== '5m' && cc.ttl !== '1h')) {
      p.push(`${where}: cache_control must be {type: "ephemeral", ttl?: "5m"|"1h"}`);
    }
  };

  const toolNames = new Set<string>();
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) p.push('tools: must be an array');
    else
      body.tools.forEach(
        (t: { name?: unknown; description?: unknown; input_schema?: { type?: unknown } }, i: number) => {
          if (typeof t.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(t.name))
            p.push(`tools.${i}.name: invalid`);
          else if (toolNames.has(t.name)) p.push(`tools.${i}.name: duplicate ${t.name}`);
          else toolNames.add(t.name);
          if (t.description !== undefined && typeof t.description !== 'string')
            p.push(`tools.${i}.description: string`);
          if (t.input_schema?.type !== 'object') p.push(`tools.${i}.input_schema.type: must be "object"`);
          checkCache(`tools.${i}`, t);
        },
      );
  }

  if (body.system !== undefined) {
    if (Array.isArray(body.system)) {
      body.system.forEach((b: { type?: string; text?: unknown }, i: number) => {
        if (b.type !== 'text' || typeof b.text !== 'string' || !b.text)
          p.push(`system.${i}: non-empty text block required`);
        checkCache(`system.${i}`, b);
      });
    } else if (typeof body.system !== 'string') p.push('system: string or text blocks');
  }

  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    p.push('messages: non-empty array required');
    return p;
  }
  if (body.messages[0].role !== 'user') p.push('messages.0: the first message must be from the user');
  let previousToolUses: string[] = [];
  const allToolUseIds = new Set<string>();
  // biome-ignore lint/suspicious/noExplicitAny: raw JSON.
  body.messages.forEach((m: any, i: number) => {
    const where = `messages.${i}`;
    if (m.role !== 'user' && m.role !== 'assistant') p.push(`${where}.role: user or assistant`);
    if (i > 0 && body.messages[i - 1].role === m.role) p.push(`${where}: two ${m.role} messages in a row`);
    const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    if (!Array.isArray(blocks) || blocks.length === 0) {
      p.push(`${where}.content: non-empty`);
      previousToolUses = [];
      return;
    }
    const toolResults: string[] = [];
    let seenOther = false;
    // biome-ignore lint/suspicious/noExplicitAny: raw JSON.
    blocks.forEach((b: any, j: number) => {
      const at = `${where}.content.${j}`;
      checkCache(at, b);
      switch (b.type) {
        case 'text':
          if (typeof b.text !== 'string' || b.text === '') p.push(`${at}: text blocks must be non-empty`);
          seenOther = true;
          break;
        case 'image':
          p.push(...checkImage(at, b));
          seenOther = true;
          break;
        case 'tool_use':
          if (m.role !== 'assistant') p.push(`${at}: tool_use only in assistant messages`);
          if (typeof b.id !== 'string' || allToolUseIds.has(b.id))
            p.push(`${at}: tool_use id missing or repeated`);
          allToolUseIds.add(b.id);
          if (toolNames.size && !toolNames.has(b.name)) {
            // The model may call a tool that does not exist (the fault tests do): that is allowed in history.
          }
          if (!b.input || typeof b.input !== 'object' || Array.isArray(b.input))
            p.push(`${at}: tool_use input must be an object`);
          break;
        case 'tool_result':
          if (m.role !== 'user') p.push(`${at}: tool_result only in user messages`);
          if (seenOther) p.push(`${at}: tool_result blocks must come first in the user message`);
          toolResults.push(b.tool_use_id);
          if (b.is_error !== undefined && typeof b.is_error !== 'boolean') p.push(`${at}.is_error: boolean`);
          if (Array.isArray(b.content)) {
            // biome-ignore lint/suspicious/noExplicitAny: raw JSON.
            b.content.forEach((c: any, k: number) => {
              checkCache(`${at}.content.${k}`, c);
              if (c.type === 'text') {
                if (typeof c.text !== 'string' || c.text === '') p.push(`${at}.content.${k}: non-empty text`);
              } else if (c.type === 'image') p.push(...checkImage(`${at}.content.${k}`, c));
              else p.push(`${at}.content.${k}: text or image only`);
            });
          } else if (typeof b.content !== 'string' && b.content !== undefined)
            p.push(`${at}.content: string or blocks`);
          break;
        default:
          p.push(`${at}: unexpected block type ${b.type}`);
      }
    });
    if (m.role === 'user') {
      // Every tool_use of the previous assistant turn is answered here, and nothing else is.
      const missing = previousToolUses.filter((id) => !toolResults.includes(id));
      const unknown = toolResults.filter((id) => !previousToolUses.includes(id));
      if (missing.length) p.push(`${where}: tool_use ids without a tool_result: ${missing.join(', ')}`);
      if (unknown.length) p.push(`${where}: tool_result for unknown tool_use ids: ${unknown.join(', ')}`);
      previousToolUses = [];
    } else {
      // biome-ignore lint/suspicious/noExplicitAny: raw JSON.
      previousToolUses = blocks.filter((b: any) => b.type === 'tool_use').map((b: any) => b.id);
    }
  });
  if (body.messages[body.messages.length - 1].role !== 'user')
    p.push('the last message must be from the user');
  if (previousToolUses.length) p.push('the last assistant tool_use has no tool_result');
  if (breakpoints > 4) p.push(`at most 4 blocks may have cache_control, found ${breakpoints}`);
  return p;
}

// biome-ignore lint/suspicious/noExplicitAny: raw JSON.
function checkImage(at: string, b: any): string[] {
  const s = b.source;
  if (s?.type !== 'base64') return [`${at}: image source must be base64`];
  const check = IMAGE_TYPES[s.media_type];
  if (!check) return [`${at}: media_type ${s.media_type} not supported`];
  if (typeof s.data !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(s.data))
    return [`${at}: data is not base64`];
  if (!check(Buffer.from(s.data, 'base64'))) return [`${at}: data is not a ${s.media_type}`];
  return [];
}

// ---- usage --------------------------------------------------------------------------------------------

/** 4 characters per token; an image counts as ~850 tokens (1024×640 / 750), whatever its bytes. */
// biome-ignore lint/suspicious/noExplicitAny: raw JSON.
export function estimate(value: any): number {
  const json = JSON.stringify(value, (k, v) => (k === 'data' && typeof v === 'string' ? '' : v));
  const images = (JSON.stringify(value).match(/"type":"image"/g) ?? []).length;
  return Math.ceil(json.length / 4) + images * 850;
}

// biome-ignore lint/suspicious/noExplicitAny: raw JSON.
function simulateUsage(body: any, cached: Set<string>) {
  // The request as a sequence of blocks, in the order the API caches them: tools, system, messages.
  // biome-ignore lint/suspicious/noExplicitAny: raw JSON.
  const blocks: { value: any; breakpoint: boolean }[] = [];
  // biome-ignore lint/suspicious/noExplicitAny: raw JSON.
  const add = (value: any, role?: string) => {
    const { cache_control, ...rest } = value ?? {};
    blocks.push({ value: role ? { role, ...rest } : rest, breakpoint: Boolean(cache_control) });
  };
  for (const t of body.tools ?? []) add(t);
  for (const s of typeof body.system === 'string'
    ? [{ type: 'text', text: body.system }]
    : (body.system ?? []))
    add(s);
  for (const m of body.messages) {
    const content = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    for (const b of content) add(b, m.role);
  }
  const prefixHash: string[] = [];
  const prefixTokens: number[] = [];
  const h = createHash('sha1');
  let tokens = 0;
  for (const b of blocks) {
    h.update(JSON.stringify(b.value));
    prefixHash.push(h.copy().digest('hex'));
    tokens += estimate(b.value);
    prefixTokens.push(tokens);
  }
  const breakpoints = blocks.flatMap((b, i) => (b.breakpoint ? [i] : []));
  let read = 0;
  for (const bp of breakpoints) {
    for (let i = bp; i >= Math.max(0, bp - 20); i--) {
      if (cached.has(prefixHash[i]!)) {
        read = Math.max(read, prefixTokens[i]!);
        break;
      }
    }
  }
  const lastBreakpoint = breakpoints[breakpoints.length - 1];
  const written = lastBreakpoint === undefined ? 0 : Math.max(0, prefixTokens[lastBreakpoint]! - read);
  for (const bp of breakpoints) cached.add(prefixHash[bp]!);
  return {
    input_tokens: Math.max(0, tokens - read - written),
    cache_read_input_tokens: read,
    cache_creation_input_tokens: written,
  };
}
