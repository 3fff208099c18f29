import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineConnector, SchemaRegistry, URN } from '../src/index.js';
import { createScimHandler, MAX_JSON_DEPTH } from '../src/handler/index.js';
import { jsonNestsDeeper, parseJsonSafe, withoutForbiddenKeys } from '../src/util/object.js';
import { resourceToV1 } from '../src/v1/response.js';
import { V1 } from '../src/v1/urns.js';

const FORBIDDEN = ['__proto__', 'constructor', 'prototype'];

/** Every own key at every depth. */
function keys(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) keys(x, out);
  else if (typeof v === 'object' && v !== null) {
    for (const k of Object.keys(v)) {
      out.push(k);
      keys((v as Record<string, unknown>)[k], out);
    }
  }
  return out;
}

/** Writes a key the way a hostile client might: plain, or with some characters \u-escaped. */
function spell(key: string, escapeMask: number): string {
  let s = '';
  for (let i = 0; i < key.length; i++) {
    s += (escapeMask >> i) & 1 ? `\\u${key.charCodeAt(i).toString(16).padStart(4, '0')}` : JSON.stringify(key[i]).slice(1, -1);
  }
  return `"${s}"`;
}

const keyArb = fc.oneof(fc.constantFrom(...FORBIDDEN, 'userName', 'proto', 'name'), fc.string({ maxLength: 8 }));
/** JSON text of nested objects whose keys may be forbidden, spelled plainly or escaped. */
const hostile: fc.Arbitrary<string> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 1 }).map((v) => JSON.stringify(v)),
    tie('object'),
  ),
  object: fc
    .array(fc.tuple(keyArb, fc.nat(), tie('value') as fc.Arbitrary<string>), { maxLength: 4 })
    .map((entries) => `{${entries.map(([k, mask, v]) => `${spell(k, mask)}:${v}`).join(',')}}`),
})).object;

describe('parseJsonSafe', () => {
  it('never returns a forbidden key, however it is spelled', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const parsed = parseJsonSafe(text);
        for (const k of keys(parsed)) expect(FORBIDDEN).not.toContain(k);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 3000 },
    );
  });

  it('is JSON.parse for everything else', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        const clean = !keys(JSON.parse(text)).some((k) => FORBIDDEN.includes(k));
        if (clean) expect(parseJsonSafe(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('drops an escaped __proto__ (the fast path must not miss it)', () => {
    const parsed = parseJsonSafe('{"\\u005f_proto__":{"polluted":1},"a":1}') as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['a']);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });
});

/** Nesting depth of a parsed value: objects and arrays count one level each. */
function depthOf(v: unknown): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depthOf));
  if (typeof v === 'object' && v !== null) return 1 + Math.max(0, ...Object.values(v).map(depthOf));
  return 0;
}

describe('JSON nesting is bounded where the body is parsed', () => {
  const nest = (n: number, inner = '1') => `${'['.repeat(n)}${inner}${']'.repeat(n)}`;

  it(`takes ${MAX_JSON_DEPTH} levels and refuses ${MAX_JSON_DEPTH + 1}`, () => {
    expect(() => parseJsonSafe(nest(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => parseJsonSafe(nest(MAX_JSON_DEPTH + 1))).toThrow(SyntaxError);
    expect(() => parseJsonSafe(`{"a":${nest(100_000)}}`)).toThrow(/nested deeper than 64/);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ s: '['.repeat(500), t: `"\\${'{'.repeat(500)}`, u: ['\\"', '[[['] });
    expect(parseJsonSafe(text)).toEqual(JSON.parse(text));
  });

  it('agrees with the real depth of any JSON value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 1, max: 8 }), (v, max) => {
        const text = JSON.stringify(v);
        expect(jsonNestsDeeper(text, max)).toBe(depthOf(v) > max);
      }),
    );
  });
});

describe('the handler refuses deep bodies on every route, before a connector sees them', () => {
  const deep = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"deep","x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
  const calls: string[] = [];
  const connector = defineConnector({
    name: 'recorder',
    coreVersion: '^1.0.0',
    resources: {
      User: {
        capabilities: { filter: { operators: ['eq'], attributes: '*' } },
        async query() {
          calls.push('query');
          return { resources: [] };
        },
        async create(r) {
          calls.push('create');
          return { ...r, id: '1' };
        },
      },
    },
  });
  const scim = createScimHandler({ connector, bulk: { maxOperations: 10 } });
  it.each([
    ['POST', '/Users', deep],
    ['POST', '/Users/.search', `{"attributes":${'['.repeat(5000)}"userName"${']'.repeat(5000)}}`],
    ['POST', '/.search', `{"filter":"userName pr","x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`],
    ['POST', '/Bulk', `{"Operations":[{"method":"POST","path":"/Users","bulkId":"a","data":${deep}}]}`],
    ['PUT', '/Users/1', deep],
    ['PATCH', '/Users/1', `{"Operations":[{"op":"add","value":${deep}}]}`],
  ])('%s %s → 400 invalidSyntax', async (method, url, body) => {
    const res = await scim.handle({ method, url, body });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ scimType: 'invalidSyntax' });
    expect(calls).toEqual([]);
  });
  it('also for JSON a host parsed itself', async () => {
    let v: unknown = 1;
    for (let i = 0; i < 5000; i++) v = [v];
    const res = await scim.handle({ method: 'POST', url: '/Users', body: { userName: 'x', v } });
    expect(res).toMatchObject({ status: 400, body: { scimType: 'invalidSyntax' } });
    expect(calls).toEqual([]);
  });
});

/** Every object and array in `v` has the prototype JSON.parse gives it (no key became a prototype). */
function plainPrototypes(v: unknown, depth = 0): boolean {
  if (typeof v !== 'object' || v === null || depth > MAX_JSON_DEPTH) return true;
  const p = Object.getPrototypeOf(v);
  if (p !== (Array.isArray(v) ? Array.prototype : Object.prototype)) return false;
  return Object.keys(v).every((k) => plainPrototypes((v as Record<string, unknown>)[k], depth + 1));
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  }
  return v;
}

describe('withoutForbiddenKeys (what connectors return)', () => {
  it('leaves no forbidden key at any depth, keeps the rest, and changes nothing it is given (property)', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const given = JSON.parse(text) as unknown;
        const out = withoutForbiddenKeys(given);
        for (const k of keys(out)) expect(FORBIDDEN).not.toContain(k);
        expect(plainPrototypes(out)).toBe(true);
        // The same as dropping them while parsing, and the value given is as it was.
        expect(JSON.stringify(out)).toBe(JSON.stringify(parseJsonSafe(text)));
        expect(JSON.stringify(given)).toBe(JSON.stringify(JSON.parse(text)));
        if (!keys(given).some((k) => FORBIDDEN.includes(k))) expect(out).toBe(given);
      }),
      { numRuns: 3000 },
    );
  });

  it('copies only what leads to a forbidden key, and works on frozen values', () => {
    const given = deepFreeze(JSON.parse('{"a":{"b":1},"c":[{"d":1},{"e":{"__proto__":{"x":1},"f":2}}],"g":"h"}'));
    const out = withoutForbiddenKeys(given);
    expect(out).toEqual({ a: { b: 1 }, c: [{ d: 1 }, { e: { f: 2 } }], g: 'h' });
    expect(out).not.toBe(given);
    expect(out.a).toBe(given.a);
    expect(out.c[0]).toBe(given.c[0]);
    expect(out.c[1].e).not.toBe(given.c[1].e);
    expect(Object.getPrototypeOf(out.c[1].e)).toBe(Object.prototype);
    expect(out.c[1].e.x).toBeUndefined();
  });
});

describe('withoutForbiddenKeys remembers only lists that cannot change', () => {
  const list = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `m${i}` }) as Record<string, unknown>);
  const hostileAt = (l: Record<string, unknown>[], i: number) => {
    l[i] = JSON.parse('{"value":"x","__proto__":{"admin":true}}');
  };

  it('a long list that is not frozen, or holds an element that is not, is walked again', () => {
    const members = list(100);
    const group = { id: 'g', members };
    expect(withoutForbiddenKeys(group)).toBe(group);
    hostileAt(members, 7);
    const again = withoutForbiddenKeys(group);
    expect(again).not.toBe(group);
    expect(Object.keys(again.members[7] as object)).toEqual(['value']);
    // A frozen list of elements that are not frozen: an element gains a forbidden key later.
    const elements = list(100);
    const frozenList = Object.freeze(elements.slice());
    expect(withoutForbiddenKeys({ members: frozenList })).toEqual({ members: frozenList });
    Object.defineProperty(elements[3], '__proto__', {
      value: { admin: true },
      enumerable: true,
      configurable: true,
      writable: true,
    });
    const out = withoutForbiddenKeys({ members: frozenList });
    expect(Object.keys(out.members[3] as object)).toEqual(['value']);
  });

  it('a deeply frozen long list is the same list every time, and still cleaned when it holds a forbidden key', () => {
    const clean = deepFreeze(list(100));
    expect(withoutForbiddenKeys({ members: clean }).members).toBe(clean);
    expect(withoutForbiddenKeys({ members: clean }).members).toBe(clean);
    const dirty = list(100);
    hostileAt(dirty, 50);
    deepFreeze(dirty);
    const out = withoutForbiddenKeys({ members: dirty });
    expect(out.members).not.toBe(dirty);
    expect(Object.getPrototypeOf(out.members[50])).toBe(Object.prototype);
    expect(withoutForbiddenKeys({ members: dirty }).members).not.toBe(dirty);
  });
});

describe('lookups by a name from data find only their own entries', () => {
  const names = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];
  it.each(names)('registry.schema(%j) is undefined', (name) => {
    const registry = new SchemaRegistry();
    expect(registry.schema(name)).toBeUndefined();
    expect(registry.schema(name.toLowerCase())).toBeUndefined();
  });
  it.each(names)('a resource with the key %j in its 1.1 form: kept as a plain attribute, or dropped if forbidden', (name) => {
    const r = JSON.parse(`{"id":"1",${JSON.stringify(name)}:{"a":1}}`) as Record<string, unknown>;
    const v1 = resourceToV1(r);
    expect(v1.schemas).toEqual([V1.Core]);
    expect(Object.keys(v1)).toEqual(FORBIDDEN.includes(name) ? ['schemas', 'id'] : ['schemas', 'id', name]);
    expect(Object.getPrototypeOf(v1)).toBe(Object.prototype);
  });
});

describe('resources a connector returns with forbidden keys: every route and form drops them', () => {
  const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
  /** A user whose every level (the top, a complex attribute, a list, an extension, meta) holds hostile keys. */
  const userText = fc
    .tuple(hostile, hostile, hostile, hostile, hostile)
    .map(
      ([top, name, email, ext, meta]) =>
        `{${top.slice(1, -1)}${top.length > 2 ? ',' : ''}"name":${name},"emails":[${email}],${JSON.stringify(ENT)}:${ext},` +
        `"meta":${meta},"id":"1","userName":"u1"}`,
    );
  const routes: [string, string, unknown?][] = [
    ['GET', '/Users/1'],
    ['GET', '/Users/1?attributes=name,emails.value,meta'],
    ['GET', `/Users/1?excludedAttributes=name.givenName,${ENT}:department`],
    ['GET', '/Users'],
    ['GET', '/Users?filter=userName eq "u1"&sortBy=name.familyName'],
    ['GET', '/Users?attributes=userName,name'],
    ['POST', '/Users/.search', { schemas: [URN.SearchRequest], excludedAttributes: ['emails'] }],
    ['POST', '/.search', { schemas: [URN.SearchRequest], filter: 'userName eq "u1"' }],
    ['POST', '/Users', { userName: 'u1' }],
    ['PUT', '/Users/1', { userName: 'u1' }],
    ['PATCH', '/Users/1', { schemas: [URN.PatchOp], Operations: [{ op: 'replace', path: 'title', value: 't' }] }],
    [
      'POST',
      '/Bulk',
      {
        schemas: [URN.BulkRequest],
        Operations: [{ method: 'PATCH', path: '/Users/1', data: { Operations: [{ op: 'add', path: 'title', value: 'x' }] } }],
      },
    ],
  ];
  const objectKeys = () => Object.getOwnPropertyNames(Object.prototype).join();
  const before = objectKeys();

  it('no forbidden key, no foreign prototype, Object.prototype untouched (property)', async () => {
    await fc.assert(
      fc.asyncProperty(userText, fc.boolean(), async (text, frozen) => {
        // A frozen resource handed out unchanged is shaped once and kept (as the embedded store's);
        // a fresh one is shaped on every read (as a REST target's).
        const kept = frozen ? deepFreeze(JSON.parse(text)) : undefined;
        const give = () => kept ?? JSON.parse(text);
        const connector = defineConnector({
          name: 'hostile-target',
          coreVersion: '^1.0.0',
          resources: {
            User: {
              capabilities: { filter: { operators: ['eq'], attributes: ['userName', 'id'] } },
              query: async () => ({ resources: [give(), give()] }),
              get: async () => give(),
              create: async () => give(),
              replace: async () => give(),
              modify: async () => give(),
            },
          },
        });
        const scim = createScimHandler({ connector, bulk: { maxOperations: 10 } });
        for (const prefix of ['', '/v1']) {
          for (const [method, url, body] of routes) {
            for (let read = 0; read < (frozen ? 3 : 1); read++) {
              const res = await scim.handle({
                method,
                url: prefix + url,
                origin: 'https://gw.example',
                ...(body === undefined ? {} : { body: JSON.stringify(body) }),
              });
              expect(res.status, `${method} ${prefix}${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
              for (const k of keys(res.body)) expect(FORBIDDEN, `${method} ${prefix}${url}`).not.toContain(k);
              expect(plainPrototypes(res.body), `${method} ${prefix}${url}`).toBe(true);
              expect(JSON.stringify(res.body)).not.toMatch(/\[object |function /);
            }
          }
        }
        expect(objectKeys()).toBe(before);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 50 },
    );
  }, 120_000);
});
