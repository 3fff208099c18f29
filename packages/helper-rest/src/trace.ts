/**
 * OpenTelemetry for outbound calls, through `@opentelemetry/api` only: inside a request the host
 * traces, each HTTP exchange gets a client span and carries its W3C `traceparent` (and
 * `tracestate`) to the endpoint. Outside a traced request nothing happens, so tracing stays off
 * unless the host turned it on, and without a registered SDK every call here is a no-op.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

const TRACER = '@scimgw/helper-rest';

/** The answer's status, for the span; anything with a `status` number will do. */
interface WithStatus {
  status: number;
}

/**
 * Runs one HTTP exchange; inside a traced request, in a client span whose context is injected
 * into the headers `send` receives (a copy: the caller's headers are reused for retries).
 *
 * @param method - HTTP method, e.g. `GET`
 * @param url - the URL sent to (only its host and port are recorded: paths and queries can carry
 *   identifiers and keys)
 * @param headers - the request headers
 * @param send - sends the request with the headers given
 */
export function tracedExchange<R extends WithStatus>(
  method: string,
  url: string,
  headers: Record<string, string>,
  send: (headers: Record<string, string>) => Promise<R>,
): Promise<R> {
  const parent = context.active();
  if (trace.getSpan(parent) === undefined) return send(headers);
  let host = '';
  let port: number | undefined;
  try {
    const u = new URL(url);
    host = u.hostname;
    port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  } catch {}
  const span = trace.getTracer(TRACER).startSpan(
    method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': method,
        'server.address': host,
        ...(port === undefined ? {} : { 'server.port': port }),
      },
    },
    parent,
  );
  const carrier: Record<string, string> = { ...headers };
  propagation.inject(trace.setSpan(parent, span), carrier);
  return send(carrier).then(
    (r) => {
      span.setAttribute('http.response.status_code', r.status);
      if (r.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      return r;
    },
    (e: unknown) => {
      // The error's name only: messages of network errors can quote URLs with keys in them.
      span.setAttribute('error.type', e instanceof Error ? e.name : 'Error');
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      throw e;
    },
  );
}
