import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { Logger } from '@scimgw/core';
import { makeTestPki, type TestPki } from '@scimgw/testing-pki';

export interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TestServer {
  url: string;
  port: number;
  requests: Recorded[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string, n: number) => void | Promise<void>;

function track(server: http.Server | https.Server | net.Server): () => Promise<void> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** Starts an HTTP (or HTTPS with `tls`) server on 127.0.0.1 that records requests. */
export async function startServer(handler: Handler, tls?: https.ServerOptions): Promise<TestServer> {
  const requests: Recorded[] = [];
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      Promise.resolve(handler(req, res, body, requests.length)).catch((e: unknown) => {
        res.statusCode = 500;
        res.end(String(e));
      });
    });
  };
  const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
  const close = track(server);
  const port = await listen(server);
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, port, requests, close };
}

/** Sends JSON. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A port with nothing listening (connection refused). */
export async function refusedPort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface TestProxy extends TestServer {
  /** Targets the proxy forwarded to (`host:port` for CONNECT, URL for absolute-URI). */
  forwarded: string[];
  rejected: number;
}

/**
 * A forward proxy on 127.0.0.1 requiring `Proxy-Authorization: Basic user:pass`.
 * Handles CONNECT tunnels and absolute-URI requests; only forwards to 127.0.0.1.
 */
export async function startProxy(username: string, password: string): Promise<TestProxy> {
  const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const forwarded: string[] = [];
  const requests: Recorded[] = [];
  const state = { rejected: 0 };
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: '' });
    if (req.headers['proxy-authorization'] !== expected) {
      state.rejected++;
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' });
      res.end();
      return;
    }
    const target = new URL(req.url ?? '');
    if (target.hostname !== '127.0.0.1') {
      res.writeHead(403);
      res.end();
      return;
    }
    forwarded.push(target.toString());
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const up = http.request(
      { host: '127.0.0.1', port: target.port, method: req.method, path: target.pathname + target.search, headers },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      },
    );
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    // The server hands the socket over without its error handler: a client that resets the
    // connection after a refusal (Bun does, after a 407) must not be an uncaught error.
    client.on('error', () => {});
    requests.push({ method: 'CONNECT', url: req.url ?? '', headers: req.headers, body: '' });
    if (req.headers['proxy-authorization'] !== expected) {
      state.rejected++;
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    if (host !== '127.0.0.1') {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    forwarded.push(req.url ?? '');
    const upstream = net.connect(Number(port), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const close = track(server);
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    forwarded,
    get rejected() {
      return state.rejected;
    },
    close,
  };
}

/** A CA, a server certificate for 127.0.0.1, a client certificate and an unrelated self-signed one. */
export type Pki = TestPki;

/** Generates a test PKI (the shared one from @scimgw/testing-kit). */
export function makePki(): Pki {
  return makeTestPki({ caName: 'helper-rest test CA', serverNames: ['IP:127.0.0.1'], clientName: 'gateway-client' });
}

export interface CapturedLogger extends Logger {
  lines: { level: string; msg: string; data?: Record<string, unknown> | undefined }[];
  /** Everything logged, serialized. */
  text(): string;
}

/** A logger that keeps every line. */
export function captureLogger(): CapturedLogger {
  const lines: CapturedLogger['lines'] = [];
  const at = (level: string) => (msg: string, data?: Record<string, unknown>) => lines.push({ level, msg, data });
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    text: () => lines.map((l) => `${l.level} ${l.msg} ${JSON.stringify(l.data ?? {})}`).join('\n'),
  };
}

/** Fast retries for tests. */
export const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 5_000 };
