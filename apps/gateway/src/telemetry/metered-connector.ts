/**
 * A connector decorator that times every operation for the metrics and, with tracing on, runs it
 * in a span of its own. The connector itself is untouched: the gateway serves the decorated copy.
 */
import {
  type Connector,
  type ConnectorResources,
  defineConnector,
  errors,
  type RequestContext,
  type ResourceHandler,
} from '@scimgw/core';
import { tenantLabel } from './labels.js';
import type { GatewayMetrics } from './metrics.js';
import type { GatewayTracing } from './tracing.js';

const OPERATIONS = ['query', 'get', 'create', 'modify', 'replace', 'delete'] as const;
type Operation = (typeof OPERATIONS)[number];

/** What the decorator reports to. */
export interface ConnectorTelemetry {
  metrics?: GatewayMetrics | undefined;
  tracing?: GatewayTracing | undefined;
  /** Configured tenants: any other tenant is labelled `(other)`. */
  tenants: ReadonlySet<string>;
}

function errorStatus(e: unknown): string {
  return errors.isScimError(e) ? String((e as errors.ScimError).status) : 'error';
}

function meterHandler(resource: string, handler: ResourceHandler, connector: string, t: ConnectorTelemetry): ResourceHandler {
  const out: ResourceHandler = { ...handler };
  for (const op of OPERATIONS) {
    const fn = handler[op] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (!fn) continue;
    // The context follows the first argument, except for modify (id, changes, ctx).
    const ctxAt = op === 'modify' ? 2 : 1;
    const metered = async (...args: unknown[]): Promise<unknown> => {
      const ctx = args[ctxAt] as RequestContext | undefined;
      const tenant = tenantLabel(ctx?.tenant, t.tenants);
      const started = performance.now();
      const call = () => fn.apply(handler, args);
      try {
        const result = await (t.tracing ? t.tracing.connectorSpan(connector, resource, op, call) : call());
        t.metrics?.connectorCall({ resource, operation: op, tenant, seconds: (performance.now() - started) / 1000 });
        return result;
      } catch (e) {
        t.metrics?.connectorCall({
          resource,
          operation: op,
          tenant,
          seconds: (performance.now() - started) / 1000,
          error: errorStatus(e),
        });
        throw e;
      }
    };
    (out as Record<Operation, unknown>)[op] = metered;
  }
  return out;
}

/**
 * Decorates `connector` so each resource operation is timed (`scimgw_connector_call_*`) and traced.
 *
 * @example
 * ```ts
 * const served = meterConnector(connector, { metrics, tenants: new Set(['a', 'b']) });
 * ```
 */
export function meterConnector(connector: Connector, telemetry: ConnectorTelemetry): Connector {
  const resources: ConnectorResources = {};
  for (const [type, handler] of Object.entries(connector.resources)) {
    if (handler !== undefined) resources[type] = meterHandler(type, handler, connector.name, telemetry);
  }
  return defineConnector({ ...connector, resources });
}
