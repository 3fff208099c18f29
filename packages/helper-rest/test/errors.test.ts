import { errors } from '@scimgw/core';
import { describe, expect, it } from 'vitest';
import {
  categoryForStatus,
  RestAbortedError,
  RestAuthError,
  RestConfigError,
  RestError,
  restErrorToScimError,
  RestNetworkError,
  RestTimeoutError,
  UpstreamError,
  upstreamMessage,
} from '../src/index.js';

function httpError(status: number, body: unknown = {}, retryAfter?: number): RestError {
  return new RestError({ status, body, headers: new Headers(), method: 'GET', url: 'https://backend/x', retryAfter });
}

describe('restErrorToScimError', () => {
  const table: [number, new (...args: never[]) => errors.ScimError, number][] = [
    [400, errors.InvalidValueError, 400],
    [422, errors.InvalidValueError, 400],
    [401, UpstreamError, 502],
    [403, UpstreamError, 502],
    [404, errors.NotFoundError, 404],
    [410, errors.NotFoundError, 404],
    [409, errors.UniquenessError, 409],
    [412, errors.PreconditionFailedError, 412],
    [413, errors.PayloadTooLargeError, 413],
    [429, errors.ServiceUnavailableError, 503],
    [503, errors.ServiceUnavailableError, 503],
    [500, UpstreamError, 502],
    [502, UpstreamError, 502],
    [504, UpstreamError, 504],
    [418, UpstreamError, 502],
  ];
  it.each(table)('HTTP %i → %o (%i)', (status, cls, scimStatus) => {
    const s = restErrorToScimError(httpError(status));
    expect(s).toBeInstanceOf(cls);
    expect(s.status).toBe(scimStatus);
    expect(s.cause).toBeInstanceOf(RestError);
  });

  it('carries Retry-After into the SCIM error for 429 and 503', () => {
    expect(restErrorToScimError(httpError(429, {}, 30)).headers['retry-after']).toBe('30');
    expect(restErrorToScimError(httpError(503, {}, 5)).headers['retry-after']).toBe('5');
    expect(restErrorToScimError(httpError(503)).headers['retry-after']).toBeUndefined();
  });

  it('keeps the upstream message and a known SCIM scimType', () => {
    const graph = restErrorToScimError(
      httpError(409, { error: { code: 'Request_BadRequest', message: 'Another object with the same value already exists.' } }),
    );
    expect(graph.detail).toBe('Another object with the same value already exists.');
    const scim = restErrorToScimError(httpError(400, { detail: 'bad filter', scimType: 'invalidFilter' }));
    expect(scim.scimType).toBe('invalidFilter');
    const weird = restErrorToScimError(httpError(400, { detail: 'x', scimType: 'madeUp' }));
    expect(weird).toBeInstanceOf(errors.InvalidValueError);
  });

  it('maps non-HTTP failures', () => {
    expect(restErrorToScimError(new RestNetworkError('down', { reached: false })).status).toBe(503);
    expect(restErrorToScimError(new RestTimeoutError('slow')).status).toBe(504);
    expect(restErrorToScimError(new RestAbortedError()).status).toBe(503);
    expect(restErrorToScimError(new RestAuthError('token failed', { status: 400 })).status).toBe(502);
    expect(restErrorToScimError(new RestAuthError('no header', { category: 'missingCredentials' }))).toBeInstanceOf(
      errors.UnauthorizedError,
    );
    expect(restErrorToScimError(new RestConfigError('bad')).status).toBe(500);
    const passthrough = new errors.NotFoundError('x');
    expect(restErrorToScimError(passthrough)).toBe(passthrough);
    expect(restErrorToScimError(new Error('boom')).status).toBe(500);
  });

  it('never leaks a gateway-side message for upstream auth failures', () => {
    const s = restErrorToScimError(httpError(401, { error: { message: 'Access token has expired: eyJhbGciOi' } }));
    expect(s.detail).not.toContain('eyJ');
  });

  it('categoryForStatus covers 2xx/3xx defensively', () => {
    expect(categoryForStatus(302)).toBe('upstream');
  });
});

describe('upstreamMessage', () => {
  it('reads the common error body shapes', () => {
    expect(upstreamMessage({ error: { message: 'graph' } })).toBe('graph');
    expect(upstreamMessage({ detail: 'scim2' })).toBe('scim2');
    expect(upstreamMessage({ Errors: [{ description: 'scim1', code: '404' }] })).toBe('scim1');
    expect(upstreamMessage({ error: 'invalid_grant', error_description: 'oauth' })).toBe('oauth');
    expect(upstreamMessage({ message: 'generic' })).toBe('generic');
    expect(upstreamMessage({ error: 'code-only' })).toBe('code-only');
    expect(upstreamMessage('short text')).toBe('short text');
    expect(upstreamMessage('x'.repeat(400))).toBeUndefined();
    expect(upstreamMessage({ message: 'y'.repeat(600) })).toHaveLength(501);
    expect(upstreamMessage(undefined)).toBeUndefined();
  });
});
