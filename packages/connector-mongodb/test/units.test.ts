/**
 * The pure parts: key escaping, pattern escaping, the error table, client options, reconnection — with
 * property tests for the escaping (any input gives an exact round trip or a literal match).
 */
import { EventEmitter } from 'node:events';
import { errors } from '@scimgw/core';
import fc from 'fast-check';
import { type MongoClient, MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import {
  clientOptions,
  configSchema,
  decodeKey,
  decodeValue,
  ERROR_CODE_TABLE,
  encodeKey,
  encodeValue,
  escapePattern,
  MONGO_ERROR_CODES,
  patternCondition,
  toScimError,
} from '../src/index.js';
import { FALSE_TEXT, readBoolean, TRUE_TEXT } from '../src/booleans.js';
import { ClientConnection } from '../src/reconnect.js';

describe('key escaping', () => {
  it('round-trips every key, and no stored key has a dot or a leading $', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '.', '$', '%', '\u00b7', '2', '4', 'C', 'B', '7', '5') }), (k) => {
        const e = encodeKey(k);
        expect(decodeKey(e)).toBe(k);
        expect(e.includes('.')).toBe(false);
        expect(e.startsWith('$')).toBe(false);
        expect(e).not.toBe('');
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (k) => {
        expect(decodeKey(encodeKey(k))).toBe(k);
      }),
    );
  });

  it('keeps SCIM names as they are and stores extension URNs as the older product did', () => {
    for (const k of ['userName', 'emails', 'members', 'x509Certificates']) expect(encodeKey(k)).toBe(k);
    expect(encodeKey('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User')).toBe(
      'urn:ietf:params:scim:schemas:extension:enterprise:2\u00b70:User',
    );
    expect(encodeKey('$ref')).toBe('%24ref');
  });

  it('round-trips whole JSON values, without prototype changes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(decodeValue(encodeValue(v))).toEqual(v);
      }),
    );
    const evil = JSON.parse('{"__proto__":{"polluted":1},"a.b":{"$gt":""}}');
    const back = decodeValue(encodeValue(evil)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(back)).toEqual(['__proto__', 'a.b']);
  });
});

describe('pattern escaping', () => {
  const text = fc.string({
    unit: fc.oneof(
      fc.constantFrom(
        ...[
          '.',
          '*',
          '+',
          '?',
          '^',
          '$',
          '{',
          '}',
          '(',
          ')',
          '|',
          '[',
          ']',
          '\\',
          '/',
          '-',
          'a',
          'A',
          '\n',
          '\u0000',
          ' ',
          ',',
          '#',
        ],
      ),
      fc.string({ minLength: 1, maxLength: 1 }),
    ),
  });
  it('matches the text itself and nothing else, for co/sw/ew/eq, case-exact and not', () => {
    fc.assert(
      fc.property(text, text, fc.boolean(), (needle, hay, ci) => {
        for (const op of ['co', 'sw', 'ew', 'eq'] as const) {
          const c = patternCondition(op, needle, ci);
          const re = new RegExp(c.$regex, c.$options ?? '');
          const [a, b] = ci ? [hay.toLowerCase(), needle.toLowerCase()] : [hay, needle];
          const want = op === 'co' ? a.includes(b) : op === 'sw' ? a.startsWith(b) : op === 'ew' ? a.endsWith(b) : a === b;
          // Case folding of non-ASCII letters may differ between toLowerCase and /i: ASCII only there.
          if (!ci || /^[\x00-\x7f]*$/.test(hay + needle))
            expect(re.test(hay), `${op} ${JSON.stringify(needle)} in ${JSON.stringify(hay)}`).toBe(want);
        }
      }),
      { numRuns: 3000 },
    );
  });
  it('never emits a NUL byte (MongoDB refuses those in patterns) nor an unescaped metacharacter', () => {
    fc.assert(
      fc.property(text, (t) => {
        const p = escapePattern(t);
        expect(p.includes('\u0000')).toBe(false);
        expect(p.replace(/\\./g, '')).not.toMatch(/[.*+?^${}()|[\]\\/]/);
      }),
    );
  });
  it('ends "eq" and "ew" where the text ends, not before a final newline', () => {
    expect(new RegExp(patternCondition('eq', 'abc', false).$regex).test('abc\n')).toBe(false);
    expect(new RegExp(patternCondition('ew', 'abc', false).$regex).test('xabc\n')).toBe(false);
  });
});

describe('error table', () => {
  const opts = { what: 'do it', retryAfter: 9 };
  it('has a row for every known code, and maps the ones that matter', () => {
    expect(Object.keys(ERROR_CODE_TABLE).sort()).toEqual(Object.keys(MONGO_ERROR_CODES).sort());
    const of = (code: number) => toScimError(new MongoServerError({ code, errmsg: `server says ${code} about db.secret` }), opts);
    expect(of(11000)).toBeInstanceOf(errors.UniquenessError);
    expect(of(10107)).toMatchObject({ status: 503 });
    expect(of(10107).headers).toMatchObject({ 'retry-after': '9' });
    expect(of(189).status).toBe(503);
    expect(of(91).status).toBe(503);
    expect(of(50).status).toBe(503);
    expect(of(13).status).toBe(500);
    expect(of(18).status).toBe(500);
    expect(of(28).status).toBe(400);
    expect(of(17419).status).toBe(400);
    expect(of(51091)).toBeInstanceOf(errors.InvalidFilterError);
    expect(of(292).status).toBe(400);
    expect(of(424242).status).toBe(500);
    for (const code of Object.keys(MONGO_ERROR_CODES)) expect(of(Number(code)).detail).not.toContain('db.secret');
  });
  it('maps transport failures to 503', () => {
    expect(toScimError(new MongoNetworkError('connection reset'), opts).status).toBe(503);
    expect(toScimError(new MongoServerSelectionError('no primary', { type: 'Unknown' } as never), opts).status).toBe(503);
    const labelled = new MongoServerError({ code: 999999, errmsg: 'x' });
    labelled.addErrorLabel('RetryableWriteError');
    expect(toScimError(labelled, opts).status).toBe(503);
    expect(toScimError(new Error('anything else'), opts).status).toBe(500);
  });
});

describe('the example configuration', () => {
  it('validates', async () => {
    const { readFileSync } = await import('node:fs');
    const file = JSON.parse(readFileSync(new URL('../examples/connector-mongodb.json', import.meta.url), 'utf8'));
    const r = configSchema.validate(file.endpoint);
    expect(r.ok ? [] : r.issues).toEqual([]);
  });

  it('says before starting whether callers open MongoDB with their own credentials (check-config refuses auth.passThrough otherwise)', async () => {
    const { readFileSync } = await import('node:fs');
    const file = JSON.parse(readFileSync(new URL('../examples/connector-mongodb.json', import.meta.url), 'utf8'));
    const declared = (endpoint: unknown) => {
      const r = configSchema.validate(endpoint);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      return configSchema.passThroughAuth?.(r.value);
    };
    expect(declared(file.endpoint)).toBe(false);
    expect(declared({ ...file.endpoint, passThrough: { enabled: true } })).toBe(true);
  });
});

describe('client options', () => {
  it('bounds every timeout and passes credentials and TLS to the driver', () => {
    const r = configSchema.validate({
      connection: {
        url: 'mongodb://db1,db2,db3/?replicaSet=rs0',
        username: 'scim',
        password: 'pw',
        authSource: 'admin',
        authMechanism: 'SCRAM-SHA-256',
        tls: { caFile: 'ca.pem', allowInvalidHostnames: true },
        replicaSet: 'rs0',
      },
    });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const o = clientOptions(r.value.connection, (p) => `/base/${p}`);
    expect(o).toMatchObject({
      auth: { username: 'scim', password: 'pw' },
      authSource: 'admin',
      authMechanism: 'SCRAM-SHA-256',
      tls: true,
      tlsCAFile: '/base/ca.pem',
      tlsAllowInvalidHostnames: true,
      replicaSet: 'rs0',
      serverSelectionTimeoutMS: 5000,
      connectTimeoutMS: 10000,
      socketTimeoutMS: 30000,
      waitQueueTimeoutMS: 5000,
    });
    expect(o.tlsAllowInvalidCertificates).toBeUndefined();
  });
});

describe('client connection', () => {
  /** A stand-in for MongoClient: each `connect` is settled by the test; `topologyClosed` as the driver emits it. */
  function fakeClient() {
    const attempts: { resolve(): void; reject(e: Error): void }[] = [];
    const client = Object.assign(new EventEmitter(), {
      connect: () => new Promise<void>((resolve, reject) => attempts.push({ resolve, reject })),
      close: async () => {},
    });
    return { client, attempts, connection: new ClientConnection(client as unknown as MongoClient) };
  }

  it('connects once for concurrent operations, again after a failed attempt or a closed topology, never after close', async () => {
    const { client, attempts, connection } = fakeClient();
    const waiting = [connection.ready(), connection.ready(), connection.ready()];
    expect(attempts).toHaveLength(1);
    attempts[0]!.reject(new Error('connect ECONNREFUSED'));
    for (const w of waiting) await expect(w).rejects.toThrow('ECONNREFUSED');
    // Nothing retries on its own: the next operation does, once for all that wait with it.
    expect(attempts).toHaveLength(1);
    const again = [connection.ready(), connection.ready()];
    expect(attempts).toHaveLength(2);
    attempts[1]!.resolve();
    await Promise.all(again);
    await connection.ready();
    expect(attempts).toHaveLength(2);
    client.emit('topologyClosed');
    const third = connection.ready();
    expect(attempts).toHaveLength(3);
    attempts[2]!.resolve();
    await third;
    await connection.close();
    await connection.ready();
    expect(attempts).toHaveLength(3);
  });
});

describe('boolean reading', () => {
  it('reads "true"/"false" in any case as the core does, and nothing else', () => {
    for (const [stored, read] of [
      [true, true],
      [false, false],
      ['True', true],
      ['tRUE', true],
      ['FALSE', false],
      ['false', false],
      ['yes', undefined],
      [' true', undefined],
      ['true\n', undefined],
      ['', undefined],
      [1, undefined],
      [0, undefined],
      [null, undefined],
      [['true'], undefined],
      // Unicode case folding (MongoDB's caseless patterns) would read these; the core does not.
      ['fal\u017fe', undefined],
      ['TRUE\u0301', undefined],
    ] as const) {
      expect(readBoolean(stored), JSON.stringify(stored)).toBe(read);
    }
    expect(TRUE_TEXT.flags).toBe('');
    expect(FALSE_TEXT.flags).toBe('');
  });
});
