/**
 * `createHelperRest`: validates the endpoint configuration once and wires
 * per-tenant runtimes (base URL pool, transport, auth flow) to the request
 * pipeline.
 */
import { join } from 'node:path';
import type { RequestContext } from '@scimgw/core';
import { FederationRegistry } from './auth/federated.js';
import { createAuthProvider } from './auth/index.js';
import type { AuthDeps } from './auth/types.js';
import { resolveEndpoint, tenantKey } from './config.js';
import { RestConfigError, RestError } from './errors.js';
import { BaseUrlPool } from './failover.js';
import { createSafeLogger, SecretRegistry } from './mask.js';
import { collectODataPages, collectScimPages, DEFAULT_MAX_PAGES } from './paging.js';
import { executeRequest, type PipelineDeps, type TenantRuntime } from './request.js';
import { createTransport } from './transport.js';
import type {
  FederatedCredentialConfig,
  HelperRest,
  HelperRestOptions,
  JwtBearerOptions,
  PageOptions,
  RequestOptions,
  RestResponse,
} from './types.js';

/**
 * Creates the outbound REST client for all tenants of `endpoint.entity`.
 * Configuration errors (unknown auth type, missing options, unreadable
 * certificate files, bad URLs) throw {@link RestConfigError} here, at startup.
 *
 * @param opts.endpoint - the `endpoint` config section (`{ entity: { [baseEntity]: { connection } } }`)
 * @param opts.certsDir - where relative TLS/key file names live; default `<cwd>/config/certs`
 * @param opts.logger - optional sink; everything it receives is secret-masked
 * @param opts.fetch - replacement fetch
 *
 * @example
 * const rest = createHelperRest({ endpoint: config.endpoint, certsDir: join(baseDir, 'config/certs'), logger });
 * const { body } = await rest.doRequest<{ value: User[] }>(ctx.tenant, 'GET', '/users?$top=10', undefined, ctx);
 */
export function createHelperRest(opts: HelperRestOptions): HelperRest {
  const secrets = new SecretRegistry();
  const log = createSafeLogger(opts.logger, secrets);
  const certsDir = opts.certsDir ?? join(process.cwd(), 'config', 'certs');
  const federation = new FederationRegistry(certsDir);
  const pipeline: PipelineDeps = { log, secrets, deadlines: new WeakMap() };
  const runtimes = new Map<string, TenantRuntime>();
  let closed = false;

  for (const [key, conn] of resolveEndpoint(opts.endpoint, certsDir, secrets)) {
    const transport = createTransport({
      tls: conn.tls,
      proxy: conn.proxy,
      fetchImpl: opts.fetch,
      maxResponseBytes: conn.maxResponseBytes,
    });
    const rt = { conn, pool: new BaseUrlPool(conn.baseUrls), transport } as TenantRuntime;
    const deps: AuthDeps = {
      conn,
      certsDir,
      secrets,
      log,
      federation,
      postForm: (url, form, headers) =>
        executeRequest(rt, pipeline, {
          method: 'POST',
          path: url,
          body: form,
          noAuth: true,
          // Token requests change nothing on the server, so they may always be repeated.
          options: { headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, retryNonIdempotent: true },
        }),
    };
    rt.auth = createAuthProvider(deps);
    runtimes.set(key, rt);
  }

  const runtime = (baseEntity: string | undefined): TenantRuntime => {
    if (closed) throw new RestConfigError('The REST helper is closed');
    const key = tenantKey(baseEntity);
    const rt = runtimes.get(key);
    if (!rt) throw new RestConfigError(`No connection configured for baseEntity "${key}" (endpoint.entity.${key}.connection)`);
    return rt;
  };

  const doRequest = <T>(
    baseEntity: string | undefined,
    method: string,
    path: string,
    body?: unknown,
    ctx?: RequestContext,
    options?: RequestOptions,
  ): Promise<RestResponse<T>> => {
    try {
      return executeRequest<T>(runtime(baseEntity), pipeline, { method, path, body, ctx, options });
    } catch (e) {
      return Promise.reject(e);
    }
  };

  const fedCred = (baseEntity: string | undefined): FederatedCredentialConfig | undefined => {
    const auth = runtime(baseEntity).conn.auth;
    if (auth.type !== 'oauthJwtBearer') return undefined;
    const fed = (auth.options as JwtBearerOptions).fedCred;
    return fed?.issuer ? fed : undefined;
  };

  const pageFetcher = (baseEntity: string | undefined, ctx: RequestContext | undefined, options: PageOptions | undefined) => {
    const { maxPages: _m, pageSize: _p, notFoundIsEmpty, ...rest } = options ?? {};
    return async (p: string): Promise<RestResponse<unknown>> => {
      try {
        return await doRequest<unknown>(baseEntity, 'GET', p, undefined, ctx, rest);
      } catch (e) {
        if (notFoundIsEmpty && e instanceof RestError && e.status === 404) {
          return { status: 404, headers: e.headers, body: { Resources: [] }, url: e.url };
        }
        throw e;
      }
    };
  };

  return {
    doRequest,
    getAllPagesOData<T>(baseEntity: string | undefined, path: string, ctx?: RequestContext, options?: PageOptions) {
      return collectODataPages<T>(pageFetcher(baseEntity, ctx, options), path, options?.maxPages ?? DEFAULT_MAX_PAGES);
    },
    getAllPagesScim<T>(baseEntity: string | undefined, path: string, ctx?: RequestContext, options?: PageOptions) {
      return collectScimPages<T>(
        pageFetcher(baseEntity, ctx, options),
        path,
        options?.pageSize ?? 100,
        options?.maxPages ?? DEFAULT_MAX_PAGES,
      );
    },
    async federatedJwks(baseEntity) {
      const fed = fedCred(baseEntity);
      return fed ? federation.jwks(fed) : undefined;
    },
    async federatedOpenIdConfiguration(baseEntity) {
      const fed = fedCred(baseEntity);
      return fed ? federation.openIdConfiguration(fed.issuer) : undefined;
    },
    async federatedAssertion(baseEntity) {
      const fed = fedCred(baseEntity);
      if (!fed) return undefined;
      const assertion = await federation.assertion(fed);
      secrets.add(assertion);
      return assertion;
    },
    federatedRoutes: () => federation.routes(),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...runtimes.values()].map((rt) => rt.transport.close()));
    },
  };
}
