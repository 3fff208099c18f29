/**
 * The Prometheus metrics of one gateway instance (prom-client): requests, authentication,
 * connector calls, the embedded store's journal, the SCIM Stream, and the process. Framework-free:
 * the pipeline reports to it, `/metrics` renders it.
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { statusClass } from './labels.js';
import { Tally, type TallyCell, TallyFamily } from './tally.js';

/** Seconds: from a cached read (sub-millisecond) to a slow backend behind a retry (10 s). */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Journal batches: one small record (~200 B) to a bulk import's batch (MiBs). */
const BYTES_BUCKETS = [256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304];

/** The subscriber's lag per tenant, read when Prometheus scrapes. */
export type StreamLagSource = () => { tenant: string; lag: number }[];

/** Options of {@link GatewayMetrics}. */
export interface GatewayMetricsOptions {
  /** The instance's name (the configuration file's), a label on every series: instances in one process stay apart. */
  gateway: string;
  /** Node.js process metrics (CPU, memory, event loop lag, GC, handles). Default true. */
  processMetrics?: boolean;
}

/** One finished HTTP request, as the pipeline saw it (labels already bounded, see labels.ts). */
export interface RequestSample {
  method: string;
  route: string;
  tenant: string;
  status: number;
  seconds: number;
}

/** One finished connector operation. */
export interface ConnectorSample {
  resource: string;
  operation: string;
  tenant: string;
  seconds: number;
  /** The SCIM status of the error it threw (`error` when it threw something else); absent on success. */
  error?: string | undefined;
}

/**
 * The metrics registry of one instance.
 *
 * @example
 * ```ts
 * const m = new GatewayMetrics({ gateway: 'connector-loki' });
 * m.request({ method: 'GET', route: '/Users', tenant: '', status: 200, seconds: 0.004 });
 * const text = await m.render();
 * ```
 */
export class GatewayMetrics {
  /** The prom-client registry (for hosts that merge it into their own). */
  readonly registry = new Registry();
  /**
   * Answered requests by method, route, status and tenant, with their latencies: the requests
   * counter, the errors counter and the duration histogram are all read from it (see tally.ts).
   */
  readonly #requests = new Tally(LATENCY_BUCKETS);
  readonly #authFailures: Counter<'status' | 'tenant'>;
  readonly #rateLimited: Counter<'endpoint' | 'tenant'>;
  readonly #connectorDuration = new Tally(LATENCY_BUCKETS);
  readonly #connectorErrors: Counter<'resource' | 'operation' | 'tenant' | 'status'>;
  readonly #journalSync = new Tally(LATENCY_BUCKETS);
  readonly #journalBytes = new Tally(BYTES_BUCKETS);
  #streamLag: StreamLagSource | undefined;

  /** @param options - the instance's name, and whether to export process metrics */
  constructor(options: GatewayMetricsOptions) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ gateway: options.gateway });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const requests = this.#requests;
    const forgetRequests = () => requests.clear();
    new TallyFamily({
      name: 'scimgw_http_requests_total',
      help: 'HTTP requests answered, by method, route template, status and tenant',
      type: 'counter',
      labelNames: ['method', 'route', 'status', 'tenant'],
      series: () => requests.cells(),
      registers,
      reset: forgetRequests,
    });
    new TallyFamily({
      name: 'scimgw_http_request_errors_total',
      help: 'HTTP requests answered with a status of 400 or more, by method, route template, status and tenant',
      type: 'counter',
      labelNames: ['method', 'route', 'status', 'tenant'],
      series: () => [...requests.cells()].filter((c) => Number(c.labels.status) >= 400),
      registers,
      reset: forgetRequests,
    });
    new TallyFamily({
      name: 'scimgw_http_request_duration_seconds',
      help: 'Time from the request reaching the gateway to its answer handed to the socket',
      type: 'histogram',
      labelNames: ['method', 'route', 'status_class', 'tenant'],
      bounds: LATENCY_BUCKETS,
      series: () => byStatusClass(requests.cells()),
      registers,
      reset: forgetRequests,
    });
    this.#authFailures = new Counter({
      name: 'scimgw_auth_failures_total',
      help: 'Requests refused by authentication or authorization (401, 403, 405 for read-only), by status and tenant',
      labelNames: ['status', 'tenant'],
      registers,
    });
    this.#rateLimited = new Counter({
      name: 'scimgw_rate_limit_blocks_total',
      help: 'Requests refused with 429 by the failed-login limit, by endpoint (scim, token) and tenant',
      labelNames: ['endpoint', 'tenant'],
      registers,
    });
    const connector = this.#connectorDuration;
    new TallyFamily({
      name: 'scimgw_connector_call_duration_seconds',
      help: 'Time a connector operation took, by resource type, operation and tenant',
      type: 'histogram',
      labelNames: ['resource', 'operation', 'tenant'],
      bounds: LATENCY_BUCKETS,
      series: () => connector.cells(),
      registers,
      reset: () => connector.clear(),
    });
    this.#connectorErrors = new Counter({
      name: 'scimgw_connector_call_errors_total',
      help: 'Connector operations that threw, by resource type, operation, tenant and SCIM status',
      labelNames: ['resource', 'operation', 'tenant', 'status'],
      registers,
    });
    for (const [tally, name, help, bounds] of [
      [
        this.#journalSync,
        'scimgw_journal_sync_duration_seconds',
        "Time the embedded store's journal took to make one batch of writes durable (write + fdatasync)",
        LATENCY_BUCKETS,
      ],
      [this.#journalBytes, 'scimgw_journal_sync_bytes', "Bytes in one batch of the embedded store's journal", BYTES_BUCKETS],
    ] as const) {
      new TallyFamily({
        name,
        help,
        type: 'histogram',
        labelNames: ['tenant'],
        bounds,
        series: () => tally.cells(),
        registers,
        reset: () => tally.clear(),
      });
    }
    const lag = () => this.#streamLag?.() ?? [];
    new Gauge({
      name: 'scimgw_stream_lag_messages',
      help: 'SCIM Stream messages not yet applied by this subscriber (pending on the server + in flight here), by tenant',
      labelNames: ['tenant'],
      registers,
      collect() {
        this.reset();
        for (const s of lag()) this.set({ tenant: s.tenant }, s.lag);
      },
    });
  }

  /** Records one answered HTTP request. */
  request(s: RequestSample): void {
    // Method and route come from fixed sets without NUL and the tenant is last: one key per label set.
    this.#requests.add(
      `${s.method}\u0000${s.route}\u0000${s.status}\u0000${s.tenant}`,
      () => ({ method: s.method, route: s.route, status: String(s.status), tenant: s.tenant }),
      s.seconds,
    );
  }

  /** Records a request refused by authentication or authorization; 429 counts as a rate-limit block. */
  authRefused(status: number, tenant: string, endpoint: 'scim' | 'token'): void {
    if (status === 429) this.#rateLimited.inc({ endpoint, tenant });
    else this.#authFailures.inc({ status: String(status), tenant });
  }

  /** Records one connector operation. */
  connectorCall(s: ConnectorSample): void {
    // The resource type's name is any string: length-prefixed; the operation is from a fixed set.
    this.#connectorDuration.add(
      `${s.resource.length}:${s.resource}\u0000${s.operation}\u0000${s.tenant}`,
      () => ({ resource: s.resource, operation: s.operation, tenant: s.tenant }),
      s.seconds,
    );
    if (s.error !== undefined)
      this.#connectorErrors.inc({ resource: s.resource, operation: s.operation, tenant: s.tenant, status: s.error });
  }

  /** Records one journal batch made durable. */
  journalSync(tenant: string, seconds: number, bytes: number): void {
    this.#journalSync.add(tenant, () => ({ tenant }), seconds);
    this.#journalBytes.add(tenant, () => ({ tenant }), bytes);
  }

  /** Where the SCIM Stream subscriber's lag is read from at each scrape. */
  streamLagFrom(source: StreamLagSource): void {
    this.#streamLag = source;
  }

  /** The Prometheus text exposition format's content type. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in the Prometheus text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The request cells merged by status class (`2xx` …), for the duration histogram. */
function byStatusClass(cells: Iterable<TallyCell>): TallyCell[] {
  const merged = new Map<string, TallyCell>();
  for (const c of cells) {
    const { method, route, status, tenant } = c.labels as Record<'method' | 'route' | 'status' | 'tenant', string>;
    const cls = statusClass(Number(status));
    const key = `${method}\u0000${route}\u0000${cls}\u0000${tenant}`;
    let m = merged.get(key);
    if (!m) {
      m = { labels: { method, route, status_class: cls, tenant }, count: 0, sum: 0, buckets: new Float64Array(c.buckets.length) };
      merged.set(key, m);
    }
    m.count += c.count;
    m.sum += c.sum;
    for (let i = 0; i < c.buckets.length; i++) m.buckets[i]! += c.buckets[i]!;
  }
  return [...merged.values()];
}
