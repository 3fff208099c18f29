import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkMessage,
  decodeMessage,
  encodeMessage,
  idToken,
  MESSAGE_FORMAT,
  messageSubject,
  naturalKeyOf,
  PoisonMessageError,
  type StreamMessage,
  tokenToId,
} from '../src/index.js';

const base: StreamMessage = {
  format: MESSAGE_FORMAT,
  id: '6f1c8a3e-2b7d-4c55-9a0e-1f2d3c4b5a69',
  time: '2026-01-01T00:00:00.000Z',
  source: 'gw-a',
  tenant: null,
  resourceType: 'User',
  resourceId: 'bjensen',
  operation: 'create',
  data: { resource: { id: 'bjensen', userName: 'bjensen' }, key: { userName: 'bjensen' } },
};

describe('message format v1', () => {
  it('round-trips every operation', () => {
    const messages: StreamMessage[] = [
      base,
      { ...base, operation: 'replace' },
      {
        ...base,
        operation: 'modify',
        data: { changes: [{ op: 'add', path: { attr: 'emails' }, value: [{ value: 'b@example.com' }] }] },
      },
      { ...base, operation: 'delete', data: {} },
      { ...base, tenant: 'client-a', resourceType: 'Group', resourceId: 'cn=Admins,ou=groups,dc=example,dc=org' },
    ];
    for (const m of messages) expect(decodeMessage(encodeMessage(m))).toEqual(m);
  });

  it('names the first problem of a malformed message', () => {
    const cases: [unknown, RegExp][] = [
      [[], /JSON object/],
      [{ ...base, format: 'other' }, /format/],
      [{ ...base, id: '' }, /id must/],
      [{ ...base, tenant: 3 }, /tenant/],
      [{ ...base, operation: 'upsert' }, /operation/],
      [{ ...base, operation: 'delete', data: { key: { userName: 1 } } }, /data.key/],
      [{ ...base, operation: 'create', data: {} }, /data.resource is required/],
      [{ ...base, operation: 'modify', data: {} }, /data.changes must be an array/],
      [{ ...base, operation: 'modify', data: { changes: [{ op: 'move', path: { attr: 'x' } }] } }, /op must be/],
      [{ ...base, operation: 'modify', data: { changes: [{ op: 'add', path: {} }] } }, /path.attr/],
      [
        { ...base, operation: 'modify', data: { changes: [{ op: 'remove', path: { attr: 'x' }, value: 'y' }] } },
        /must be an array/,
      ],
    ];
    for (const [value, message] of cases) expect(() => checkMessage(value)).toThrow(message);
  });

  it('refuses text that is not JSON, and JSON nested too deep, as poison', () => {
    expect(() => decodeMessage(new TextEncoder().encode('{"format":'))).toThrow(PoisonMessageError);
    const deep = `${'['.repeat(200)}${']'.repeat(200)}`;
    expect(() => decodeMessage(new TextEncoder().encode(deep))).toThrow(PoisonMessageError);
  });

  it('drops keys that would pollute prototypes', () => {
    const text = JSON.stringify(base).replace('"resource":{', '"resource":{"__proto__":{"polluted":true},');
    const m = decodeMessage(new TextEncoder().encode(text));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(m.data.resource as object, '__proto__')).toBe(false);
  });

  it('decodes any bytes to a message or a PoisonMessageError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeMessage(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(PoisonMessageError);
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        try {
          checkMessage(value);
        } catch (e) {
          expect(e).toBeInstanceOf(PoisonMessageError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('subjects', () => {
  it('puts any id into one subject token and back', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (id) => {
        const token = idToken(id);
        expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(tokenToId(token)).toBe(id);
      }),
    );
    expect(messageSubject('GW.APP1', 'User', 'cn=a b.c,dc=x')).toBe(`GW.APP1.User.${idToken('cn=a b.c,dc=x')}`);
    expect(idToken('a')).not.toBe(idToken('b'));
  });

  it('natural keys: userName for users, displayName for groups, externalId for both', () => {
    expect(naturalKeyOf('User', { userName: 'x', externalId: 'e' })).toEqual({ userName: 'x', externalId: 'e' });
    expect(naturalKeyOf('Group', { displayName: 'Admins' })).toEqual({ displayName: 'Admins' });
    expect(naturalKeyOf('User', { displayName: 'x' })).toBeUndefined();
    expect(naturalKeyOf('User', undefined)).toBeUndefined();
  });

  it.each([...Object.getOwnPropertyNames(Object.prototype), 'prototype'])(
    'a message of resource type %j (an inherited name) is keyed by externalId, as any unknown type',
    (type) => {
      expect(naturalKeyOf(type, { externalId: 'e', userName: 'u' })).toEqual({ externalId: 'e' });
    },
  );
});
