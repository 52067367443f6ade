import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { toCoworkerError } from '../errors.js';
import type { Logger } from '../log.js';
import { redactSecrets } from '../redact.js';

export function textResult(text: string, extra: CallToolResult['content'] = []): CallToolResult {
  return { content: [{ type: 'text', text: redactSecrets(text) }, ...extra] };
}

/**
 * A failure the model can relay: a tool result with isError (not a protocol error, which clients
 * show as "the tool failed" without our words), saying what failed and what to do.
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
  return { isError: true, content: [{ type: 'text', text: redactSecrets(text) }] };
}

/** Run a tool body; anything thrown becomes an isError result. */
export async function guarded(logger: Logger, body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (err) {
    return errorResult(err, logger);
  }
}
