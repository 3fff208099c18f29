/**
 * The HTTP(S) front of one cloud: reads bodies with Graph's 4 MiB limit, sends `/v1.0/…` to
 * the Graph service and the identity paths (HTTPS only) to the identity service.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { CloudDefinition } from '../clouds.js';
import type { GraphService } from '../graph/service.js';
import type { Caller, GraphResponse } from '../graph/types.js';
import type { IdentityService, PlainResponse } from '../identity/service.js';
import type { TlsMaterial } from './tls.js';

/** Largest request body Graph accepts. */
export const MAX_BODY = 4 * 1024 * 1024;

/** What one listener serves. */
export interface ListenerDeps {
  readonly cloud: CloudDefinition;
  readonly graph: GraphService;
  readonly identity: IdentityService | undefined;
  /** Validates a bearer token for a request that reached `host`. */
  readonly authenticate: (authorization: string | undefined, host: string) => Promise<Caller>;
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value)) out[name] = value.join(', ');
  }
  return out;
}

function send(res: ServerResponse, response: GraphResponse | PlainResponse): void {
  const body =
    response.body === undefined ? undefined : typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  res.writeHead(response.status, {
    ...response.headers,
    ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }),
  });
  res.end(body);
}

function parseJson(raw: Buffer, contentType: string): { body: unknown; bodyError: boolean } {
  if (raw.length === 0) return { body: undefined, bodyError: false };
  if (!/json/i.test(contentType)) return { body: undefined, bodyError: true };
  try {
    return { body: JSON.parse(raw.toString('utf8')), bodyError: false };
  } catch {
    return { body: undefined, bodyError: true };
  }
}

async function dispatch(deps: ListenerDeps, secure: boolean, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const host = req.headers.host ?? 'localhost';
  const url = new URL(req.url ?? '/', `${secure ? 'https' : 'http'}://${host}`);
  const method = (req.method ?? 'GET').toUpperCase();
  let raw: Buffer;
  try {
    raw = await readBody(req);
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    send(res, {
      status: 413,
      headers: { 'content-type': 'application/json' },
      body: { error: { code: 'RequestEntityTooLarge', message: 'The request body exceeds the 4 MB limit.' } },
    });
    req.destroy();
    return;
  }
  const headers = headersOf(req);
  const version = /^\/(v1\.0|beta)(\/.*)?$/i.exec(url.pathname);
  if (version) {
    if (version[1]?.toLowerCase() === 'beta') {
      send(res, {
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: { error: { code: 'BadRequest', message: 'Invalid version: beta. The emulator implements v1.0 only.' } },
      });
      return;
    }
    const { body, bodyError } = parseJson(raw, headers['content-type'] ?? '');
    const response = await deps.graph.handle(
      {
        method,
        path: version[2] ?? '/',
        query: url.search.slice(1),
        headers,
        body,
        bodyError,
        serviceRoot: `${url.protocol}//${host}/v1.0`,
        inBatch: false,
      },
      (authorization) => deps.authenticate(authorization, host),
    );
    send(res, response);
    return;
  }
  if (secure && deps.identity) {
    const answer = await deps.identity.handle(
      { method, path: url.pathname, headers, body: raw.toString('utf8'), host },
      deps.cloud,
    );
    if (answer) {
      send(res, answer);
      return;
    }
  }
  send(res, {
    status: 404,
    headers: { 'content-type': 'application/json' },
    body: { error: { code: 'NotFound', message: 'No emulated endpoint at this path.' } },
  });
}

function handler(deps: ListenerDeps, secure: boolean) {
  return (req: IncomingMessage, res: ServerResponse) => {
    dispatch(deps, secure, req, res).catch(() => {
      if (!res.headersSent)
        send(res, {
          status: 500,
          headers: { 'content-type': 'application/json' },
          body: { error: { code: 'generalException', message: 'General exception while processing.' } },
        });
      else res.destroy();
    });
  };
}

/** A started listener. */
export interface Listener {
  readonly port: number;
  close(): Promise<void>;
}

async function listen(server: Server, host: string): Promise<Listener> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Starts the HTTPS listener of a cloud (Graph and identity). */
export function listenHttps(deps: ListenerDeps, tls: TlsMaterial, host: string): Promise<Listener> {
  return listen(createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, handler(deps, true)), host);
}

/** Starts the plain HTTP listener of a cloud (Graph only). */
export function listenHttp(deps: ListenerDeps, host: string): Promise<Listener> {
  return listen(createHttpServer(handler(deps, false)), host);
}
