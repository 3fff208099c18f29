import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineConnector } from '../src/index.js';
import { createScimHandler, MAX_JSON_DEPTH } from '../src/handler/index.js';
import { parseJsonSafe } from '../src/util/object.js';
import { jsonNestsDeeper } from '../src/util/object.js';

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
