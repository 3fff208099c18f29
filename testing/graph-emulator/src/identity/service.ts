/**
 * The identity platform endpoints of one cloud listener: OpenID metadata, instance discovery,
 * JWKS and the v2.0 token endpoint. Nothing here logs or echoes a credential.
 */
import { randomUUID } from 'node:crypto';
import type { CloudDefinition } from '../clouds.js';
import type { CallLog } from '../graph/calls.js';
import type { LogEntry } from '../graph/service.js';
import { aadErrorBody } from './aad-errors.js';
import { instanceDiscovery, issuerHost, openIdConfiguration } from './metadata.js';
import { type TokenEndpointDeps, tokenEndpoint } from './token-endpoint.js';

/** A plain HTTP answer. */
export interface PlainResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** An identity request as the HTTP layer hands it over. */
export interface IdentityRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
  readonly host: string;
}

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store, no-cache',
  pragma: 'no-cache',
};

/** Identity platform endpoints for one cloud. */
export class IdentityService {
  constructor(
    private readonly deps: TokenEndpointDeps & {
      readonly calls: CallLog;
      readonly log: (entry: LogEntry) => void;
      readonly now: () => number;
    },
  ) {}

  /** Answers an identity request, or `undefined` when the path is not an identity endpoint. */
  async handle(request: IdentityRequest, cloud: CloudDefinition): Promise<PlainResponse | undefined> {
    const segments = request.path.split('/').filter(Boolean);
    const [tenant = '', ...rest] = segments;
    const tail = rest.join('/').toLowerCase();
    const ok = (body: unknown): PlainResponse => ({ status: 200, headers: JSON_HEADERS, body });
    if (request.method === 'GET' && tenant === 'common' && tail === 'discovery/instance')
      return ok(instanceDiscovery(request.host));
    if (
      request.method === 'GET' &&
      (tail === 'v2.0/.well-known/openid-configuration' || tail === '.well-known/openid-configuration')
    ) {
      const id = this.tenantOf(tenant);
      if (!id)
        return {
          status: 400,
          headers: JSON_HEADERS,
          body: { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${tenant}' not found.` },
        };
      return ok(openIdConfiguration(cloud, request.host, id));
    }
    if (request.method === 'GET' && (tail === 'discovery/v2.0/keys' || tail === 'discovery/keys'))
      return ok({ keys: [this.deps.key.jwk] });
    if (tail === 'oauth2/v2.0/token' || tail === 'oauth2/token') {
      if (request.method !== 'POST')
        return {
          status: 405,
          headers: JSON_HEADERS,
          body: { error: 'invalid_request', error_description: 'The token endpoint accepts POST only.' },
        };
      return this.token(request, cloud, tenant, tail === 'oauth2/token');
    }
    return undefined;
  }

  private tenantOf(segment: string): string | undefined {
    const lower = segment.toLowerCase();
    if (lower === this.deps.tenantId || this.deps.domains.has(lower)) return this.deps.tenantId;
    if (lower === 'common' || lower === 'organizations') return lower;
    return undefined;
  }

  private async token(request: IdentityRequest, cloud: CloudDefinition, tenant: string, v1: boolean): Promise<PlainResponse> {
    const now = this.deps.now();
    const correlationId = request.headers['client-request-id'] ?? randomUUID();
    const loginHost = issuerHost(cloud, request.host);
    if (v1) {
      const body = {
        error: 'invalid_request',
        error_description: 'AADSTS900561: The emulator implements the v2.0 token endpoint only (/oauth2/v2.0/token).',
      };
      return { status: 400, headers: JSON_HEADERS, body };
    }
    const result = await tokenEndpoint(this.deps, {
      tenantSegment: tenant,
      contentType: request.headers['content-type'] ?? '',
      authorization: request.headers.authorization,
      body: request.body,
      host: request.host,
      cloud,
      now,
    });
    this.deps.calls.recordToken({ ...result.outcome, at: now });
    this.deps.log({
      kind: 'token',
      clientId: result.outcome.clientId,
      status: result.outcome.status,
      ...(result.outcome.error ? { code: result.outcome.error } : {}),
    });
    const headers = { ...JSON_HEADERS, 'x-ms-request-id': randomUUID(), 'client-request-id': correlationId };
    if ('error' in result)
      return { status: result.error.status, headers, body: aadErrorBody(result.error, correlationId, loginHost, now) };
    return { status: 200, headers, body: result.body };
  }
}
