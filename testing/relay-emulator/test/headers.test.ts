import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendVia, joinRawHeaders, splitRequestTarget, takeRelayToken, withoutConnectionHeaders } from '../src/headers.js';

describe('request target', () => {
  it('removes every sb-hc- parameter (any case) and keeps the rest byte for byte', () => {
    const split = splitRequestTarget('/hyco/Users?filter=userName%20eq%20%22a%2Bb%22&SB-HC-TOKEN=abc&x=1&sb-hc-id=7&flag');
    expect(split.requestTarget).toBe('/hyco/Users?filter=userName%20eq%20%22a%2Bb%22&x=1&flag');
    expect(split.relayParams.get('sb-hc-token')).toBe('abc');
    expect(split.relayParams.get('sb-hc-id')).toBe('7');
    expect(splitRequestTarget('/hyco?sb-hc-token=a').requestTarget).toBe('/hyco');
  });

  it('never throws and never lets an sb-hc- parameter through, for any query', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(fc.string(), fc.constantFrom('sb-hc-token', 'Sb-Hc-Action', 'sb%2Dhc-id')), fc.string())),
        (pairs) => {
          const query = pairs.map(([k, v]) => `${k}=${v}`).join('&');
          const split = splitRequestTarget(`/hyco?${query}`);
          const kept = split.requestTarget.includes('?')
            ? split.requestTarget.slice(split.requestTarget.indexOf('?') + 1).split('&')
            : [];
          for (const part of kept) {
            const name = part.split('=')[0]!;
            let decoded = name;
            try {
              decoded = decodeURIComponent(name.replace(/\+/g, ' '));
            } catch {}
            expect(decoded.toLowerCase().startsWith('sb-hc-')).toBe(false);
          }
        },
      ),
    );
  });
});

describe('headers', () => {
  it('joins repeated headers, keeps the sender spelling and cannot be polluted by __proto__', () => {
    const headers = joinRawHeaders(['X-A', '1', 'x-a', '2', 'Cookie', 'a=1', 'cookie', 'b=2', '__proto__', 'polluted']);
    expect(headers.get('X-A')).toBe('1, 2');
    expect(headers.get('Cookie')).toBe('a=1; b=2');
    expect(headers.get('__proto__')).toBe('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('applies the three documented token rules', () => {
    const base = new Map([
      ['Authorization', 'Bearer app'],
      ['ServiceBusAuthorization', 'sas-header'],
      ['X', 'y'],
    ]);
    // 1 and 2: sb-hc-token and ServiceBusAuthorization are always taken out; the query wins.
    expect(takeRelayToken(base, 'sas-query', true)).toEqual({
      token: 'sas-query',
      headers: new Map([
        ['Authorization', 'Bearer app'],
        ['X', 'y'],
      ]),
    });
    expect(takeRelayToken(base, undefined, false).headers.has('ServiceBusAuthorization')).toBe(false);
    // 3: Authorization is evaluated only with authorization on and no other token.
    const onlyAuthorization = new Map([['authorization', 'sas-auth']]);
    expect(takeRelayToken(onlyAuthorization, undefined, true)).toEqual({ token: 'sas-auth', headers: new Map() });
    expect(takeRelayToken(onlyAuthorization, undefined, false)).toEqual({ token: undefined, headers: onlyAuthorization });
  });

  it('strips RFC 7230 connection headers and appends to Via', () => {
    const headers = new Map([
      ['Host', 'x'],
      ['Content-Length', '3'],
      ['TE', 'trailers'],
      ['Via', '1.0 proxy'],
      ['Accept', '*/*'],
    ]);
    const cleaned = withoutConnectionHeaders(headers);
    expect([...cleaned.keys()]).toEqual(['Via', 'Accept']);
    expect(appendVia(cleaned, 'ns.example').get('Via')).toBe('1.0 proxy, 1.1 ns.example');
    expect(appendVia(new Map(), 'ns.example').get('Via')).toBe('1.1 ns.example');
  });
});
