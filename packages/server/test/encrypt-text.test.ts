import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replaceStringValues } from '../src/config/encrypt-text.js';

/** What the replacement should do to the parsed tree: each string under a key named "password" prefixed. */
function expected(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(expected);
  if (node !== null && typeof node === 'object')
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [k, k === 'password' && typeof v === 'string' ? `X${v}` : expected(v)]),
    );
  return node;
}
const prefix = (key: string, value: string) => (key === 'password' ? `X${value}` : undefined);

describe('replaceStringValues (secrets encrypted in the file text)', () => {
  it('replaces only secret values and keeps every other byte', () => {
    const text =
      '{\n    "auth": { "basic": [ { "username": "password", "password": "p:\\"q\\"" } ] },\n\t"password" :  "a",\n  "list": ["password"]\n}\n';
    const out = replaceStringValues(text, prefix);
    expect(out).toBe(
      '{\n    "auth": { "basic": [ { "username": "password", "password": "Xp:\\"q\\"" } ] },\n\t"password" :  "Xa",\n  "list": ["password"]\n}\n',
    );
    expect(replaceStringValues('{"a": "b"}', prefix)).toBeUndefined();
  });

  it('agrees with the parsed tree for any JSON in any layout (property)', () => {
    const key = fc.oneof(fc.constant('password'), fc.string({ maxLength: 6 }));
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.string({ maxLength: 8 }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(key, tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 5 }), fc.constantFrom(undefined, 2, '\t', 4), (tree, indent) => {
        const text = JSON.stringify(tree, null, indent);
        const out = replaceStringValues(text, prefix) ?? text;
        expect(JSON.parse(out)).toEqual(expected(tree));
      }),
    );
  });
});
