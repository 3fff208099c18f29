import type { ApiOperations } from '@scimgw/core/host';
import {
  type Connector,
  type ConnectorFactoryContext,
  type Logger,
  defineConnector,
  errors,
  type RequestContext,
} from '@scimgw/core';
import { callerCredentialTenants, createHelperRest, type HelperRest } from '@scimgw/helper-rest';
import { type ApiBackend, exampleBackend, restBackend } from './backend.js';
import type { ApiConfig } from './config.js';

/** Options of {@link createApiConnector}. */
export interface ApiConnectorOptions {
  config?: ApiConfig;
  certsDir?: string;
  logger?: Logger;
  /** Use this backend instead of the configured one (tests, embedding). */
  backend?: ApiBackend;
  /** Use this REST client instead of building one from `config.entity`. */
  rest?: HelperRest;
}

const DEFAULT_FIELDS = ['id', 'model', 'title', 'price', 'year'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** API bodies must be non-empty JSON objects: anything else is a client mistake, not a backend call. */
function objectBody(body: unknown, method: string): Record<string, unknown> {
  if (!isObject(body) || Object.keys(body).length === 0) {
    throw new errors.InvalidSyntaxError(`${method} /api needs a non-empty JSON object body`);
  }
  return body;
}

function hasBackendUrls(config: ApiConfig): boolean {
  return Object.values(config.entity ?? {}).some((e) => (e?.connection?.baseUrls ?? []).length > 0);
}

/** Keeps only public fields; lists stay lists, `{ value: [...] }`/`{ Resources: [...] }` envelopes are unwrapped. */
function publicView(body: unknown, fields: readonly string[]): Record<string, unknown>[] {
  const items = Array.isArray(body)
    ? body
    : isObject(body) && Array.isArray(body.value)
      ? body.value
      : isObject(body) && Array.isArray(body.Resources)
        ? body.Resources
        : isObject(body)
          ? [body]
          : [];
  return items.filter(isObject).map((item) => {
    const out: Record<string, unknown> = {};
    for (const f of fields) if (item[f] !== undefined) out[f] = item[f];
    return out;
  });
}

/**
 * Creates the API-gateway example connector.
 *
 * @example
 * // In-process example store (no backend needed):
 * const connector = createApiConnector();
 * // A REST backend:
 * const connector = createApiConnector({ config: { resourcePath: '/products',
 *   entity: { undefined: { connection: { baseUrls: ['https://api.example.com'], auth: { type: 'bearer', options: { token } } } } } } });
 */
export function createApiConnector(options: ApiConnectorOptions = {}): Connector {
  const config = options.config ?? {};
  const backend =
    options.backend ??
    (options.rest || hasBackendUrls(config)
      ? restBackend(
          options.rest ??
            createHelperRest({
              endpoint: config,
              ...(options.certsDir ? { certsDir: options.certsDir } : {}),
              ...(options.logger ? { logger: options.logger } : {}),
            }),
          config.resourcePath ?? '/products',
        )
      : exampleBackend());
  const pub = config.public ?? {};
  const filters = pub.filters ?? ['model'];
  const fields = pub.fields ?? DEFAULT_FIELDS;

  const api: ApiOperations = {
    async get(id: string | undefined, query: Record<string, string>, ctx: RequestContext) {
      return id === undefined ? backend.list(query, ctx) : backend.get(id, ctx);
    },
    async post(body, ctx) {
      return backend.create(objectBody(body, 'POST'), ctx);
    },
    async put(id, body, ctx) {
      return backend.replace(id, objectBody(body, 'PUT'), ctx);
    },
    async patch(id, body, ctx) {
      return backend.update(id, objectBody(body, 'PATCH'), ctx);
    },
    async delete(id, ctx) {
      return backend.remove(id, ctx);
    },
  };
  if (pub.enabled !== false) {
    // Only allowlisted query parameters reach the backend, and only public fields come back.
    api.publicGet = async (query, ctx) => {
      const q: Record<string, string> = {};
      for (const f of filters) if (typeof query[f] === 'string' && query[f] !== '') q[f] = query[f] as string;
      return publicView(await backend.list(q, ctx), fields);
    };
  }

  // A backend signed in to with the caller's own credentials (auth type passThrough) judges them.
  // Only those tenants: the others sign in with an account of their own and check no caller.
  const passThrough = callerCredentialTenants(config.entity);

  return defineConnector({
    name: 'connector-api',
    coreVersion: '^1.0.0',
    resources: {},
    passThroughAuth: passThrough,
    host: { api },
    async close() {
      await backend.close?.();
    },
  });
}

/** Package entry for the gateway. */
export function createConnector(context: ConnectorFactoryContext<ApiConfig>): Connector {
  return createApiConnector({
    config: context.config ?? {},
    certsDir: context.certsDir,
    logger: context.log,
  });
}
