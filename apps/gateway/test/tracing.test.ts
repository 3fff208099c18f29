/**
 * OpenTelemetry traces against a real in-process SDK (NodeTracerProvider with its AsyncLocalStorage
 * context manager and W3C propagator, spans into an InMemorySpanExporter): the client's
 * `traceparent` is the parent of the gateway's server span, connector operations are its
 * children, and outbound calls (helper-rest, the next gateway of a chain) carry the context on.
 * With `tracing.enabled` off, nothing is made or passed on although an SDK is registered.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { defineConnector, SchemaRegistry } from '@scimgw/core';
import { createHelperRest } from '@scimgw/helper-rest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestGateway } from '../src/testing.js';
import { startGateway, type TestGateway } from './helpers.js';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${CLIENT_SPAN}-01`;

beforeAll(() => provider.register());
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});
beforeEach(() => exporter.reset());

const spans = () => exporter.getFinishedSpans();
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const named = (name: string) => spans().filter((s) => s.name === name);

/** A plain HTTP server that records the headers of each request and answers `{ id }` JSON. */
async function recordingServer(): Promise<{ server: Server; url: string; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'remote-1', userName: 'remote.user' }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('tracing on', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startGateway({ tracing: { enabled: true } });
  });
  afterAll(() => t.stop());

  it("makes a server span under the client's traceparent, and a connector span under it", async () => {
    const r = await t.call('GET', '/Users/bjensen-404', undefined, { traceparent: TRACEPARENT });
    expect(r.status).toBe(404);
    const [server] = named('GET /Users/{id}');
    expect(server).toBeDefined();
    expect(server!.spanContext().traceId).toBe(TRACE_ID);
    expect(parentOf(server!)).toBe(CLIENT_SPAN);
    expect(server!.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/Users/{id}',
      'http.response.status_code': 404,
      'scimgw.gateway': 'connector-loki',
      'scimgw.request_id': r.headers.get('x-request-id'),
    });
    const [connector] = named('connector User.get');
    expect(connector?.spanContext().traceId).toBe(TRACE_ID);
    expect(parentOf(connector!)).toBe(server!.spanContext().spanId);
    // The raw path (a user id) is not recorded anywhere.
    expect(JSON.stringify(spans().map((s) => s.attributes))).not.toContain('bjensen-404');
  });

  it('starts a new trace when the traceparent is missing or malformed', async () => {
    await t.call('GET', '/Groups', undefined, { traceparent: '00-not-a-trace-01' });
    const [server] = named('GET /Groups');
    expect(server).toBeDefined();
    expect(server!.spanContext().traceId).not.toBe(TRACE_ID);
    expect(parentOf(server!)).toBeUndefined();
  });

  it("leaves a 4xx answer unmarked (the client's error, not the server's)", async () => {
    await t.call('GET', '/Users/nobody');
    expect(named('GET /Users/{id}')[0]?.status.code).toBe(0);
  });
});

describe('outbound calls', () => {
  it('helper-rest sends the traceparent of a client span under the connector span', async () => {
    const target = await recordingServer();
    const rest = createHelperRest({
      endpoint: {
        entity: {
          undefined: {
            connection: { baseUrls: [target.url], auth: { type: 'basic', options: { username: 'u', password: 'p' } } },
          },
        },
      },
      certsDir: '.',
    });
    const registry = new SchemaRegistry();
    const t = await startTestGateway({
      scimgateway: { tracing: { enabled: true } },
      connector: () =>
        defineConnector({
          name: 'remote',
          coreVersion: '^1.0.0',
          registry,
          resources: {
            User: {
              async get(id, ctx) {
                const { body } = await rest.doRequest<Record<string, unknown>>(ctx.tenant, 'GET', `/users/${id}`, undefined, ctx);
                return { ...body, id };
              },
            },
          },
        }),
    });
    try {
      const r = await t.call('GET', '/Users/remote-1', undefined, { traceparent: TRACEPARENT });
      expect(r.status).toBe(200);
      expect(target.seen).toHaveLength(1);
      const sent = target.seen[0]!.traceparent as string;
      const [, traceId, parentId] = sent.split('-');
      expect(traceId).toBe(TRACE_ID);
      const [client] = spans().filter((s) => s.instrumentationScope.name === '@scimgw/helper-rest');
      expect(client?.name).toBe('GET');
      expect(client?.attributes).toMatchObject({ 'http.response.status_code': 200, 'server.address': '127.0.0.1' });
      expect(parentId).toBe(client!.spanContext().spanId);
      const [connector] = named('connector User.get');
      expect(parentOf(client!)).toBe(connector!.spanContext().spanId);
      // The Basic credential is not among the span attributes.
      expect(JSON.stringify(spans().map((s) => s.attributes))).not.toMatch(/dTpw|Basic/);
    } finally {
      await t.stop();
      await rest.close?.();
      target.server.close();
    }
  });

  it('a chaining gateway passes the trace on to the next gateway', async () => {
    const last = await startGateway({ tracing: { enabled: true } });
    const first = await startGateway({ tracing: { enabled: true }, chainingBaseUrl: last.base }, {}, 'connector-loki');
    try {
      const r = await first.call('GET', '/Groups', undefined, { traceparent: TRACEPARENT });
      expect(r.status).toBe(200);
      const servers = named('GET /Groups');
      expect(servers).toHaveLength(2);
      const front = servers.find((s) => parentOf(s) === CLIENT_SPAN);
      const back = servers.find((s) => s !== front);
      expect(front?.spanContext().traceId).toBe(TRACE_ID);
      expect(back?.spanContext().traceId).toBe(TRACE_ID);
      expect(parentOf(back!)).toBe(front!.spanContext().spanId);
    } finally {
      await first.stop();
      await last.stop();
    }
  });
});

describe('tracing off (the default)', () => {
  it('makes no span and passes no traceparent on, although an SDK is registered', async () => {
    const target = await recordingServer();
    // The "next gateway" is the recording server: what a chaining gateway sends is seen as is.
    const t = await startGateway({ chainingBaseUrl: target.url });
    try {
      await t.call('GET', '/Users', undefined, { traceparent: TRACEPARENT });
      expect(spans()).toHaveLength(0);
      expect(target.seen).toHaveLength(1);
      expect(target.seen[0]!.traceparent).toBeUndefined();
    } finally {
      await t.stop();
      target.server.close();
    }
  });
});
