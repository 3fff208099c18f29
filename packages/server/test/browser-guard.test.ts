import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { browserRefusal, requestHost } from '../src/index.js';

const host = fc
  .tuple(fc.domain(), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
  .map(([name, port]) => (port === undefined ? name : `${name}:${port}`));
const write = fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE');

describe('browserRefusal', () => {
  it('property: a write with an Origin is refused exactly when its host is not the gateway’s', () => {
    fc.assert(
      fc.property(write, host, host, fc.constantFrom('http', 'https'), (method, own, other, scheme) => {
        const same = browserRefusal(method, { origin: `${scheme}://${own}` }, own);
        expect(same).toBeUndefined();
        const foreign = browserRefusal(method, { origin: `${scheme}://${other}` }, own);
        expect(foreign?.status).toBe(other.toLowerCase() === own.toLowerCase() ? undefined : 403);
      }),
    );
  });

  it('property: any Origin text never throws, and reads are never refused', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('GET', 'HEAD'), (origin, method) => {
        expect(
          browserRefusal(method, { origin, 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' }, 'gw:1'),
        ).toBeUndefined();
        const r = browserRefusal('POST', { origin }, 'gw:1');
        expect(r === undefined || r.status === 403).toBe(true);
      }),
    );
  });

  it('Sec-Fetch-Site of another site is 403; same-origin and none are not', () => {
    for (const site of ['cross-site', 'same-site', 'Cross-Site'])
      expect(browserRefusal('POST', { 'sec-fetch-site': site }, 'gw')?.status).toBe(403);
    for (const site of ['same-origin', 'none']) expect(browserRefusal('POST', { 'sec-fetch-site': site }, 'gw')).toBeUndefined();
    expect(browserRefusal('POST', { origin: 'null' }, 'gw')?.status).toBe(403);
  });

  it('form content types are 415; JSON types and none are not', () => {
    for (const type of [
      'text/plain',
      'TEXT/PLAIN; charset=utf-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=a',
    ])
      expect(browserRefusal('PATCH', { 'content-type': type }, 'gw')?.status).toBe(415);
    for (const type of ['application/scim+json', 'application/json; charset=utf-8', undefined])
      expect(browserRefusal('PATCH', type === undefined ? {} : { 'content-type': type }, 'gw')).toBeUndefined();
  });

  it('requestHost reads X-Forwarded-Host only where forwarded headers are trusted', () => {
    const headers = { host: 'inner:8880', 'x-forwarded-host': 'scim.example.com, proxy2' };
    expect(requestHost(headers, false)).toBe('inner:8880');
    expect(requestHost(headers, true)).toBe('scim.example.com');
  });
});
