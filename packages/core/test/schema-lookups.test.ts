/** Lookups of schema definitions that every write makes, against their plain definitions. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SchemaRegistry } from '../src/index.js';
import { subAttribute } from '../src/schema/sub-attribute.js';
import type { AttributeDefinition } from '../src/schema/types.js';

/** A name in any mix of cases. */
const recased = (name: string, mask: number) =>
  [...name].map((ch, i) => ((mask >> (i % 30)) & 1 ? ch.toUpperCase() : ch.toLowerCase())).join('');

describe('subAttribute', () => {
  const registry = new SchemaRegistry();
  const defs: AttributeDefinition[] = [];
  for (const s of registry.schemas()) {
    for (const a of s.attributes) if (a.subAttributes?.length) defs.push(a);
  }
  const sub = (name: string) => ({ name, type: 'string' }) as AttributeDefinition;
  // Custom schemas may define names that differ only in case: the first defined one answers.
  const clash: AttributeDefinition = {
    name: 'clash',
    type: 'complex',
    subAttributes: [sub('Value'), sub('value'), sub('type')],
  } as AttributeDefinition;
  defs.push(clash);
  const search = (d: AttributeDefinition, k: string) => d.subAttributes?.find((s) => s.name.toLowerCase() === k.toLowerCase());

  it('finds what a case-insensitive search of the definitions finds, for any spelling (property)', () => {
    const names = [...new Set(defs.flatMap((d) => (d.subAttributes ?? []).map((s) => s.name)))];
    fc.assert(
      fc.property(
        fc.constantFrom(...defs),
        fc.oneof(fc.constantFrom(...names, 'nope', '$REF', ''), fc.string({ maxLength: 6 })),
        fc.nat(),
        (d, name, mask) => {
          for (const k of [name, recased(name, mask)]) expect(subAttribute(d, k)).toBe(search(d, k));
        },
      ),
      { numRuns: 2000 },
    );
    expect(subAttribute(clash, 'value')?.name).toBe('Value');
  });
});

describe('SchemaRegistry.resourceType', () => {
  it('answers the same however often, by id or endpoint in any case, and nothing for other names', () => {
    const registry = new SchemaRegistry();
    for (let i = 0; i < 3; i++) {
      expect(registry.resourceType('User')?.id).toBe('User');
      expect(registry.resourceType('users')?.id).toBe('User');
      expect(registry.resourceType('/Groups')?.id).toBe('Group');
      expect(registry.resourceType('GROUP')?.id).toBe('Group');
      expect(registry.resourceType('Nothing')).toBeUndefined();
      expect(registry.resourceType('constructor')).toBeUndefined();
    }
    // Each registry its own types: one that serves fewer finds fewer.
    const usersOnly = registry.extend({ serve: ['user'] });
    expect(usersOnly.resourceType('Group')).toBeUndefined();
    expect(usersOnly.resourceType('User')?.id).toBe('User');
    expect(registry.resourceType('Group')?.id).toBe('Group');
  });
});
