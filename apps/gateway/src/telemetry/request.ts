/**
 * What the pipeline reports about one request: metrics when `/metrics` is on, a span when tracing
 * is on. The pipeline calls it at three points (start, refusal, end) and knows nothing else of
 * Prometheus or OpenTelemetry, so any host driving the pipeline (express, bare node:http, Bun)
 * reports the same.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ScimRoute } from '@scimgw/core/handler';
import type { Special } from '../authorize.js';
import { methodLabel, routeLabel, tenantLabel } from './labels.js';
import type { GatewayMetrics } from './metrics.js';
import type { GatewayTracing, RequestSpan } from './tracing.js';

/** The instance's telemetry, as the pipeline holds it. */
export interface PipelineTelemetry {
  metrics?: GatewayMetrics | undefined;
  tracing?: GatewayTracing | undefined;
  /** Configured tenants: the only values the `tenant` label takes besides `''` and `(other)`. */
  tenants: ReadonlySet<string>;
}

/** One request under observation. */
export interface RequestObservation {
  /** Runs the request's work (in its span's context when tracing). */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Authentication or authorization refused the request with `status` (429: the failed-login limit). */
  refused(status: number, endpoint: 'scim' | 'token'): void;
  /** The answer went out with `status`. */
  end(status: number): void;
}

/** Where a request was routed. */
export interface ObservedRoute {
  method: string;
  special: Special | undefined;
  route: ScimRoute | undefined;
  tenant: string | undefined;
  requestId: string;
  headers: IncomingHttpHeaders;
}

/** Starts observing one request. */
export function observeRequest(t: PipelineTelemetry, r: ObservedRoute): RequestObservation {
  const started = performance.now();
  const method = methodLabel(r.method);
  const route = routeLabel(r.special, r.route);
  const tenant = tenantLabel(r.tenant, t.tenants);
  const span: RequestSpan | undefined = t.tracing?.requestSpan(r.headers, { method, route, tenant, requestId: r.requestId });
  let ended = false;
  return {
    run: (fn) => (span ? span.run(fn) : fn()),
    refused: (status, endpoint) => t.metrics?.authRefused(status, tenant, endpoint),
    end(status) {
      if (ended) return;
      ended = true;
      t.metrics?.request({ method, route, tenant, status, seconds: (performance.now() - started) / 1000 });
      span?.end(status);
    },
  };
}
