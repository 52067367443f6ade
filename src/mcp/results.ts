import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { toCoworkerError } from '../errors.js';
import type { Logger } from '../log.js';
import { redactSecrets } from '../redact.js';

/**
 * A tool result: text for a model, the same facts as `structuredContent` for a program (the fields of
 * the tool's outputSchema, see src/report/machine.ts), and any extra content (screenshots).
 */
export function toolResult(
  text: string,
  structured: object,
  extra: CallToolResult['content'] = [],
): CallToolResult {
  return {
    content: [{ type: 'text', text: redactSecrets(text) }, ...extra],
    structuredContent: redactDeep(structured) as Record<string, unknown>,
  };
}

/**
 * A failure the model can relay: a tool result with isError (not a protocol error, which clients
 * show as "the tool failed" without our words), saying what failed and what to do; a program reads
 * the same as `structuredContent.error` ({ code, message, hint }).
 */
export function errorResult(err: unknown, logger?: Logger): CallToolResult {
  const error = toCoworkerError(err);
  if (error.code === 'INTERNAL') logger?.error(String((err as Error)?.stack ?? err));
  const lines = [error.message, error.hint ? `What to do: ${error.hint}` : ''];
  // The hints name terminal commands; from a chat the sign-in is one tool call away.
  if (error.code === 'AUTH_REQUIRED' || error.code === 'AUTH_FAILED') {
    lines.push('From here: call github_login and pass its URL and code on to the user, then try again.');
  }
  const text = lines.filter(Boolean).join('\n');
  return {
    isError: true,
    content: [{ type: 'text', text: redactSecrets(text) }],
    structuredContent: { error: redactDeep(error.toJSON()) as Record<string, unknown> },
  };
}

/** Run a tool body; anything thrown becomes an isError result. */
export async function guarded(logger: Logger, body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (err) {
    return errorResult(err, logger);
  }
}

/** Every string in a JSON-shaped value with secrets masked (reports are masked already; this is the last gate). */
function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)]));
  }
  return value;
}
