import { errors } from '@scimgw/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { legacyErrorStatus } from '../src/index.js';
import { toScimError } from '../src/errors.js';

const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });

describe('errors thrown the older way', () => {
  const table: [Error, { status: number; scimType?: string } | undefined][] = [
    [named('Error#409'), { status: 409, scimType: 'uniqueness' }],
    [named('Error#404'), { status: 404 }],
    [named('invalidFilter'), { status: 400, scimType: 'invalidFilter' }],
    [named('invalidValue#400'), { status: 400, scimType: 'invalidValue' }],
    [named('Error#200'), undefined],
    [named('Error', 'getUsers error: {"statusCode":404,"body":{}}'), { status: 404 }],
    [named('Error', 'x {"statusCode":500}'), undefined],
    [named('Error', 'plain failure'), undefined],
  ];
  for (const [err, want] of table) {
    it(`${err.name} / ${err.message}`, () => expect(legacyErrorStatus(err)).toEqual(want));
  }

  it('maps to typed SCIM errors and leaves the rest for the opaque 500', () => {
    expect(toScimError(named('Error#409'), 'createUser')).toBeInstanceOf(errors.UniquenessError);
    expect(toScimError(named('invalidFilter'), 'getUsers')).toBeInstanceOf(errors.InvalidFilterError);
    const plain = new Error('boom');
    expect(toScimError(plain, 'getUsers')).toBe(plain);
  });

  it('names the plugin method in the detail once: not again when the plugin already began with it', () => {
    const detail = (e: Error, action: string) => (toScimError(e, action) as errors.ScimError).message;
    expect(detail(named('Error#409', 'createUser: user jdoe already exists'), 'createUser')).toBe(
      'createUser: user jdoe already exists',
    );
    expect(detail(named('Error#409', 'createUser error: Duplicate key'), 'createUser')).toBe('createUser error: Duplicate key');
    expect(detail(named('Error#404', 'user jdoe not found'), 'modifyUser')).toBe('modifyUser: user jdoe not found');
    expect(detail(named('Error#404', 'createUserAlias: none'), 'createUser')).toBe('createUser: createUserAlias: none');
    expect(detail(named('Error#404', ''), 'deleteUser')).toBe('deleteUser: failed');
  });

  it('any name and message: a status in 300..599 or nothing, never a throw', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (name, message) => {
        const r = legacyErrorStatus(named(name, message));
        if (r) expect(r.status >= 300 && r.status <= 599).toBe(true);
        const mapped = toScimError(named(name, message), 'op');
        expect(mapped instanceof errors.ScimError || mapped instanceof Error).toBe(true);
      }),
    );
  });
});
