import { createMapper } from '@scimgw/mapper';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAP } from '../src/index.js';
import { keysToResolve, resolveRemovals } from '../src/removals-11.js';

const users = createMapper(DEFAULT_MAP, { resourceType: 'User' });
const record = {
  id: 'u1',
  emails: [
    { type: 'work', value: 'w@x' },
    { type: 'home', value: 'h@x' },
  ],
  addresses: [
    { type: 'home', locality: 'Oslo' },
    { type: 'work', locality: 'Bergen' },
  ],
};

describe('1.1 removals by selector, resolved against the target record', () => {
  const cases: [string, Record<string, unknown[]>, string[], Record<string, unknown[]>][] = [
    ['by value: nothing to read', { emails: [{ value: 'w@x' }] }, [], { emails: [{ value: 'w@x' }] }],
    ['members by value: nothing to read', { members: [{ value: 'g' }] }, [], { members: [{ value: 'g' }] }],
    [
      'by type, any case: the element whole',
      { emails: [{ type: 'HOME' }] },
      ['emails'],
      { emails: [{ type: 'home', value: 'h@x' }] },
    ],
    [
      'an attribute without value (addresses): the element whole, matched by all its sub-attributes at the target',
      { addresses: [{ type: 'work' }] },
      ['addresses'],
      { addresses: [{ type: 'work', locality: 'Bergen' }] },
    ],
    [
      'a selector given twice selects its element once, beside a removal by value',
      { emails: [{ value: 'w@x' }, { type: 'work' }, { type: 'work' }] },
      ['emails'],
      { emails: [{ value: 'w@x' }, { type: 'work', value: 'w@x' }] },
    ],
    ['a selector that selects nothing is dropped', { emails: [{ type: 'other' }] }, ['emails'], {}],
  ];
  for (const [name, remove, keys, resolved] of cases) {
    it(name, () => {
      expect(keysToResolve(users, remove)).toEqual(keys);
      expect(resolveRemovals(users, remove, record)).toEqual(resolved);
    });
  }
});
