import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { routeScimPath } from '../src/handler/index.js';

const ENDPOINT_NAMES = new Set([
  'users',
  'groups',
  'roles',
  'entitlements',
  'schemas',
  'resourcetypes',
  'serviceproviderconfig',
  'serviceproviderconfigs',
  'bulk',
  '.search',
]);

/** Any text a client could put in one path segment, encoded as a client would send it. */
const segmentText = fc.string({ minLength: 1, maxLength: 24, unit: 'binary' });
/** Names an object literal would find on `Object.prototype`. */
const prototypeNames = fc.constantFrom(...Object.getOwnPropertyNames(Object.prototype));
const notEndpoint = fc
  .oneof(segmentText, prototypeNames)
  .filter((s) => !ENDPOINT_NAMES.has(s.toLowerCase()) && s.toLowerCase() !== '.search');

describe('routeScimPath (properties)', () => {
  it('routes tenant, version, endpoint and id back to what was encoded', () => {
    fc.assert(
      fc.property(
        fc.option(
          notEndpoint.filter((t) => !['scim', 'v1', 'v2'].includes(t.toLowerCase())),
          { nil: undefined },
        ),
        fc.constantFrom('', '/scim', '/scim/v2', '/v2', '/scim/v1', '/v1'),
        fc.constantFrom('Users', 'groups', 'ROLES', 'Entitlements'),
        fc.option(
          segmentText.filter((s) => s.toLowerCase() !== '.search'),
          { nil: undefined },
        ),
        (tenant, mid, endpoint, id) => {
          const path = `${tenant === undefined ? '' : `/${encodeURIComponent(tenant)}`}${mid}/${endpoint}${
            id === undefined ? '' : `/${encodeURIComponent(id)}`
          }`;
          const r = routeScimPath(path);
          expect(r, path).toBeDefined();
          expect(r?.tenant).toBe(tenant);
          expect(r?.id).toBe(id);
          expect(r?.endpoint.toLowerCase()).toBe(endpoint.toLowerCase());
          expect(r?.version).toBe(mid.endsWith('v1') ? '1.1' : mid.endsWith('v2') ? '2.0' : undefined);
        },
      ),
    );
  });

  it('a path with no endpoint segment never routes, whatever its segments are called', () => {
    fc.assert(
      fc.property(fc.array(notEndpoint, { minLength: 1, maxLength: 4 }), (segs) => {
        expect(routeScimPath(`/${segs.map(encodeURIComponent).join('/')}`)).toBeUndefined();
        // Unencoded too: names such as `constructor` or `__proto__` find nothing.
        if (segs.every((s) => !s.includes('/') && !s.includes('?'))) expect(routeScimPath(`/${segs.join('/')}`)).toBeUndefined();
      }),
    );
  });

  it('routes a root path (`/Users/{id}`, routed without splitting) as the general routing does', () => {
    // A leading empty segment (`//Users`) sends a path through the general routing, which skips
    // empty segments: both must agree on every path.
    const segment = fc.oneof(
      fc.constantFrom('Users', 'groups', 'ServiceProviderConfigs', 'serviceproviderconfig', 'Bulk', '.search', '.SEARCH'),
      fc.constantFrom('Schemas', 'ResourceTypes', 'scim', 'v2', '', '%', '%2F', 'constructor', '__proto__'),
      segmentText,
    );
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 3 }), fc.boolean(), (segs, query) => {
        const path = `/${segs.join('/')}${query ? '?filter=x' : ''}`;
        expect(routeScimPath(path), path).toEqual(routeScimPath(`/${path}`));
      }),
      { numRuns: 2000 },
    );
  });
});
