/**
 * The request, connector and journal series are tallied as plain numbers and handed to prom-client
 * at scrape time (telemetry/tally.ts): for any samples, `/metrics` must read exactly as prom-client's
 * own Counter and Histogram would have written it.
 */
import fc from 'fast-check';
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../src/telemetry/metrics.js';
import { statusClass } from '../src/telemetry/labels.js';

const LATENCY = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BYTES = [256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304];
// Dyadic seconds (n / 4096, bounds included): sums are exact whatever order they are added in.
const seconds = fc.oneof(
  fc.integer({ min: 0, max: 60_000 }).map((n) => n / 4096),
  fc.constantFrom(...LATENCY),
);
const tenant = fc.constantFrom('', 'acme', 'a"b\\c', '(other)', 'x\u0000y');
const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'OTHER'),
  route: fc.constantFrom('/Users', '/Users/{id}', '/Groups', '/Bulk', '(unmatched)'),
  status: fc.constantFrom(200, 201, 204, 400, 401, 404, 409, 500, 503),
  tenant,
  seconds,
});
const call = fc.record({
  resource: fc.constantFrom('User', 'Group', 'Us:er', '3:x'),
  operation: fc.constantFrom('query', 'get', 'create', 'modify'),
  tenant,
  seconds,
});
const batch = fc.record({ tenant, seconds, bytes: fc.integer({ min: 0, max: 5_000_000 }) });

/** What prom-client itself writes for the same samples. */
function reference() {
  const registry = new Registry();
  registry.setDefaultLabels({ gateway: 'gw' });
  const registers = [registry];
  const labelNames = ['method', 'route', 'status', 'tenant'];
  return {
    registry,
    requests: new Counter({
      name: 'scimgw_http_requests_total',
      help: 'HTTP requests answered, by method, route template, status and tenant',
      labelNames,
      registers,
    }),
    errors: new Counter({
      name: 'scimgw_http_request_errors_total',
      help: 'HTTP requests answered with a status of 400 or more, by method, route template, status and tenant',
      labelNames,
      registers,
    }),
    duration: new Histogram({
      name: 'scimgw_http_request_duration_seconds',
      help: 'Time from the request reaching the gateway to its answer handed to the socket',
      labelNames: ['method', 'route', 'status_class', 'tenant'],
      buckets: LATENCY,
      registers,
    }),
    connector: new Histogram({
      name: 'scimgw_connector_call_duration_seconds',
      help: 'Time a connector operation took, by resource type, operation and tenant',
      labelNames: ['resource', 'operation', 'tenant'],
      buckets: LATENCY,
      registers,
    }),
    sync: new Histogram({
      name: 'scimgw_journal_sync_duration_seconds',
      help: "Time the embedded store's journal took to make one batch of writes durable (write + fdatasync)",
      labelNames: ['tenant'],
      buckets: LATENCY,
      registers,
    }),
    bytes: new Histogram({
      name: 'scimgw_journal_sync_bytes',
      help: "Bytes in one batch of the embedded store's journal",
      labelNames: ['tenant'],
      buckets: BYTES,
      registers,
    }),
  };
}

const FAMILIES = [
  'scimgw_http_requests_total',
  'scimgw_http_request_errors_total',
  'scimgw_http_request_duration_seconds',
  'scimgw_connector_call_duration_seconds',
  'scimgw_journal_sync_duration_seconds',
  'scimgw_journal_sync_bytes',
];

describe('tallied metric families', () => {
  it("read exactly as prom-client's own Counter and Histogram would (fast-check)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(request, { maxLength: 40 }),
        fc.array(call, { maxLength: 20 }),
        fc.array(batch, { maxLength: 10 }),
        async (requests, calls, batches) => {
          const m = new GatewayMetrics({ gateway: 'gw', processMetrics: false });
          const ref = reference();
          for (const r of requests) {
            m.request(r);
            const labels = { method: r.method, route: r.route, status: String(r.status), tenant: r.tenant };
            ref.requests.inc(labels);
            if (r.status >= 400) ref.errors.inc(labels);
            ref.duration.observe(
              { method: r.method, route: r.route, status_class: statusClass(r.status), tenant: r.tenant },
              r.seconds,
            );
          }
          for (const c of calls) {
            m.connectorCall(c);
            ref.connector.observe({ resource: c.resource, operation: c.operation, tenant: c.tenant }, c.seconds);
          }
          for (const b of batches) {
            m.journalSync(b.tenant, b.seconds, b.bytes);
            ref.sync.observe({ tenant: b.tenant }, b.seconds);
            ref.bytes.observe({ tenant: b.tenant }, b.bytes);
          }
          for (const name of FAMILIES) {
            expect(await m.registry.getSingleMetricAsString(name)).toBe(await ref.registry.getSingleMetricAsString(name));
          }
          const json = (await m.registry.getMetricsAsJSON()).filter((f) => FAMILIES.includes(f.name));
          // Exemplars are off: prom-client's empty `exemplar` fields carry nothing.
          const plain = (await ref.registry.getMetricsAsJSON()).map((f) => ({
            ...f,
            values: f.values.map((value) => {
              const { exemplar, ...v } = value as typeof value & { exemplar?: unknown };
              return exemplar == null ? v : value;
            }),
          }));
          expect(json).toEqual(plain);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('forget their samples on resetMetrics()', async () => {
    const m = new GatewayMetrics({ gateway: 'gw', processMetrics: false });
    m.request({ method: 'GET', route: '/Users', status: 200, tenant: '', seconds: 0.01 });
    expect(await m.render()).toContain('scimgw_http_requests_total{method="GET"');
    m.registry.resetMetrics();
    expect(await m.render()).not.toContain('scimgw_http_requests_total{');
  });
});
