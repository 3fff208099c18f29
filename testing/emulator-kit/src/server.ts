import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './body.js';
import { type JsonReply, sendJson } from './json.js';
import { bearerToken } from './tokens.js';

/** A request whose body has been read, as {@link JsonServerOptions.handle} gets it. */
export interface JsonRequest {
  readonly req: IncomingMessage;
  /** `req.method`, `GET` if absent. */
  readonly method: string;
  /** The request target as sent: path and query. */
  readonly target: string;
  /** The target without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The body, or the news that it was over the limit (the handler answers 413). */
  readonly body: { readonly ok: true; readonly bytes: Buffer } | { readonly ok: false; readonly reason: 'too-large' };
}

/** Options of {@link startJsonServer}. */
export interface JsonServerOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  readonly host?: string | undefined;
  /** Port to listen on. Default 0 (any free port). */
  readonly port?: number | undefined;
  /** Largest request body read; the handler learns of a larger one. Default 64 KiB. */
  readonly maxBodyBytes?: number | undefined;
  /** The JSON body of the 500 answered should the handler throw. */
  readonly failureBody: unknown;
  /**
   * Answers a request. It is called once the body is read; a client that hung up in the middle of
   * its body is not answered and never reaches it.
   */
  handle(request: JsonRequest, res: ServerResponse): void | Promise<void>;
}

/** A server that listens. */
export interface JsonServer {
  /** `http://host:port` (an IPv6 host in brackets). */
  readonly base: string;
  readonly port: number;
  /** Stops listening and cuts every connection still open. */
  close(): Promise<void>;
}

/** Starts an HTTP server for a small JSON emulator and resolves once it listens. */
export async function startJsonServer(options: JsonServerOptions): Promise<JsonServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;

  const server = createServer((req, res) => {
    serve(req, res).catch(() => {
      // Nothing in a handler throws on purpose; should it, the client still gets an answer.
      if (!res.headersSent) sendJson(res, { status: 500, body: options.failureBody });
      else res.destroy();
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1));
    const method = req.method ?? 'GET';
    const body = await readBody(req, maxBodyBytes);
    if (!body.ok && body.reason === 'aborted') {
      res.destroy();
      return;
    }
    await options.handle({ req, method, target, path, query, body: body.ok ? body : { ok: false, reason: 'too-large' } }, res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A request to anything other than the token endpoint, as an emulator's call log keeps it. */
export interface ApiCall {
  readonly kind: 'api';
  /** Milliseconds on the emulator's clock. */
  readonly at: number;
  readonly method: string;
  /** The request target as sent: path and query. */
  readonly path: string;
  /** The Authorization header's bearer token, if it had one. */
  readonly token?: string;
  readonly status: number;
}

/** The call log's entry of a request given `reply` at `at`. */
export function apiCall(request: JsonRequest, reply: JsonReply, at: number): ApiCall {
  const token = bearerToken(request.req.headers.authorization);
  return { kind: 'api', at, method: request.method, path: request.target, ...(token ? { token } : {}), status: reply.status };
}
