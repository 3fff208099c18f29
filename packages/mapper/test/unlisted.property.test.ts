import { SchemaRegistry } from '@scimgw/core';
import { matchesFilter, parseFilter, serializeFilter } from '@scimgw/core/filter';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectorSchemas, createMapper, type MapConfig } from '../src/index.js';

const map: MapConfig = {
  user: {
    login: { mapTo: 'userName' },
    enabled: { mapTo: 'active', type: 'string', valueMap: { Y: true, N: false }, unlisted: 'drop' },
    status: { mapTo: 'title', valueMap: { A: 'Active', R: 'Retired' }, unlisted: 'drop' },
    mail: { mapTo: 'emails.work.value', valueMap: { 'a@x': 'a@example.com', 'b@x': 'B@example.com' }, unlisted: 'drop' },
    homeMail: { mapTo: 'emails.home.value' },
    badges: { mapTo: 'badges', type: 'array', valueMap: { B1: 'Blue', B2: 'Red' }, unlisted: 'drop' },
    aliases: { mapTo: 'aliases.value', type: 'array' },
  },
};
const users = createMapper(map, { resourceType: 'User' });
const registry = new SchemaRegistry(connectorSchemas([users]));
const resolve = registry.resolver(registry.resourceType('User')!);

/** Any string, and the values that matter: listed, listed in another case, near misses, empty. */
const flagValue = fc.oneof(
  fc.constantFrom('Y', 'N', 'y', 'n', 'X', '', '?', ' Y', 'yes', 'true', '1'),
  fc.string(),
  fc.string({ unit: 'binary' }),
);

describe('unlisted: "drop" (property)', () => {
  it('toScim never hides the record, and the flag is a listed value or absent', () => {
    fc.assert(
      fc.property(flagValue, (v) => {
        const r = users.toScim({ login: 'u', enabled: v });
        expect(r).toBeDefined();
        expect(r?.userName).toBe('u');
        const want = v.toLowerCase() === 'y' ? true : v.toLowerCase() === 'n' ? false : undefined;
        if (want === undefined) expect(r).not.toHaveProperty('active');
        else expect(r?.active).toBe(want);
      }),
      { numRuns: 2000 },
    );
  });

  // Records in the endpoint's terms; '' only where a valueMap reads it (an unmapped '' is a value of its own).
  const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  const record = fc
    .record({
      login: opt(fc.constantFrom('bjensen', 'Bob', 'x')),
      enabled: opt(fc.oneof(fc.constantFrom('Y', 'N', 'y', 'X', ''), fc.string({ maxLength: 2 }))),
      status: opt(fc.constantFrom('A', 'R', 'a', 'Z', '')),
      mail: opt(fc.constantFrom('a@x', 'A@X', 'b@x', 'c@x', '')),
      homeMail: opt(fc.constantFrom('a@example.com', 'h@x')),
      badges: opt(fc.array(fc.constantFrom('B1', 'B2', 'b1', 'B9', ''), { maxLength: 3 })),
      aliases: opt(fc.array(fc.constantFrom('a1', 'a2'), { maxLength: 3 })),
    })
    .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));

  const str = (...v: string[]) => fc.constantFrom(...v.map((x) => JSON.stringify(x)));
  const leaf = fc
    .oneof(
      fc.tuple(fc.constant('active'), fc.constantFrom('eq', 'ne'), fc.constantFrom('true', 'false', '"True"', '"yes"')),
      fc.tuple(fc.constant('title'), fc.constantFrom('eq', 'ne', 'co', 'sw', 'gt'), str('Active', 'retired', 'Other', 'A')),
      fc.tuple(fc.constant('emails.value'), fc.constantFrom('eq', 'ne'), str('a@example.com', 'b@example.com', 'h@x', 'a@x')),
      fc.tuple(fc.constant('badges'), fc.constantFrom('eq', 'ne'), str('Blue', 'red', 'Purple')),
      fc.tuple(fc.constant('userName'), fc.constantFrom('eq', 'ne', 'sw'), str('bjensen', 'b')),
      fc.tuple(fc.constantFrom('active', 'title', 'emails', 'badges', 'userName'), fc.constant('pr'), fc.constant('')),
      fc.tuple(
        fc.constantFrom(
          'emails[type eq "work"]',
          'emails[type eq "home"]',
          'emails[type eq "work" and value pr]',
          'emails[type eq "work" and value eq "B@EXAMPLE.COM"]',
          'emails[type eq "work" and value ne "a@example.com"]',
          'emails[type eq "home" and value ne "h@x"]',
          'emails[value ne "h@x"]',
          'emails[value eq "h@x"]',
          'aliases[value ne "a1"]',
          'aliases[value eq "a1"]',
          'aliases.value ne "a1"',
        ),
        fc.constant(''),
        fc.constant(''),
      ),
    )
    .map(([a, op, v]) => `${a} ${op} ${v}`.trim());
  const { filter } = fc.letrec<{ filter: string }>((tie) => ({
    filter: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      tie('filter').map((f) => `not (${f})`),
      fc.tuple(tie('filter'), fc.constantFrom('and', 'or'), tie('filter')).map(([a, op, b]) => `(${a}) ${op} (${b})`),
    ),
  }));

  it('filters translate soundly: the endpoint filter never loses a match, and matches exactly when exact', () => {
    fc.assert(
      fc.property(record, filter, (rec, text) => {
        const node = parseFilter(text);
        const scim = users.toScim(rec);
        expect(scim).toBeDefined();
        const truth = matchesFilter(node, scim, resolve);
        const t = users.translateFilter(node);
        const where = `${text} on ${JSON.stringify(rec)} → ${t.kind === 'filter' ? serializeFilter(t.filter) : t.kind}`;
        if (t.kind === 'none') {
          expect(truth, where).toBe(false);
          return;
        }
        const endpoint = t.kind === 'all' || matchesFilter(t.filter, rec);
        if (truth) expect(endpoint, where).toBe(true);
        if (t.exact) expect(truth, where).toBe(endpoint);
      }),
      { numRuns: 3000 },
    );
  });
});
