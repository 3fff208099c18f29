/**
 * OpenTelemetry traces of one gateway instance, through `@opentelemetry/api` only: the process
 * registers an SDK (exporter, sampler, W3C propagator), the gateway makes spans. Each request is a
 * server span whose parent comes from the client's W3C `traceparent`; connector operations are
 * child spans; outbound calls (helper-rest, the next gateway of a chain) carry the context on.
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';

/** Reads W3C headers from node:http's header object (repeated headers joined as the spec allows). */
const headerGetter = {
  keys: (carrier: IncomingHttpHeaders) => Object.keys(carrier),
  get: (carrier: IncomingHttpHeaders, key: string) => carrier[key.toLowerCase()],
};

/** The span of one request, as the pipeline drives it. */
export interface RequestSpan {
  /** Runs the request's work in the span's context (connector calls and outbound calls become children). */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Ends the span with the answer's status. */
  end(status: number): void;
}

/** What a request span is named and labelled with (bounded values, see labels.ts). */
export interface RequestSpanInfo {
  method: string;
  route: string;
  tenant: string;
  requestId: string;
}

/**
 * The tracer of one instance.
 *
 * @example
 * ```ts
 * const tracing = new GatewayTracing('connector-loki');
 * const span = tracing.requestSpan(req.headers, { method: 'GET', route: '/Users', tenant: '', requestId });
 * await span.run(() => handle());
 * span.end(200);
 * ```
 */
export class GatewayTracing {
  readonly #tracer: Tracer;
  readonly #gateway: string;

  /** @param gateway - the instance's name (the configuration file's), an attribute of every span */
  constructor(gateway: string) {
    this.#tracer = trace.getTracer('@scimgw/gateway');
    this.#gateway = gateway;
  }

  /** Starts the server span of one request; its parent is the client's `traceparent`, when valid. */
  requestSpan(headers: IncomingHttpHeaders, info: RequestSpanInfo): RequestSpan {
    const parent = propagation.extract(ROOT_CONTEXT, headers, headerGetter);
    // The route template, never the raw path: paths carry user ids, which may be e-mail addresses.
    const span = this.#tracer.startSpan(
      `${info.method} ${info.route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': info.method,
          'http.route': info.route,
          'scimgw.gateway': this.#gateway,
          'scimgw.tenant': info.tenant,
          'scimgw.request_id': info.requestId,
        },
      },
      parent,
    );
    const ctx = trace.setSpan(parent, span);
    return {
      run: (fn) => context.with(ctx, fn),
      end(status) {
        span.setAttribute('http.response.status_code', status);
        // A server span is an error for 5xx only: a 4xx is the client's (OpenTelemetry's HTTP conventions).
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      },
    };
  }

  /** Runs one connector operation in a child span of the active request. */
  connectorSpan<T>(connector: string, resource: string, operation: string, fn: () => Promise<T>): Promise<T> {
    return this.#tracer.startActiveSpan(
      `connector ${resource}.${operation}`,
      {
        kind: SpanKind.INTERNAL,
        attributes: { 'scimgw.connector': connector, 'scimgw.resource_type': resource, 'scimgw.operation': operation },
      },
      (span: Span) =>
        fn().then(
          (r) => {
            span.end();
            return r;
          },
          (e: unknown) => {
            // The error's type and status only: messages can quote the values that failed.
            span.setAttribute('error.type', e instanceof Error ? e.name : 'Error');
            const status = (e as { status?: unknown } | null)?.status;
            if (typeof status === 'number') span.setAttribute('scimgw.status', status);
            span.setStatus({ code: SpanStatusCode.ERROR });
            span.end();
            throw e;
          },
        ),
    );
  }

  /** Writes the active context's `traceparent`/`tracestate` into outbound headers (chaining). */
  inject(headers: Record<string, string>, ctx: Context = context.active()): void {
    propagation.inject(ctx, headers);
  }
}

/**
 * Pushes the spans the registered SDK still buffers to its exporter (at most `timeoutMs`). The CLI
 * calls it before it exits: `process.exit` would otherwise drop the spans of the last requests.
 * Without an SDK, or with one that cannot flush, it does nothing.
 */
export async function flushTraces(timeoutMs = 5000): Promise<void> {
  const global = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const sdk = (global.getDelegate?.() ?? global) as { forceFlush?: () => Promise<void> };
  if (typeof sdk.forceFlush !== 'function') return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    sdk.forceFlush().catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}
