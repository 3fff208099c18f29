import { BSON, type Document } from 'bson';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MongoCommandError } from '../src/errors.js';
import { applyUpdate } from '../src/query/update.js';

const field = fc.constantFrom('a', 'b', 'c', 'arr', 'nested');
const path = fc.oneof(
  field,
  fc.tuple(field, fc.constantFrom('x', 'y', '0', '1')).map(([a, b]) => `${a}.${b}`),
);
const scalar = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom('s', 't', null, true));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('x', 'y', 'z'), tie('value'), { maxKeys: 3 }),
  ),
}));
const doc = fc.dictionary(field, value, { maxKeys: 5 }).map((fields) => ({ _id: 1, ...fields }));
const op = fc.constantFrom(
  '$set',
  '$unset',
  '$inc',
  '$push',
  '$addToSet',
  '$pull',
  '$pullAll',
  '$pop',
  '$min',
  '$max',
  '$mul',
  '$rename',
);
const operand = fc.oneof(value, fc.record({ $each: fc.array(scalar, { maxLength: 3 }) }), fc.constantFrom(1, -1, 'renamed'));
const update = fc.dictionary(op, fc.dictionary(path, operand, { minKeys: 1, maxKeys: 2 }), { minKeys: 1, maxKeys: 3 });

describe('applyUpdate', () => {
  test('never changes the stored document it starts from, and yields storable documents or MongoDB errors', () => {
    fc.assert(
      fc.property(doc, update, (original, modifier) => {
        const before = Buffer.from(BSON.serialize(original)).toString('hex');
        try {
          const { doc: next, modified } = applyUpdate(original as Document, modifier, { filter: {} }, false);
          expect(Object.keys(next)[0]).toBe('_id');
          expect(next['_id']).toBe(1);
          if (!modified) expect(BSON.serialize(next)).toEqual(BSON.serialize(original));
        } catch (error) {
          expect(error).toBeInstanceOf(MongoCommandError);
          expect((error as MongoCommandError).code).not.toBe(1);
        }
        expect(Buffer.from(BSON.serialize(original)).toString('hex')).toBe(before);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('$mul on integers', () => {
  test('an integer zero times a negative integer stays the integer 0, unmodified', () => {
    const { doc: next, modified } = applyUpdate({ _id: 1, c: 0 } as Document, { $mul: { c: -1 } }, { filter: {} }, false);
    expect(Object.is(next['c'], 0)).toBe(true);
    expect(modified).toBe(false);
    expect(BSON.serialize(next)).toEqual(BSON.serialize({ _id: 1, c: 0 }));
  });
});
