/** Listening (HTTP or HTTPS) and graceful shutdown that lets in-flight requests finish. */
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { answerClientError, type ClientErrorReport } from './http/client-error.js';
import type { TlsMaterial } from './tls.js';

/** Options of {@link listen}. */
export interface ListenOptions {
  port: number;
  /** Listen on loopback only. */
  localhostOnly?: boolean;
  tls?: TlsMaterial | undefined;
  /** Seconds an idle keep-alive connection stays open. */
  idleTimeoutSeconds?: number;
  /** Told of each request node:http refused before the handler (answered 400/414/431 with a SCIM body). */
  onClientError?: (report: ClientErrorReport) => void;
}

/** A running server. */
export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  /** Requests being handled right now. */
  inFlight(): number;
  /** Stops accepting, waits for in-flight requests (at most `timeoutMs`), then closes everything. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Starts a server for `handler`.
 *
 * @example
 * const srv = await listen((req, res) => res.end('ok'), { port: 8880 });
 */
export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  opts: ListenOptions,
): Promise<RunningServer> {
  let active = 0;
  const drained: (() => void)[] = [];
  const wrapped = (req: IncomingMessage, res: ServerResponse) => {
    active++;
    res.on('close', () => {
      active--;
      if (active === 0) for (const d of drained.splice(0)) d();
    });
    handler(req, res);
  };
  const server: Server = opts.tls ? (createHttps(opts.tls, wrapped) as unknown as Server) : createHttp(wrapped);
  const idle = (opts.idleTimeoutSeconds ?? 120) * 1000;
  server.on('clientError', (err, socket) => answerClientError(err, socket, opts.onClientError));
  server.keepAliveTimeout = idle;
  server.headersTimeout = Math.max(idle + 1000, 60_000);
  const host = opts.localhostOnly ? '127.0.0.1' : undefined;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${opts.tls ? 'https' : 'http'}://${host ?? 'localhost'}:${port}`;
  return {
    server,
    port,
    url,
    inFlight: () => active,
    async close(timeoutMs = 15_000) {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections?.();
      if (active > 0) {
        await Promise.race([
          new Promise<void>((r) => drained.push(r)),
          new Promise<void>((r) => setTimeout(r, timeoutMs).unref()),
        ]);
      }
      server.closeAllConnections?.();
      await closed;
    },
  };
}
