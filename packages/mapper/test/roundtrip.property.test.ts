import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convertScalar, createMapper } from '../src/index.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const map = {
  user: {
    login: { mapTo: 'userName' },
    'profile.first': { mapTo: 'name.givenName' },
    'profile.last': { mapTo: 'name.familyName' },
    mail: { mapTo: 'emails.work.value,externalId' },
    mobile: { mapTo: 'phoneNumbers.mobile.value' },
    enabled: { mapTo: 'active', type: 'string' },
    empNo: { mapTo: `${ENT}:employeeNumber`, type: 'integer' },
    'org.unit': { mapTo: `${ENT}:department`, valueMap: { D1: 'Sales', D2: 'Engineering', D3: 'Support' } },
    level: { mapTo: 'level', type: 'string', typeInbound: 'integer' },
    ratio: { mapTo: 'ratio', type: 'number' },
    hired: { mapTo: 'hired', type: 'datetime', format: 'generalizedTime' },
    expires: { mapTo: 'expires', type: 'datetime', format: 'fileTime' },
    seen: { mapTo: 'seen', type: 'datetime', format: 'epochSeconds' },
    aliases: { mapTo: 'aliases.value', type: 'array' },
    tags: { mapTo: 'tags', type: 'array', items: { type: 'integer' } },
    'mgr.id': { mapTo: `${ENT}:manager.value` },
  },
};
const users = createMapper(map, { resourceType: 'User' });

const text = fc.string({ minLength: 0, maxLength: 12 });
const date = (ms: number) => fc.integer({ min: 0, max: 4_102_444_800_000 / ms }).map((n) => new Date(n * ms).toISOString());

/** SCIM resources in the mapped domain, shaped the way toScim produces them. */
const scimUser = fc
  .record(
    {
      userName: text,
      name: fc.record({ givenName: text, familyName: text }, { requiredKeys: [] }),
      work: text,
      mobile: text,
      active: fc.boolean(),
      ent: fc.record(
        {
          employeeNumber: fc.integer().map(String),
          department: fc.constantFrom('Sales', 'Engineering', 'Support'),
          manager: fc.record({ value: text }),
        },
        { requiredKeys: [] },
      ),
      level: fc.integer(),
      ratio: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
      hired: date(1),
      expires: date(1),
      seen: date(1000),
      aliases: fc.array(fc.record({ value: text }), { minLength: 1, maxLength: 4 }),
      tags: fc.array(fc.integer(), { minLength: 1, maxLength: 4 }),
    },
    { requiredKeys: [] },
  )
  .map((g) => {
    const u: Record<string, unknown> = {};
    if (g.userName !== undefined) u.userName = g.userName;
    if (g.work !== undefined) u.externalId = g.work;
    if (g.name && Object.keys(g.name).length) u.name = g.name;
    if (g.active !== undefined) u.active = g.active;
    if (g.ent && Object.keys(g.ent).length) u[ENT] = g.ent;
    for (const k of ['level', 'ratio', 'hired', 'expires', 'seen', 'aliases', 'tags'] as const)
      if (g[k] !== undefined) u[k] = g[k];
    const emails = g.work === undefined ? [] : [{ type: 'work', value: g.work }];
    if (emails.length) u.emails = emails;
    if (g.mobile !== undefined) u.phoneNumbers = [{ type: 'mobile', value: g.mobile }];
    return u;
  });

describe('round trips (property)', () => {
  it('toScim(toEndpoint(x)) equals x for every mapped attribute', () => {
    fc.assert(
      fc.property(scimUser, (x) => {
        expect(users.toScim(users.toEndpoint(x))).toEqual(x);
      }),
      { numRuns: 1000 },
    );
  });

  it('toEndpoint(toScim(r)) equals r for canonical endpoint records', () => {
    fc.assert(
      fc.property(scimUser, (x) => {
        const r = users.toEndpoint(x);
        expect(users.toEndpoint(users.toScim(r) ?? {})).toEqual(r);
      }),
      { numRuns: 500 },
    );
  });

  it('changes replacing every attribute produce the record toEndpoint would write', () => {
    fc.assert(
      fc.property(scimUser, (x) => {
        const changes = Object.entries(x).flatMap(([k, v]) =>
          k === ENT
            ? Object.entries(v as object).map(([ek, ev]) => ({
                op: 'replace' as const,
                path: { extension: ENT, attr: ek },
                value: ev,
              }))
            : [{ op: 'replace' as const, path: { attr: k }, value: v }],
        );
        const mod = users.changesToEndpoint(changes, { current: {} });
        const direct = users.toEndpoint(x);
        const flat: Record<string, unknown> = {};
        const walk = (o: Record<string, unknown>, pre: string) => {
          for (const [k, v] of Object.entries(o)) {
            if (v && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, `${pre}${k}.`);
            else flat[`${pre}${k}`] = v;
          }
        };
        walk(direct, '');
        expect(mod.set).toEqual(flat);
      }),
      { numRuns: 500 },
    );
  });
});

describe('datetime conversion', () => {
  // A string in toISOString's exact form skips parsing and formatting: it must read as the slow
  // path would, including impossible dates (day 31 of a 30-day month) and out-of-range fields.
  const digits = (n: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((a) => a.join(''));
  const isoShaped = fc
    .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), digits(3))
    .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);

  it('reads ISO-shaped strings as Date.parse and toISOString would', () => {
    fc.assert(
      fc.property(fc.oneof(isoShaped, date(1)), (s) => {
        const t = Date.parse(s);
        expect(convertScalar(s, 'datetime')).toBe(Number.isFinite(t) ? new Date(t).toISOString() : undefined);
      }),
      { numRuns: 2000 },
    );
  });
});
