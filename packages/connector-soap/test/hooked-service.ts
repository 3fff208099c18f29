/**
 * The example SOAP service with a hook in front: a test answers an operation itself (a fault, a
 * bad answer, no answer) and lets the rest through, and reads how often each operation was called.
 * `hookedService()` starts it for a test file and resets the hook, the counts and any answer held
 * open after each test.
 */
import type { ServerResponse } from 'node:http';
import type { Connector } from '@scimgw/core';
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { connectorFor, type ExampleServer, exampleEndpoint, merge, startExampleServer } from './helpers.js';

/** Answers a request itself (true), or lets the service answer it (false). */
export type Hook = (
  req: { path: string; body: string; headers: Record<string, unknown> },
  res: ServerResponse,
) => boolean | Promise<boolean>;

/** The operation a request calls, from its SOAPAction. */
export const operationOf = (headers: Record<string, unknown>) =>
  String(headers.soapaction ?? '')
    .replace(/"/g, '')
    .split(/[/#]/)
    .pop() ?? '';

export const envelope = (body: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;
export const fault11 = (code: string, reason: string, detail = '') =>
  envelope(
    `<soap:Fault><faultcode>${code}</faultcode><faultstring>${reason}</faultstring>${detail ? `<detail>${detail}</detail>` : ''}</soap:Fault>`,
  );
export const reply = (res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'text/xml; charset=utf-8', ...headers });
  res.end(body);
  return true;
};

/** A SCIM request through the core handler, its body read with property access. */
export const call = async (h: ScimHandler, method: string, url: string, body?: unknown) => {
  const res = await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { ...res, body: res.body as Record<string, any> };
};

/** The hooked service of a test file (started before its tests, stopped after them). */
export function hookedService() {
  /** Requests per SOAP operation the server received. */
  const seen = new Map<string, number>();
  /** Responses a test left open (a server that never answers), ended afterwards. */
  const held: ServerResponse[] = [];
  let server: ExampleServer | undefined;
  const svc = {
    hook: undefined as Hook | undefined,
    seen,
    held,
    get server(): ExampleServer {
      return server as ExampleServer;
    },
    /** Another instance of the service (same hook and counts), on `port` or a free one. */
    start(port = 0): Promise<ExampleServer> {
      return startExampleServer({
        port,
        onRequest: async (req, res) => {
          const op = operationOf(req.headers);
          if (op) seen.set(op, (seen.get(op) ?? 0) + 1);
          return (await svc.hook?.(req, res)) ?? false;
        },
      });
    },
    /** A hook answering `operation` with `answer`, and passing everything else to the service. */
    on(operation: string, answer: (res: ServerResponse, n: number) => boolean | Promise<boolean>): Hook {
      return (req, res) => (operationOf(req.headers) === operation ? answer(res, seen.get(operation) ?? 0) : false);
    },
    /** The document example with its WSDL read from the file, fast retries and a short timeout. */
    endpoint(patch: Record<string, unknown> = {}): Record<string, unknown> {
      return merge(
        exampleEndpoint('document', svc.server.origin),
        merge(
          {
            services: { directory: { wsdl: 'wsdl/directory-document.wsdl', path: 'directory' } },
            entity: { undefined: { connection: { timeout: 400, retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 } } } },
          },
          patch,
        ),
      );
    },
    /** The core handler over a connector for `endpoint(patch)`, and its logs. */
    async handler(patch: Record<string, unknown> = {}): Promise<{ h: ScimHandler; connector: Connector; logs: () => string }> {
      const { connector, ctx } = await connectorFor(svc.endpoint(patch));
      return { h: createScimHandler({ connector }), connector, logs: () => JSON.stringify(ctx.logs) };
    },
  };
  beforeAll(async () => {
    server = await svc.start();
  });
  afterEach(() => {
    svc.hook = undefined;
    seen.clear();
    for (const r of held.splice(0)) r.destroy();
  });
  afterAll(async () => {
    await server?.close();
  });
  return svc;
}
