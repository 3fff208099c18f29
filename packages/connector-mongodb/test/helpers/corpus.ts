/**
 * A corpus of users with awkward shapes (missing, empty, multi-valued, primary, mixed case, custom
 * integer/decimal/dateTime/boolean attributes), and a schema registry with a custom extension, for
 * differential tests: the same filter or sort through MongoDB and through the core's evaluator must
 * select and order the same resources.
 */
import { attr, SchemaRegistry, type SchemaDefinition } from '@scimgw/core';

export const EXT = 'urn:test:params:scim:schemas:extension:custom:2.0:User';
export const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const custom: SchemaDefinition = {
  id: EXT,
  name: 'Custom',
  attributes: [
    attr({ name: 'level', type: 'integer' }),
    attr({ name: 'score', type: 'decimal' }),
    attr({ name: 'since', type: 'dateTime' }),
    attr({ name: 'flag', type: 'boolean' }),
    attr({ name: 'code', caseExact: true }),
    attr({ name: 'tags', multiValued: true }),
  ],
};

/** The built-in schemas plus the custom extension on User. */
export function corpusRegistry(): SchemaRegistry {
  return new SchemaRegistry({ schemas: [custom], extensions: { User: [EXT] } });
}

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const WORDS = ['alice', 'Bob', 'carol', 'DAVE', 'eve', 'Frank', 'grace', 'heidi', 'ivan', 'judy', 'Mallory', 'oscar'];
export const DOMAINS = ['example.com', 'Example.org', 'test.net'];
export const TYPES = ['work', 'home', 'Other'];
export const DEPARTMENTS = ['Sales', 'sales', 'R&D', 'Ops (EU)', 'a.b*c+?', '^$[x]'];
export const DATES = [
  '2024-01-01T00:00:00.000Z',
  '2025-06-15T12:30:00Z',
  '2025-06-15T12:30:00.000Z',
  '2026-02-28T23:59:59.999Z',
  '2023-03-01T08:00:00+02:00',
];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)] as T;
}

/** Request bodies of `count` users. */
export function corpusUsers(count: number, seed = 7): Record<string, unknown>[] {
  const r = prng(seed);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const first = pick(r, WORDS);
    const last = pick(r, WORDS);
    const u: Record<string, unknown> = { userName: `${first}.${last}${i}` };
    if (r() < 0.8) u.displayName = `${first} ${last}`;
    if (r() < 0.5) u.title = pick(r, ['Engineer', 'engineer', 'Manager', '', 'CEO']);
    if (r() < 0.7) u.active = r() < 0.5;
    if (r() < 0.6) u.externalId = `${pick(r, ['EXT', 'ext'])}-${i}`;
    if (r() < 0.7) {
      const name: Record<string, unknown> = {};
      if (r() < 0.8) name.givenName = first;
      if (r() < 0.8) name.familyName = last;
      if (Object.keys(name).length) u.name = name;
    }
    const emailCount = Math.floor(r() * 4);
    if (emailCount) {
      let primary = false;
      u.emails = Array.from({ length: emailCount }, (_, j) => {
        const e: Record<string, unknown> = { value: `${first}${j}@${pick(r, DOMAINS)}` };
        if (r() < 0.8) e.type = pick(r, TYPES);
        // At most one primary value (RFC 7643 §2.4): a create with two is refused.
        if (r() < 0.3 && !primary) primary = e.primary = true;
        return e;
      });
    }
    if (r() < 0.4) u.addresses = [{ locality: pick(r, ['Oslo', 'oslo', 'Bergen']), country: 'NO' }];
    if (r() < 0.6) {
      const ent: Record<string, unknown> = {};
      if (r() < 0.7) ent.department = pick(r, DEPARTMENTS);
      if (r() < 0.5) ent.employeeNumber = String(Math.floor(r() * 1000));
      if (r() < 0.4) ent.manager = { value: `mgr-${pick(r, ['A', 'a', 'B'])}` };
      if (Object.keys(ent).length) u[ENT] = ent;
    }
    if (r() < 0.7) {
      const ext: Record<string, unknown> = {};
      if (r() < 0.7) ext.level = Math.floor(r() * 10) - 2;
      if (r() < 0.5) ext.score = Math.round(r() * 1000) / 100;
      if (r() < 0.6) ext.since = pick(r, DATES);
      if (r() < 0.6) ext.flag = r() < 0.5;
      if (r() < 0.6) ext.code = pick(r, ['AbC', 'abc', 'ABC', 'x-1']);
      if (r() < 0.5) ext.tags = Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(r, ['red', 'Red', 'blue', 'green']));
      if (Object.keys(ext).length) u[EXT] = ext;
    }
    if (r() < 0.2) u.nickName = pick(r, ['Babs', 'babs', 'Jay']);
    out.push(u);
  }
  return out;
}
