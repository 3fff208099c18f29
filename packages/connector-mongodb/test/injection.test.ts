/**
 * Operator injection: what clients send is data. Values that look like query operators, patterns
 * or JavaScript, and keys that start with `$` or contain dots, are stored and compared literally —
 * in attribute values, sub-attribute keys, unknown attributes, filters, ids, sortBy, attributes,
 * PATCH values and member values. No client key ever reaches MongoDB as a key: every command the
 * connector sent is checked.
 */
import type { Connector, ScimResource } from '@scimgw/core';
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, connectorOn, startBackend, uniqueDb } from './helpers/backend.js';

const VALUES = [
  '{"$gt":""}',
  '{"$ne":null}',
  '$where',
  'this.userName != null',
  "'; return true; var x='",
  '$regex',
  '.*',
  '^',
  '$',
  '.',
  '\\',
  '$$ROOT',
  '$userName',
  '__proto__',
  'constructor',
  'a\u0000b',
  '(?i)x',
  '[a-z]+',
];
/** Keys a client may send (the core accepts them inside complex values and as unknown attributes). */
const KEYS = ['$where', '$inj', '$expr', 'a.b', 'x.$gt', '$ref'];

let backend: Backend;
let connector: Connector & { open(): Promise<void> };
let h: ScimHandler;
const database = uniqueDb('inject');

beforeAll(async () => {
  backend = await startBackend();
  connector = connectorOn(backend.url, { database });
  await connector.open();
  h = createScimHandler({ connector });
  backend.srv?.calls.clear();
});
afterAll(async () => {
  await connector?.close?.();
  await backend.stop();
});

type Res = { status: number; body: Record<string, unknown> & { Resources?: ScimResource[]; totalResults?: number } };
const call = async (method: string, url: string, body?: unknown): Promise<Res> =>
  (await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })) as Res;
const q = (filter: string, extra = '') => call('GET', `/Users?count=1000&filter=${encodeURIComponent(filter)}${extra}`);
const quote = (s: string) => JSON.stringify(s);

describe('values that look like operators are data', () => {
  const made: { id: string; userName: string }[] = [];

  it('stores them literally and finds exactly them', async () => {
    for (const [i, v] of VALUES.entries()) {
      const userName = `${v}#${i}`;
      const res = await call('POST', '/Users', {
        userName,
        displayName: v,
        title: v,
        name: { givenName: v },
        emails: [{ value: v, type: v }],
      });
      expect(res.status, `${v}: ${JSON.stringify(res.body)}`).toBe(201);
      made.push({ id: res.body.id as string, userName });
      const got = await call('GET', `/Users/${encodeURIComponent(res.body.id as string)}`);
      expect(got.body).toMatchObject({
        userName,
        displayName: v,
        title: v,
        name: { givenName: v },
        emails: [{ value: v, type: v }],
      });
    }
    for (const [i, v] of VALUES.entries()) {
      const exact = await q(`userName eq ${quote(`${v}#${i}`)}`);
      expect(exact.body.totalResults, v).toBe(1);
      const byDisplay = await q(`displayName eq ${quote(v)}`);
      expect(
        byDisplay.body.Resources?.map((r) => r.displayName),
        v,
      ).toEqual(VALUES.filter((x) => x.toLowerCase() === v.toLowerCase()).map((x) => x));
      for (const op of ['co', 'sw', 'ew'] as const) {
        const res = await q(`title ${op} ${quote(v)}`);
        const expected = VALUES.filter((t) => {
          const [a, b] = [t.toLowerCase(), v.toLowerCase()];
          return op === 'co' ? a.includes(b) : op === 'sw' ? a.startsWith(b) : a.endsWith(b);
        });
        expect(res.body.Resources?.map((r) => r.title).sort(), `title ${op} ${v}`).toEqual(expected.sort());
      }
      const inList = await q(`emails[value eq ${quote(v)} and type eq ${quote(v)}]`);
      expect(inList.body.totalResults, `emails[...] ${v}`).toBe(VALUES.filter((x) => x.toLowerCase() === v.toLowerCase()).length);
    }
  });

  it('ids that look like operators address nothing', async () => {
    const before = (await call('GET', '/Users?count=0')).body.totalResults;
    for (const id of [...VALUES, '{"$exists":true}', '*']) {
      const url = `/Users/${encodeURIComponent(id)}`;
      expect((await call('GET', url)).status, id).toBe(404);
      expect((await call('DELETE', url)).status, id).toBe(404);
      expect((await call('PATCH', url, { Operations: [{ op: 'replace', path: 'title', value: 'x' }] })).status, id).toBe(404);
      expect((await call('PUT', url, { userName: `put-${id}` })).status, id).toBe(404);
    }
    expect((await call('GET', '/Users?count=0')).body.totalResults).toBe(before);
  });

  it('sortBy and attributes that look like operators are refused or ignored, never run', async () => {
    for (const p of ['$natural', '$where', 'a.b', '__proto__', 'userName.$ne', 'meta.$gt', '$']) {
      const sorted = await call('GET', `/Users?sortBy=${encodeURIComponent(p)}`);
      expect([200, 400], `sortBy=${p}: ${JSON.stringify(sorted.body)}`).toContain(sorted.status);
      const attrs = await call('GET', `/Users?attributes=${encodeURIComponent(p)}`);
      expect([200, 400], `attributes=${p}`).toContain(attrs.status);
      const excluded = await call('GET', `/Users?excludedAttributes=${encodeURIComponent(p)}`);
      expect([200, 400], `excludedAttributes=${p}`).toContain(excluded.status);
      if (sorted.status === 200) expect(sorted.body.totalResults).toBe(VALUES.length);
    }
  });
});

describe('keys that look like operators or paths are data', () => {
  it('in complex values, unknown attributes and PATCH values never reach MongoDB: the core leaves them out', async () => {
    // Attributes and sub-attributes no schema defines are never stored (core's unknownAttributes
    // policy); the escaping of such keys in documents is covered by the unit tests of keys.ts.
    const nested = Object.fromEntries(KEYS.map((k) => [k, `v-${k}`]));
    const body = {
      userName: 'keys-user',
      emails: [{ value: 'k@x.org', ...nested }],
      name: { givenName: 'G', ...nested },
      'a.b': 'top-level dotted',
      unknownThing: { ...nested, deeper: { ...nested } },
    };
    const res = await call('POST', '/Users', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const id = res.body.id as string;
    const got = await call('GET', `/Users/${id}`);
    expect(got.body.emails).toEqual([{ value: 'k@x.org' }]);
    expect(got.body.name).toEqual({ givenName: 'G' });
    expect(got.body['a.b']).toBeUndefined();
    expect(got.body.unknownThing).toBeUndefined();
    // PATCH values carrying such keys.
    const patched = await call('PATCH', `/Users/${id}`, {
      Operations: [
        { op: 'replace', path: 'emails', value: [{ value: 'p@x.org', ...nested }] },
        { op: 'add', path: 'addresses', value: [{ locality: 'L', ...nested }] },
        { op: 'replace', path: 'name', value: { familyName: 'F', ...nested } },
      ],
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({
      emails: [{ value: 'p@x.org' }],
      addresses: [{ locality: 'L' }],
      name: { givenName: 'G', familyName: 'F' },
    });
    expect(JSON.stringify(patched.body)).not.toMatch(/v-/);
    // Filtering by the unknown attribute compares data, in memory.
    expect((await q('unknownThing.$where eq "x"')).status).toBe(400);
    // In MongoDB the keys are escaped: none starts with "$" or contains a dot.
    const client = new MongoClient(backend.url);
    try {
      const doc = await client.db(database).collection('users').findOne({ id });
      const keys: string[] = [];
      const walk = (v: unknown) => {
        if (Array.isArray(v)) {
          for (const x of v) walk(x);
        } else if (v && typeof v === 'object' && !('_bsontype' in v)) {
          for (const [k, x] of Object.entries(v)) {
            keys.push(k);
            walk(x);
          }
        }
      };
      walk(doc);
      expect(keys.filter((k) => k.startsWith('$') || k.includes('.'))).toEqual([]);
      expect(keys).not.toContain('%24where');
      expect(keys).not.toContain('unknownThing');
    } finally {
      await client.close();
    }
  });

  it('member values that look like operators are members like any other', async () => {
    const g = await call('POST', '/Groups', { displayName: 'inj-group', members: [{ value: '{"$gt":""}' }] });
    expect(g.status).toBe(201);
    const gid = g.body.id as string;
    const add = await call('PATCH', `/Groups/${gid}`, {
      Operations: [{ op: 'add', path: 'members', value: [{ value: '$where' }, { value: '.*' }] }],
    });
    expect(add.status).toBe(204);
    const rm = await call('PATCH', `/Groups/${gid}`, {
      Operations: [{ op: 'remove', path: 'members[value eq "{\\"$gt\\":\\"\\"}"]' }],
    });
    expect(rm.status).toBe(204);
    const got = await call('GET', `/Groups/${gid}`);
    expect((got.body.members as { value: string }[]).map((m) => m.value).sort()).toEqual(['$where', '.*'].sort());
    const found = await call('GET', `/Groups?filter=${encodeURIComponent('members.value eq "$where"')}`);
    expect(found.body.totalResults).toBe(1);
    const none = await call('GET', `/Groups?filter=${encodeURIComponent('members.value eq ".*" and displayName eq "other"')}`);
    expect(none.body.totalResults).toBe(0);
  });
});

describe('what reached MongoDB', () => {
  it('no client key ever appears as a key in a command', () => {
    const srv = backend.srv;
    if (!srv) return;
    expect(srv.calls.all.length).toBeGreaterThan(100);
    const offending: string[] = [];
    const walk = (v: unknown, where: string) => {
      if (Array.isArray(v)) {
        for (const [i, x] of v.entries()) walk(x, `${where}[${i}]`);
      } else if (v && typeof v === 'object' && !('_bsontype' in v) && !(v instanceof RegExp)) {
        for (const [k, x] of Object.entries(v)) {
          if (KEYS.includes(k) || k === '__proto__') offending.push(`${where}.${k}`);
          walk(x, `${where}.${k}`);
        }
      }
    };
    for (const c of srv.calls.all) walk(c.body, c.command);
    expect(offending).toEqual([]);
  });
});
