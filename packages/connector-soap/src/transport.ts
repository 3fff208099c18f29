/**
 * The HTTP client the `soap` package sends through: `@scimgw/helper-rest`, so SOAP calls get the
 * same connections as every REST connector — HTTP auth, TLS (client certificates, custom CAs),
 * proxies, base URL failover, timeouts and bounded retries — on Node and on Bun.
 *
 * Every response passes the XML guard before soap parses it. Per-call settings (request context,
 * whether the call may be repeated) travel in soap's per-call options under {@link CALL_OPTIONS}.
 */
import type { RequestContext } from '@scimgw/core';
import { type HelperRest, RestError, RestResponseTooLargeError } from '@scimgw/helper-rest';
import { refuseXml, XmlRefusedError } from './xml-guard.js';

/** The key of soap's per-call options that carries a {@link CallOptions}. */
export const CALL_OPTIONS = 'scimgwCall';

/** Per-call settings of one SOAP request. */
export interface CallOptions {
  ctx?: RequestContext | undefined;
  /** Path under the tenant's base URLs (failover), or `undefined` to use soap's absolute URL. */
  path?: string | undefined;
  timeout?: number | undefined;
  /** The operation has an output message: its answer must be a SOAP envelope with a Body. */
  expectsEnvelope?: boolean | undefined;
  /** Called when soap throws while reading a response, so the call fails instead of hanging. */
  fail(e: unknown): void;
}

/** What soap hands its HTTP client, and how it expects the answer (the axios response shape it reads). */
type SoapCallback = (
  error: unknown,
  res?: { status: number; headers: Record<string, string>; data: string },
  body?: string,
) => void;

const ACCEPT = 'text/xml, application/soap+xml, application/xml;q=0.9, */*;q=0.1';
const ENVELOPE = /<(?:[\w.-]+:)?Envelope[\s>/]/;

function plainHeaders(h: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    // soap sets these for its own HTTP client; fetch computes them.
    if (/^(content-length|host|accept-encoding|user-agent|connection)$/i.test(k)) continue;
    if (v !== undefined && v !== null) out[k] = String(v);
  }
  return out;
}

/** Options of {@link createSoapHttpClient}. */
export interface SoapHttpClientOptions {
  rest: HelperRest;
  /** The tenant (baseEntity) whose connection is used. */
  tenant: string | undefined;
  /** Responses longer than this (bytes) are refused before parsing. */
  maxResponseBytes: number;
  /**
   * Whether an absolute URL may receive the connection's credentials. Relative paths (under the
   * base URLs) always do; a URL a WSDL names (an import, an address) only when this says so.
   */
  sendAuthTo(url: string): boolean;
}

/**
 * A soap `IHttpClient` for one tenant. WSDL fetches (`data` null) are GETs that may be repeated;
 * operation calls are POSTs, repeated only when {@link CallOptions.idempotent} says so.
 */
export function createSoapHttpClient(opts: SoapHttpClientOptions) {
  const { rest, tenant } = opts;
  return {
    request(
      rurl: string,
      data: unknown,
      callback: SoapCallback,
      exheaders?: Record<string, unknown>,
      exoptions?: Record<string, unknown>,
    ): Promise<void> {
      const call = exoptions?.[CALL_OPTIONS] as CallOptions | undefined;
      const method = data === null || data === undefined ? 'GET' : 'POST';
      const deliver = (status: number, headers: Headers, text: string) => {
        const refused =
          Buffer.byteLength(text) > opts.maxResponseBytes
            ? `the response is longer than ${opts.maxResponseBytes} bytes`
            : refuseXml(text, { envelope: call?.expectsEnvelope === true });
        if (refused) {
          callback(new XmlRefusedError(refused));
          return;
        }
        const plain: Record<string, string> = {};
        headers.forEach((v, k) => {
          plain[k] = v;
        });
        try {
          callback(null, { status, headers: plain, data: text }, text);
        } catch (e) {
          // soap threw while reading the response (its parser has inputs it can't take): without
          // this the call would never settle.
          if (call) call.fail(e);
          else throw e;
        }
      };
      return rest
        .doRequest<string>(tenant, method, call?.path ?? rurl, method === 'POST' ? String(data) : undefined, call?.ctx, {
          headers: { accept: ACCEPT, ...plainHeaders(exheaders) },
          responseType: 'text',
          // A call is retried whole by the caller (a new envelope each time); a WSDL fetch here.
          ...(call ? { retry: false as const } : { retryNonIdempotent: true }),
          sendAuth: call?.path !== undefined || opts.sendAuthTo(rurl),
          ...(call?.timeout ? { timeout: call.timeout } : {}),
        })
        .then(
          (res) => deliver(res.status, res.headers, typeof res.body === 'string' ? res.body : ''),
          (e: unknown) => {
            // A fault comes with an HTTP error status: let soap read the envelope.
            if (e instanceof RestError && typeof e.body === 'string' && ENVELOPE.test(e.body)) {
              deliver(e.status, e.headers, e.body);
              return;
            }
            // The transport stopped reading at the connection's bound (maxResponseBytes by default).
            if (e instanceof RestResponseTooLargeError) {
              callback(new XmlRefusedError(`the response is longer than ${e.limit} bytes`));
              return;
            }
            callback(e);
          },
        );
    },
  };
}

/** The client type soap receives. */
export type SoapHttpClient = ReturnType<typeof createSoapHttpClient>;
