/**
 * The SOAP services of one connector: WSDLs loaded once per tenant, one soap `Client` per tenant
 * and service (with the tenant's WS-Security and HTTP client), and {@link SoapServices.call}, which
 * runs one operation and turns every failure into a classified {@link SoapCallError}.
 */
import { isAbsolute, join } from 'node:path';
import type { Logger, RequestContext } from '@scimgw/core';
import { HelperRestError, type RetryConfig } from '@scimgw/helper-rest';
import soap, { type Client, type IHttpClient, type IOptions } from 'soap';
import type { FaultRule, ServiceConfig, SoapConfig } from './config.js';
import { FAULT_CATEGORY, SoapCallError, type SoapFailureCategory, transportCategory } from './errors.js';
import { classifyFault, faultOf } from './faults.js';
import { mayRetry, pause, retryDelay } from './retry.js';
import { describeRpcParts } from './rpc-types.js';
import { maskingLogger, type SecretMask } from './secrets.js';
import { SecurityConfigError, type WsSecurity } from './security.js';
import { CALL_OPTIONS, type CallOptions, createSoapHttpClient } from './transport.js';
import { XmlRefusedError } from './xml-guard.js';

/** How one tenant reaches the services. */
export interface TenantTransport {
  /** True when the tenant's connection has base URLs (services are paths under them). */
  hasBaseUrls: boolean;
  security: WsSecurity | undefined;
  /** The connection's retry settings. */
  retry: RetryConfig;
  /** The connection signs in with the inbound caller's own credential (auth type passThrough). */
  callerCredentials?: boolean;
}

/** Options of one call. */
export interface CallSettings {
  idempotent: boolean;
  timeout?: number | undefined;
}

/** What {@link SoapServices} needs. */
export interface SoapServicesDeps {
  config: SoapConfig;
  baseDir: string;
  rest: import('@scimgw/helper-rest').HelperRest;
  secrets: SecretMask;
  log: Logger;
  /** The transport of a tenant key (`"undefined"` for the default tenant). */
  tenant(key: string): TenantTransport | undefined;
}

type SoapMethodFn = (args: unknown, callback: (err: unknown, result: unknown) => void, options: Record<string, unknown>) => void;

interface ResolvedMethod {
  fn: SoapMethodFn;
  /** `rpc` operations without parts need `null` as arguments. */
  rpc: boolean;
  /** No output message in the binding: the answer need not be an envelope. */
  oneWay: boolean;
}

interface LoadedService {
  client: Client;
  methods: Map<string, ResolvedMethod>;
  /** Operations of the WSDL, for error messages. */
  operationNames: string[];
}

/** Options every soap client gets. */
function clientOptions(svc: ServiceConfig): IOptions {
  const keepText = (text: string) => text;
  return {
    disableCache: true,
    // Leading and trailing spaces are data.
    preserveWhitespace: true,
    // `$`-keys are never valid element names in messages, so data can't reach soap's attribute key.
    attributesKey: '$attributes',
    forceSoap12Headers: svc.soap12,
    // Keep values soap would turn into JS numbers or dates as sent: 64-bit ids must not lose digits,
    // and the mapper converts dates itself.
    customDeserializer: Object.fromEntries(
      [
        'dateTime',
        'date',
        'time',
        'long',
        'integer',
        'decimal',
        'unsignedLong',
        'nonNegativeInteger',
        'positiveInteger',
        'negativeInteger',
        'nonPositiveInteger',
      ].map((t) => [t, keepText]),
    ),
  } as IOptions;
}

/** A WSDL that could not be loaded (file, fetch or parse). */
class WsdlLoadError extends Error {
  override name = 'WsdlLoadError';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function truncate(s: string, max = 500): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** The services of one connector. */
export class SoapServices {
  readonly #deps: SoapServicesDeps;
  readonly #loaded = new Map<string, Promise<LoadedService>>();

  constructor(deps: SoapServicesDeps) {
    this.#deps = deps;
  }

  /** The configuration of a service (defaults for one only named by an operation). */
  service(name: string): ServiceConfig {
    return this.#deps.config.services[name] ?? { soap12: false };
  }

  /** Where a service's WSDL is: an http(s) URL, or a file path. */
  wsdlLocation(name: string): string {
    const svc = this.service(name);
    const ref = svc.wsdl ?? join(this.#deps.config.wsdlDir, `${name}.wsdl`);
    if (/^https?:\/\//i.test(ref)) return ref;
    return isAbsolute(ref) ? ref : join(this.#deps.baseDir, ref);
  }

  /**
   * Loads the WSDL of every named service that is a file and checks the operations exist, so a
   * misspelt operation stops the start instead of failing the first request.
   *
   * @returns problems as `[where, message]`
   */
  async check(ops: { where: string; service: string; method: string }[]): Promise<[string, string][]> {
    const problems: [string, string][] = [];
    for (const op of ops) {
      if (/^https?:/i.test(this.wsdlLocation(op.service))) continue;
      let loaded: LoadedService;
      try {
        loaded = await this.#load('undefined', op.service);
      } catch (e) {
        problems.push([`${op.where}.service`, (e as Error).message]);
        continue;
      }
      if (!loaded.methods.has(op.method)) {
        problems.push([
          `${op.where}.method`,
          `"${op.method}" is not an operation of service "${op.service}" (it has: ${loaded.operationNames.join(', ')})`,
        ]);
      }
    }
    return problems;
  }

  #load(tenantKey: string, name: string): Promise<LoadedService> {
    const key = `${tenantKey}\u0000${name}`;
    let p = this.#loaded.get(key);
    if (!p) {
      p = this.#create(tenantKey, name);
      this.#loaded.set(key, p);
      // A WSDL that could not be fetched is tried again by the next call.
      p.catch(() => this.#loaded.delete(key));
    }
    return p;
  }

  async #create(tenantKey: string, name: string): Promise<LoadedService> {
    const svc = this.service(name);
    const tenant = tenantKey === 'undefined' ? undefined : tenantKey;
    const transport = this.#deps.tenant(tenantKey);
    const location = this.wsdlLocation(name);
    // Credentials go to the configured WSDL URL's origin and, for a WSDL from a file, to the
    // addresses it names; never to a host a fetched WSDL or one of its imports points at.
    const trusted = new Set<string>();
    const remote = /^https?:/i.test(location);
    if (remote) trusted.add(new URL(location).origin);
    const httpClient = createSoapHttpClient({
      rest: this.#deps.rest,
      tenant,
      maxResponseBytes: this.#deps.config.maxResponseBytes,
      sendAuthTo: (url) => {
        try {
          return trusted.has(new URL(url).origin);
        } catch {
          return false;
        }
      },
    });
    let client: Client;
    try {
      // soap types its HTTP client by axios's promise, which it never reads from a custom client.
      client = await soap.createClientAsync(location, {
        ...clientOptions(svc),
        httpClient: httpClient as unknown as IHttpClient,
      });
    } catch (e) {
      throw new WsdlLoadError(
        `WSDL of service "${name}" (${location}) could not be loaded: ${(e as Error).message ?? String(e)}`,
        {
          cause: e,
        },
      );
    }
    describeRpcParts(client.wsdl.definitions);
    if (transport?.security) client.setSecurity(transport.security);
    const methods = new Map<string, ResolvedMethod>();
    const names: string[] = [];
    const services = (client.wsdl.definitions.services ?? {}) as Record<
      string,
      {
        ports: Record<string, { location?: string; binding: { methods: Record<string, { style?: string; output?: unknown }> } }>;
      }
    >;
    if (!remote) {
      for (const service of Object.values(services)) {
        for (const port of Object.values(service.ports ?? {})) {
          try {
            if (port.location) trusted.add(new URL(port.location).origin);
          } catch {
            // not a URL: no credentials for it
          }
        }
      }
    }
    const api = client as unknown as Record<string, Record<string, Record<string, SoapMethodFn>>>;
    for (const [serviceName, service] of Object.entries(services)) {
      for (const [portName, port] of Object.entries(service.ports ?? {})) {
        if (svc.port !== undefined && svc.port !== portName) continue;
        for (const [methodName, m] of Object.entries(port.binding?.methods ?? {})) {
          if (!names.includes(methodName)) names.push(methodName);
          const fn = api[serviceName]?.[portName]?.[methodName];
          if (!methods.has(methodName) && typeof fn === 'function') {
            methods.set(methodName, { fn, rpc: m.style === 'rpc', oneWay: !m.output });
          }
        }
      }
    }
    return { client, methods, operationNames: names };
  }

  /**
   * Runs one operation for a tenant and returns soap's result object.
   *
   * @throws SoapCallError, classified for the error table
   */
  async call(
    ctx: RequestContext,
    service: string,
    method: string,
    args: Record<string, unknown> | null,
    settings: CallSettings,
  ): Promise<unknown> {
    const tenantKey = ctx.tenant === undefined || ctx.tenant === '' ? 'undefined' : ctx.tenant;
    // The host's request logger gets the same mask as the connector's: helper-rest logs request
    // bodies through it, and SOAP bodies carry secrets only this connector knows.
    const safe: RequestContext = ctx.log ? { ...ctx, log: maskingLogger(ctx.log, this.#deps.secrets) } : ctx;
    const log = safe.log ?? this.#deps.log;
    const started = Date.now();
    const transport = this.#deps.tenant(tenantKey);
    if (!transport) {
      throw new SoapCallError(
        'config',
        service,
        method,
        `no configuration for tenant "${tenantKey}" (endpoint.entity.${tenantKey})`,
      );
    }
    let loaded: LoadedService;
    try {
      loaded = await this.#load(tenantKey, service);
    } catch (e) {
      throw this.#classify(e, service, method);
    }
    const m = loaded.methods.get(method);
    if (!m) throw new SoapCallError('config', service, method, `"${method}" is not an operation of the service's WSDL`);
    const message = args === null || (m.rpc && Object.keys(args).length === 0) ? null : args;
    const path = transport.hasBaseUrls ? (this.service(service).path ?? service) : undefined;
    /** One attempt: soap builds the envelope (a fresh WS-Security token) and sends it. */
    const once = () =>
      new Promise<unknown>((resolve, reject) => {
        let settled = false;
        const settle = (err: unknown, value?: unknown) => {
          if (settled) return;
          settled = true;
          if (err) reject(err);
          else resolve(value);
        };
        const call: CallOptions = {
          ctx: safe,
          path,
          timeout: settings.timeout,
          expectsEnvelope: !m.oneWay,
          fail: (e) => settle(e ?? new Error('soap failed to read the response')),
        };
        try {
          m.fn(message, (err, value) => settle(err, value), { [CALL_OPTIONS]: call });
        } catch (e) {
          settle(e ?? new Error('soap failed to build the request'));
        }
      });
    const where = { tenant: ctx.tenant, requestId: ctx.requestId, service, operation: method };
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await once();
        log.debug('soap call', { ...where, attempt, ms: Date.now() - started });
        return result;
      } catch (e) {
        const err = asCaller(this.#classify(e, service, method), transport);
        const delayMs =
          attempt < transport.retry.attempts && mayRetry(err, settings.idempotent, transport.retry)
            ? retryDelay(err, attempt, transport.retry)
            : undefined;
        if (delayMs !== undefined) {
          log.warn('soap call failed, retrying', { ...where, attempt, category: err.category, delayMs });
          try {
            await pause(delayMs, ctx.signal);
          } catch (abort) {
            throw new SoapCallError('aborted', service, method, 'the request was aborted while waiting to retry', {
              cause: abort,
            });
          }
          continue;
        }
        const quiet = err.category === 'notFound' || err.category === 'duplicate' || err.category === 'validation';
        log[quiet ? 'debug' : 'warn']('soap call failed', {
          ...where,
          attempt,
          category: err.category,
          ...(err.fault ? { faultCode: err.fault.code } : {}),
          detail: err.detail,
          ...(err.internal ? { internal: err.internal } : {}),
          ms: Date.now() - started,
        });
        throw err;
      }
    }
  }

  #classify(e: unknown, service: string, method: string): SoapCallError {
    if (e instanceof SoapCallError) return e;
    const mask = (s: string) => truncate(this.#deps.secrets.mask(s));
    const fail = (
      category: SoapFailureCategory,
      detail: string,
      extra: { retryAfter?: number | undefined; status?: number | undefined } = {},
    ) => new SoapCallError(category, service, method, mask(detail), { cause: e, ...extra });
    if (e instanceof XmlRefusedError) return fail('refusedResponse', e.message);
    if (e instanceof SecurityConfigError) return fail('config', e.message);
    if (e instanceof HelperRestError) {
      const status = (e as { status?: number }).status;
      return fail(transportCategory(e), status ? `HTTP ${status}` : e.message, {
        retryAfter: (e as { retryAfter?: number }).retryAfter,
        status,
      });
    }
    const fault = faultOf(e);
    if (fault) {
      const status = isRecord(e) && isRecord(e.response) && typeof e.response.status === 'number' ? e.response.status : undefined;
      const category: SoapFailureCategory =
        status === 401 || status === 403
          ? 'credentials'
          : FAULT_CATEGORY[classifyFault(fault, this.#deps.config.faults as FaultRule[])];
      const reason = fault.reason || fault.code || 'fault without a reason';
      return new SoapCallError(category, service, method, mask(reason), { cause: e, fault, status });
    }
    // soap reports XML it can't read as a thrown `{ Fault: { faultstring: 'Invalid XML' } }` object.
    if (isRecord(e) && isRecord(e.Fault)) {
      return fail('invalidResponse', `${String(e.Fault.faultstring ?? 'unreadable response')}: ${String(e.Fault.detail ?? '')}`);
    }
    if (e instanceof WsdlLoadError) {
      // Fetching a WSDL over HTTP fails like any call; a broken file is a configuration problem.
      const cause = e.cause;
      if (cause instanceof HelperRestError || cause instanceof XmlRefusedError) {
        const inner = this.#classify(cause, service, method);
        return new SoapCallError(inner.category, service, method, mask(`WSDL: ${inner.detail}`), { cause: e });
      }
      return fail('config', e.message);
    }
    if (e instanceof Error && e.name === 'AssertionError') return fail('config', e.message);
    if (e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError) {
      // A JavaScript error from reading an answer whose shape the code did not expect ("Cannot read
      // properties of undefined …"): the client learns what happened, the log keeps the message.
      return new SoapCallError(
        'invalidResponse',
        service,
        method,
        'the answer does not have the shape the WSDL describes (the gateway log has the details)',
        { cause: e, internal: mask(e.message) },
      );
    }
    return fail('invalidResponse', e instanceof Error ? e.message : String(e));
  }
}

/**
 * A refusal of the credentials on a connection that signs in with the caller's own (pass-through):
 * the caller's to hear (401, or 403 when the service said so), not the gateway's configuration.
 */
function asCaller(err: SoapCallError, transport: TenantTransport): SoapCallError {
  if (err.category !== 'credentials' || !transport.callerCredentials) return err;
  return new SoapCallError(err.category, err.service, err.operation, err.detail, {
    cause: err.cause,
    fault: err.fault,
    status: err.status,
    callerCredentials: true,
  });
}
