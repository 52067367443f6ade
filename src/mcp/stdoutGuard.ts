import type { Writable } from 'node:stream';

/**
 * Reserve stdout for the protocol. A stdio MCP server must write nothing but MCP messages there, yet
 * any dependency may `console.log` (the Anthropic SDK logs through console, ANTHROPIC_LOG=debug logs
 * whole requests). From here on every write to process.stdout — console.log included, since the
 * global console writes through it — goes to stderr, and only the writer returned here reaches fd 1.
 */
export function reserveStdoutForProtocol(): Writable {
  const stdout = process.stdout;
  const writeToStdout = stdout.write.bind(stdout);
  const stderrWrite = process.stderr.write.bind(process.stderr);
  stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
    (stderrWrite as (...args: unknown[]) => boolean)(chunk, ...rest)) as typeof stdout.write;
  // What StdioServerTransport uses of its output stream: write() and once('drain').
  const protocolOut = {
    write: (chunk: string | Uint8Array) => writeToStdout(chunk),
    once: (event: string, listener: (...args: unknown[]) => void) => {
      stdout.once(event, listener);
      return protocolOut;
    },
    on: (event: string, listener: (...args: unknown[]) => void) => {
      stdout.on(event, listener);
      return protocolOut;
    },
  };
  return protocolOut as unknown as Writable;
}
