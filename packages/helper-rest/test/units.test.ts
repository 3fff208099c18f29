import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY, isIdempotent, parseRetryAfter } from '../src/index.js';
import { appendQuery, BaseUrlPool, joinUrl } from '../src/failover.js';
import { maskUrl, maskValue, REDACTED, SecretRegistry } from '../src/mask.js';
import { mayResend, mergeRetry } from '../src/retry.js';
import { rawHeader, rawHeaders, splitUrl } from '../src/transport-undici.js';
import { TokenCache } from '../src/token-cache.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
  it('reads delay-seconds and HTTP-dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
  });
  it('rejects malformed values', () => {
    for (const v of [null, undefined, '', '-1', '1.5', 'soon', '2015-10-21', '99999999999999999999']) {
      expect(parseRetryAfter(v, now)).toBeUndefined();
    }
  });
  it('property: any string gives undefined or a non-negative finite number', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const v = parseRetryAfter(s, now);
        return v === undefined || (Number.isFinite(v) && v >= 0);
      }),
    );
  });
  it('property: integer seconds round-trip', () => {
    fc.assert(fc.property(fc.nat(10_000_000), (n) => parseRetryAfter(String(n), now) === n * 1000));
  });
});

describe('backoff', () => {
  it('property: delay lies in [step/2, step] and never exceeds maxDelayMs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (retry, r) => {
        const step = Math.min(DEFAULT_RETRY.maxDelayMs, DEFAULT_RETRY.baseDelayMs * 2 ** (retry - 1));
        const d = backoffDelay(retry, DEFAULT_RETRY, () => r);
        return d >= Math.floor(step / 2) && d <= step && d <= DEFAULT_RETRY.maxDelayMs;
      }),
    );
  });
  it('mergeRetry clamps attempts to [1, 10]', () => {
    expect(mergeRetry({ attempts: 0 }).attempts).toBe(1);
    expect(mergeRetry({ attempts: 1000 }).attempts).toBe(10);
    expect(mergeRetry({ attempts: 5 }, { attempts: 2 }).attempts).toBe(2);
  });
  it('idempotent methods', () => {
    expect(['GET', 'put', 'DELETE', 'HEAD'].every(isIdempotent)).toBe(true);
    expect(['POST', 'patch'].some(isIdempotent)).toBe(false);
  });
});

describe('which requests may be sent again', () => {
  it('reads always, writes only when the target applies them idempotently', () => {
    const none = mergeRetry();
    for (const m of ['GET', 'head', 'OPTIONS']) expect(mayResend(m, none)).toBe(true);
    for (const m of ['POST', 'put', 'PATCH', 'DELETE']) expect(mayResend(m, none)).toBe(false);
    const some = mergeRetry({ idempotentWrites: ['put', 'DELETE'] });
    expect(some.idempotentWrites).toEqual(['PUT', 'DELETE']);
    expect([mayResend('PUT', some), mayResend('delete', some), mayResend('POST', some)]).toEqual([true, true, false]);
    expect(mayResend('POST', none, true)).toBe(true);
  });
  it('rejects anything but write methods in idempotentWrites', () => {
    expect(() => mergeRetry({ idempotentWrites: ['GET'] })).toThrow(/idempotentWrites lists "GET"/);
  });
});

describe("rawHeader / rawHeaders (undici's raw header list, read on demand)", () => {
  const raw = ['Content-Type', 'application/scim+json', 'Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'ETag', 'W/"1"'].map((x) =>
    Buffer.from(x, 'latin1'),
  );
  it('finds a header by its lower-case name, repeats joined, the first alone when asked', () => {
    expect(rawHeader(raw, 'content-type')).toBe('application/scim+json');
    expect(rawHeader(raw, 'set-cookie')).toBe('a=1, b=2');
    expect(rawHeader(raw, 'set-cookie', true)).toBe('a=1');
    expect(rawHeader(raw, 'etag')).toBe('W/"1"');
    expect(rawHeader(raw, 'location')).toBeUndefined();
    expect(rawHeader(['Location', '/x'], 'location')).toBe('/x');
  });
  it('builds the same Headers as appending every pair', () => {
    const h = rawHeaders(raw);
    expect(h.get('content-type')).toBe('application/scim+json');
    expect(h.get('etag')).toBe('W/"1"');
    expect(h.getSetCookie()).toEqual(['a=1', 'b=2']);
  });
  it('property: agrees with a Headers object built from the same pairs', () => {
    const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,11}$/);
    const value = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,20}[\x21-\x7e])?$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(token, value), { maxLength: 8 }), token, (pairs, probe) => {
        const list = pairs.flatMap(([k, v]) => [Buffer.from(k, 'latin1'), Buffer.from(v, 'latin1')]);
        const expected = new Headers();
        for (const [k, v] of pairs) expected.append(k, v);
        const name = probe.toLowerCase();
        if (name !== 'set-cookie') expect(rawHeader(list, name) ?? null).toBe(expected.get(name));
        expect([...rawHeaders(list)]).toEqual([...expected]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('splitUrl (origin and path for undici)', () => {
  it('splits without parsing, and encodes what undici refuses', () => {
    expect(splitUrl('http://h:8080/scim/v2/Users?filter=a')).toEqual({
      origin: 'http://h:8080',
      path: '/scim/v2/Users?filter=a',
    });
    expect(splitUrl('https://h')).toEqual({ origin: 'https://h', path: '/' });
    expect(splitUrl('https://h?x=1')).toEqual({ origin: 'https://h', path: '/?x=1' });
    expect(splitUrl('http://h/a b')).toEqual({ origin: 'http://h', path: '/a%20b' });
  });
  it('property: any web URL splits into its origin and the rest as written', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true }), (u) => {
        const { origin, path } = splitUrl(u);
        expect(new URL(origin).origin).toBe(new URL(u).origin);
        expect(path.startsWith('/')).toBe(true);
        // Nothing is lost or reordered: the request line carries the rest of the URL as written.
        const rest = u.slice(origin.length);
        expect(u.startsWith(origin)).toBe(true);
        expect(path).toBe(rest.startsWith('/') ? rest : `/${rest}`);
      }),
      { numRuns: 500 },
    );
  });
});

describe('URLs and failover pool', () => {
  it('joins without doubling slashes', () => {
    expect(joinUrl('https://a/b/', '/c')).toBe('https://a/b/c');
    expect(joinUrl('https://a/b', 'c')).toBe('https://a/b/c');
    expect(joinUrl('https://a/b', '?x=1')).toBe('https://a/b?x=1');
    expect(appendQuery('https://a/b?x=1', { y: 2, z: undefined })).toBe('https://a/b?x=1&y=2');
  });
  it('rotates candidates from the sticky current URL', () => {
    const p = new BaseUrlPool(['https://a', 'https://b/', 'https://c']);
    expect(p.candidates()).toEqual(['https://a', 'https://b', 'https://c']);
    p.succeeded('https://b');
    expect(p.candidates()).toEqual(['https://b', 'https://c', 'https://a']);
    expect(p.relativize('https://c/users?x')).toBe('/users?x');
    expect(p.relativize('https://cc/users')).toBeUndefined();
    expect(p.sameOrigin('https://a/elsewhere')).toBe(true);
  });
});

describe('masking', () => {
  it('masks known secrets, their encodings and sensitive keys', () => {
    const s = new SecretRegistry();
    s.add('s3cr3t value&more');
    s.addBasic('user', 'pw-long');
    const masked = maskValue(
      {
        msg: 'x s3cr3t value&more y',
        form: 's3cr3t%20value%26more',
        b: Buffer.from('user:pw-long').toString('base64'),
        password: 'other',
        tokenUrl: 'https://idp/token',
      },
      s,
    ) as Record<string, string>;
    expect(masked.msg).toBe(`x ${REDACTED} y`);
    expect(masked.form).toBe(REDACTED);
    expect(masked.b).toBe(REDACTED);
    expect(masked.password).toBe(REDACTED);
    expect(masked.tokenUrl).toBe('https://idp/token');
  });
  it('strips credentials from URLs', () => {
    const s = new SecretRegistry();
    expect(maskUrl('https://u:p@host/x?client_secret=abc&top=1', s)).toBe(
      `https://host/x?client_secret=${encodeURIComponent(REDACTED)}&top=1`,
    );
  });
  it('property: a registered secret never survives masking', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4, maxLength: 40 }), fc.string(), fc.string(), (secret, before, after) => {
        const s = new SecretRegistry();
        s.add(secret);
        return !s.maskString(before + secret + after).includes(secret);
      }),
    );
  });
});

describe('TokenCache', () => {
  it('shares one fetch, does not cache failures, and invalidates only the rejected token', async () => {
    let n = 0;
    let fail = true;
    const cache = new TokenCache(async () => {
      n++;
      if (fail) throw new Error('idp down');
      return { value: `t${n}`, tokenType: 'Bearer', expiresIn: 3600 };
    });
    await expect(cache.get()).rejects.toThrow('idp down');
    fail = false;
    const [a, b] = await Promise.all([cache.get(), cache.get()]);
    expect(a).toBe(b);
    expect(n).toBe(2);
    cache.invalidate('some-older-token');
    expect((await cache.get()).value).toBe('t2');
    cache.invalidate('t2');
    expect((await cache.get()).value).toBe('t3');
  });
  it('refreshes at 90% of the lifetime (at most one minute early)', async () => {
    let now = 0;
    let n = 0;
    const cache = new TokenCache(
      async () => ({ value: `t${++n}`, tokenType: 'Bearer', expiresIn: 100 }),
      () => now,
    );
    await cache.get();
    now = 89_000;
    expect((await cache.get()).value).toBe('t1');
    now = 90_001;
    expect((await cache.get()).value).toBe('t2');
  });
});
