/**
 * Every writable attribute of the served schemas (a custom extension included), driven as a
 * schema-driven client would: values generated from the definitions under `/Schemas` are written
 * by PUT, PATCH replace, remove and add and read back; ill-typed values for every attribute are
 * refused with 400 and leave the resource as it was.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AttributeDefinition, attr, SchemaRegistry, type SchemaDefinition } from '../src/index.js';
import { createScimHandler } from '../src/handler/index.js';
import { resourceProblems } from '../src/testkit/index.js';
import { memoryConnector } from './fixtures/memory-connector.js';

type Json = Record<string, any>;
const CUSTOM = 'urn:example:params:scim:schemas:extension:walk:2.0:User';
const custom: SchemaDefinition = {
  id: CUSTOM,
  name: 'Walk',
  attributes: [
    attr({ name: 'level', type: 'integer' }),
    attr({ name: 'ratio', type: 'decimal' }),
    attr({ name: 'since', type: 'dateTime' }),
    attr({ name: 'badge', type: 'binary' }),
    attr({ name: 'home', type: 'reference', referenceTypes: ['external'] }),
    attr({ name: 'flag', type: 'boolean' }),
    attr({
      name: 'sites',
      multiValued: true,
      subAttributes: [
        { name: 'code', required: true },
        { name: 'floor', type: 'integer' },
      ],
    }),
  ],
};
const registry = new SchemaRegistry({ schemas: [custom], extensions: { User: [CUSTOM] } });
const h = createScimHandler({ connector: memoryConnector({ withModify: true }), registry, unknownAttributes: 'reject' });
let n = 0;

async function call(method: string, url: string, body?: unknown) {
  const r = await h.handle({
    method,
    url,
    origin: 'https://gw.example',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: r.status, body: r.body as Json };
}

const writable = (d: AttributeDefinition) => d.mutability !== 'readOnly';

/** A value of the attribute's type, as a client reading `/Schemas` would build it. */
function simple(d: AttributeDefinition): fc.Arbitrary<unknown> {
  if (d.canonicalValues && d.name === 'type') return fc.constantFrom(...d.canonicalValues);
  switch (d.type) {
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer();
    case 'decimal':
      return fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
    case 'dateTime':
      return fc
        .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true })
        .map((x) => x.toISOString());
    case 'binary':
      return fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('base64'));
    case 'reference':
      return fc.webUrl();
    default:
      return fc.string({ minLength: 1, maxLength: 12 });
  }
}

function element(d: AttributeDefinition): fc.Arbitrary<unknown> {
  if (d.type !== 'complex') return simple(d);
  const subs = (d.subAttributes ?? []).filter((s) => writable(s) && s.name !== '$ref');
  const rec = Object.fromEntries(subs.map((s) => [s.name, simple(s)]));
  const required = subs.filter((s) => s.required || s.name === 'value').map((s) => s.name);
  return fc.record(rec, { requiredKeys: required.length ? required : [subs[0]?.name ?? 'value'] });
}

/**
 * A whole value. Elements of a multi-valued attribute are distinct and at most one is primary
 * (RFC 7643 §2.4): the server may merge repeated elements and keep a single primary.
 */
function good(d: AttributeDefinition): fc.Arbitrary<unknown> {
  if (!d.multiValued) return element(d);
  const key = (e: unknown) => JSON.stringify(typeof e === 'object' && e !== null && 'value' in e ? (e as Json).value : e);
  return fc
    .uniqueArray(element(d), { minLength: 1, maxLength: 3, selector: key })
    .map((list) =>
      list.map((e, i) =>
        i > 0 && typeof e === 'object' && e !== null && 'primary' in e ? { ...(e as Json), primary: false } : e,
      ),
    );
}

/** A value of the wrong type for `d` (never one a named dialect rule accepts). */
function badSimple(d: AttributeDefinition): fc.Arbitrary<unknown> {
  switch (d.type) {
    case 'boolean':
      return fc.oneof(fc.integer(), fc.constantFrom('yes', 'no', '1', ''), fc.constant({ a: 1 }));
    case 'integer':
      return fc.oneof(fc.constantFrom(1.5, '1', true), fc.string({ maxLength: 3 }));
    case 'decimal':
      return fc.oneof(
        fc.constantFrom('1.5', true, null).filter((x) => x !== null),
        fc.constant({ a: 1 }),
      );
    case 'dateTime':
      return fc.constantFrom('not-a-date', '2020-13-01T00:00:00Z', '2020-01-01', 5, true);
    case 'binary':
      return fc.constantFrom('not base64!', 'abc', 5, false);
    default:
      return fc.oneof(fc.integer(), fc.boolean(), fc.constant({ a: 1 }), fc.constant(['x', 'y']));
  }
}

function bad(d: AttributeDefinition): fc.Arbitrary<unknown> {
  let el: fc.Arbitrary<unknown>;
  if (d.type === 'complex') {
    const subs = (d.subAttributes ?? []).filter((s) => writable(s) && s.name !== '$ref' && s.name !== 'type');
    el = fc.oneof(
      fc.integer(),
      fc.boolean(),
      fc.constantFrom(...subs).chain((s) => badSimple(s).map((v) => ({ [s.name]: v }))),
    );
  } else el = badSimple(d);
  return d.multiValued ? el.map((e) => [e]) : el;
}

interface Target {
  type: 'User' | 'Group';
  ext: string | undefined;
  def: AttributeDefinition;
}
const targets: Target[] = [];
for (const rt of registry.resourceTypes().filter((t) => t.id === 'User' || t.id === 'Group')) {
  for (const urn of [rt.schema, ...rt.schemaExtensions.map((e) => e.schema)]) {
    for (const def of registry.schema(urn)?.attributes ?? []) {
      if (writable(def)) targets.push({ type: rt.id as 'User' | 'Group', ext: urn === rt.schema ? undefined : urn, def });
    }
  }
}

const pathOf = (t: Target) => (t.ext ? `${t.ext}:${t.def.name}` : t.def.name);
const put = (t: Target, doc: Json, v: unknown) =>
  t.ext ? { ...doc, [t.ext]: { ...(doc[t.ext] ?? {}), [t.def.name]: v } } : { ...doc, [t.def.name]: v };
const read = (t: Target, doc: Json) => {
  const v = t.ext ? doc[t.ext]?.[t.def.name] : doc[t.def.name];
  // `$ref` of members is the gateway's, computed on the way out.
  return Array.isArray(v) ? v.map((e) => (e && typeof e === 'object' ? (({ $ref: _r, ...rest }) => rest)(e) : e)) : v;
};
const endpoint = (t: Target) => (t.type === 'User' ? '/Users' : '/Groups');

async function fresh(t: Target): Promise<Json> {
  const base = t.type === 'User' ? { userName: `walk${++n}` } : { displayName: `walk${++n}` };
  const r = await call('POST', endpoint(t), base);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

/** The writable part of a served resource, as a client would PUT it back. */
function body(doc: Json): Json {
  const { id: _i, meta: _m, schemas: _s, groups: _g, ...rest } = doc;
  if (Array.isArray(rest.members)) rest.members = rest.members.map(({ $ref: _r, ...m }: Json) => m);
  return rest;
}

describe.each(targets.map((t) => [`${t.type} ${pathOf(t)}`, t] as const))('%s', (_name, t) => {
  const required = t.def.required;
  const hidden = t.def.returned === 'never';

  it('PUT, PATCH replace, remove and add of generated values read back as written', async () => {
    await fc.assert(
      fc.asyncProperty(good(t.def), good(t.def), async (v1, v2) => {
        const doc = await fresh(t);
        const url = `${endpoint(t)}/${doc.id}`;
        const p1 = await call('PUT', url, put(t, body(doc), v1));
        expect(p1.status, JSON.stringify(p1.body)).toBe(200);
        const got1 = (await call('GET', url)).body;
        expect(resourceProblems(registry, t.type, got1)).toEqual([]);
        if (!hidden) expect(read(t, got1)).toEqual(v1);
        const p2 = await call('PATCH', url, { Operations: [{ op: 'replace', path: pathOf(t), value: v2 }] });
        expect(p2.status, JSON.stringify(p2.body)).toBeLessThan(300);
        const got2 = (await call('GET', url)).body;
        const merged = t.def.type === 'complex' && !t.def.multiValued ? { ...(v1 as Json), ...(v2 as Json) } : v2;
        if (!hidden) expect(read(t, got2)).toEqual(merged);
        const rm = await call('PATCH', url, { Operations: [{ op: 'remove', path: pathOf(t) }] });
        if (required) {
          expect(rm.status).toBe(400);
          return;
        }
        expect(rm.status, JSON.stringify(rm.body)).toBeLessThan(300);
        expect(read(t, (await call('GET', url)).body)).toBeUndefined();
        const add = await call('PATCH', url, { Operations: [{ op: 'add', path: pathOf(t), value: v1 }] });
        expect(add.status, JSON.stringify(add.body)).toBeLessThan(300);
        if (!hidden) expect(read(t, (await call('GET', url)).body)).toEqual(v1);
      }),
      { numRuns: 15 },
    );
  });

  it('ill-typed values → 400 invalidValue by PUT and by PATCH, the resource unchanged', async () => {
    const doc = await fresh(t);
    const url = `${endpoint(t)}/${doc.id}`;
    const before = (await call('GET', url)).body;
    await fc.assert(
      fc.asyncProperty(bad(t.def), async (v) => {
        const p = await call('PUT', url, put(t, body(before), v));
        expect(p.status, `${JSON.stringify(v)} → ${JSON.stringify(p.body)}`).toBe(400);
        expect(p.body.scimType).toBe('invalidValue');
        const q = await call('PATCH', url, { Operations: [{ op: 'replace', path: pathOf(t), value: v }] });
        expect(q.status, `${JSON.stringify(v)} → ${JSON.stringify(q.body)}`).toBe(400);
        expect(q.body.scimType).toBe('invalidValue');
        expect((await call('GET', url)).body).toEqual(before);
      }),
      { numRuns: 15 },
    );
  });
});
