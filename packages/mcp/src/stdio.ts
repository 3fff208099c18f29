/**
 * MCP over stdio: one session for the life of the process, as a desktop MCP client starts it
 * (`scimgw mcp --config FILE`). JSON-RPC goes over stdin/stdout, so nothing else may write to
 * stdout (the host sends its console log to stderr).
 */
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { McpSession } from './call.js';
import type { McpService } from './service.js';

/** Options of {@link serveMcpStdio}. */
export interface StdioOptions {
  stdin?: Readable;
  stdout?: Writable;
  /** Longest JSON-RPC line read, bytes (a longer one ends the session). Default 10 MiB. */
  maxMessageBytes?: number;
}

/** A running stdio session. */
export interface StdioSession {
  /** Settles when the session ends (the client closed stdin, or {@link StdioSession.close}). */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves `session` over stdio until the client closes stdin.
 *
 * @example
 * const s = await serveMcpStdio(mcp, { call, principal: 'agent', transport: 'stdio' });
 * await s.closed;
 */
export async function serveMcpStdio(service: McpService, session: McpSession, options: StdioOptions = {}): Promise<StdioSession> {
  const stdin = options.stdin ?? process.stdin;
  const server = await service.createServer(session);
  const transport = new StdioServerTransport(stdin, options.stdout ?? process.stdout, {
    maxBufferSize: options.maxMessageBytes ?? 10 * 1024 * 1024,
  });
  let done!: () => void;
  const closed = new Promise<void>((resolve) => {
    done = resolve;
  });
  server.onclose = () => done();
  await server.connect(transport);
  const close = async () => {
    await server.close();
    done();
  };
  // The SDK's transport does not watch for the end of its input: the client going away ends the session.
  stdin.once('end', () => void close());
  stdin.once('close', () => void close());
  return { closed, close };
}
