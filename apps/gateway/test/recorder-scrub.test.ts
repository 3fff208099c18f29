/**
 * What the recorder writes of a value: pseudonyms that keep a value's shape and its matches, and
 * secrets replaced wherever a client can put them.
 */
import fc from 'fast-check';
import { createMasker } from '@scimgw/logger-stream';
import { describe, expect, it } from 'vitest';
import { Pseudonyms } from '../src/recorder/pseudonyms.js';
import { createScrubber, SECRET } from '../src/recorder/scrub.js';

const WORD = /[\p{L}\p{N}]/u;
const isSecret = (n: string) => createMasker().isSensitiveName(n);

describe('pseudonyms', () => {
  it('keep the length, the case and every character that is not a letter or digit', () => {
    const p = new Pseudonyms();
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 40 }), (s) => {
        const out = p.text(s);
        expect(out.length).toBe(s.length);
        for (let i = 0; i < s.length; i++) {
          const a = s[i] as string;
          const b = out[i] as string;
          if (!WORD.test(a)) expect(b).toBe(a);
          else if (/\d/.test(a)) expect(b).toMatch(/\d/);
          else expect(b === b.toUpperCase()).toBe(a === a.toUpperCase());
        }
      }),
    );
  });

  it('give a word one pseudonym whatever its case, and other keys other pseudonyms', () => {
    const p = new Pseudonyms();
    const q = new Pseudonyms();
    expect(p.text('Alice.Smith@Contoso.com').toLowerCase()).toBe(p.text('alice.smith@contoso.com'));
    expect(p.text('alice')).not.toBe('alice');
    expect(p.text('alice smith')).toBe(`${p.text('alice')} ${p.text('smith')}`);
    // 20 words, all mapped alike by two random keys: one chance in 26^100.
    const words = Array.from({ length: 20 }, (_, i) => `word${i}x`);
    expect(words.map((w) => q.text(w))).not.toEqual(words.map((w) => p.text(w)));
  });

  it('never give two short words one pseudonym (a permutation of the words of each shape)', () => {
    const p = new Pseudonyms();
    // Every word of one letter, of one digit, and of two letters: each set maps onto itself.
    const one = [...'abcdefghijklmnopqrstuvwxyz'];
    const digits = [...'0123456789'];
    const two = one.flatMap((x) => one.map((y) => x + y));
    for (const set of [one, digits, two]) expect(new Set(set.map((w) => p.word(w))).size).toBe(set.length);
    expect(new Set(Array.from({ length: 8 }, (_, i) => p.text(`burst.${i}@example.com`))).size).toBe(8);
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9]{1,10}$/), fc.stringMatching(/^[a-z0-9]{1,10}$/), (x, y) => {
        fc.pre(x !== y);
        expect(p.word(x)).not.toBe(p.word(y));
      }),
      { numRuns: 2000 },
    );
  });

  it('map distinct words apart (no collisions among a thousand names)', () => {
    const p = new Pseudonyms();
    const names = Array.from({ length: 1000 }, (_, i) => `user${i}name`);
    expect(new Set(names.map((n) => p.text(n))).size).toBe(1000);
  });
});

describe('scrubbing a body', () => {
  const p = new Pseudonyms();
  const s = createScrubber(isSecret, p);

  it('keeps structure: schemas, op, type, primary, booleans as strings, meta timestamps, numbers', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'ann@example.com' },
        { op: 'replace', path: 'active', value: 'False' },
        { op: 'add', value: { 'name.givenName': 'Ann', emails: [{ type: 'work', primary: true, value: 'ann@example.com' }] } },
      ],
      meta: { created: '2026-01-01T00:00:00Z', version: 'W/"3"', resourceType: 'User', location: 'https://gw/Users/ann' },
      totalResults: 3,
    };
    const out = s.body(body) as typeof body;
    expect(out.schemas).toEqual(body.schemas);
    expect(out.Operations[0]).toEqual({ op: 'Replace', path: 'emails[type eq "work"].value', value: p.text('ann@example.com') });
    expect(out.Operations[1]?.value).toBe('False');
    expect(out.Operations[2]?.value).toEqual({
      'name.givenName': p.text('Ann'),
      emails: [{ type: 'work', primary: true, value: p.text('ann@example.com') }],
    });
    expect(out.meta).toEqual({ ...body.meta, location: `https://gw/Users/${p.text('ann')}` });
    expect(out.totalResults).toBe(3);
    expect(JSON.stringify(out)).not.toMatch(/ann|example/i);
  });

  it('pseudonymizes compared values in PATCH paths and filters, quoted or not, and keeps type comparisons', () => {
    const out = s.body({ Operations: [{ op: 'remove', path: 'members[value eq "Ann Lee"]' }] }) as {
      Operations: { path: string }[];
    };
    expect(out.Operations[0]?.path).toBe(`members[value eq "${p.text('Ann Lee')}"]`);
    const url = s.url(
      `/Users?filter=${encodeURIComponent('userName eq Ann and emails[type eq "work" and value co "x\\"y"]')}&count=2`,
    );
    expect(decodeURIComponent(url.split('filter=')[1]?.split('&')[0] ?? '')).toBe(
      `userName eq ${p.text('Ann')} and emails[type eq "work" and value co ${JSON.stringify(p.text('x"y'))}]`,
    );
    expect(url.endsWith('&count=2')).toBe(true);
  });

  it('pseudonymizes the id in a resource path, and nothing else of the path', () => {
    expect(s.url('/t1/scim/v2/Users/CN%3DAnn%20Lee%2COU%3DPeople')).toBe(
      `/t1/scim/v2/Users/${encodeURIComponent(p.text('CN=Ann Lee,OU=People'))}`,
    );
    expect(s.url('/Schemas/urn:ietf:params:scim:schemas:core:2.0:User')).toBe(
      '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User',
    );
  });

  it("keeps a Bulk request's bulkId references, and a resource address but for its id", () => {
    const bulk = {
      Operations: [
        { method: 'PATCH', path: '/Users/bulkId:u1', data: { Operations: [{ op: 'add', path: 'title', value: 'Boss' }] } },
        { method: 'POST', path: '/Groups', bulkId: 'g1', data: { members: [{ value: 'bulkId:u1' }] } },
      ],
    };
    expect(s.body(bulk)).toEqual({
      Operations: [
        {
          method: 'PATCH',
          path: '/Users/bulkId:u1',
          data: { Operations: [{ op: 'add', path: 'title', value: p.text('Boss') }] },
        },
        { method: 'POST', path: '/Groups', bulkId: 'g1', data: { members: [{ value: 'bulkId:u1' }] } },
      ],
    });
    const answer = { Operations: [{ location: 'https://gw.example.com/t1/scim/v2/Users/Ann%20Lee', status: '201' }] };
    expect(s.body(answer)).toEqual({
      Operations: [
        { location: `https://gw.example.com/t1/scim/v2/Users/${encodeURIComponent(p.text('Ann Lee'))}`, status: '201' },
      ],
    });
    expect(s.body({ members: [{ $ref: 'https://gw/Groups/Admins?x=1' }] })).toEqual({
      members: [{ $ref: p.text('https://gw/Groups/Admins?x=1') }],
    });
  });

  it('never lets a client JSON key reach the prototype', () => {
    const out = s.body(JSON.parse('{"__proto__":{"polluted":1},"a":{"__proto__":{"x":1}}}')) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});

describe('secrets, every name × every place a client puts one, pseudonyms on and off', () => {
  const names = ['password', 'userPassword', 'clientSecret', 'api_token', 'pin', 'x-api-key', 'urn:acme:2.0:User:password'];
  const places: [string, (n: string, v: string) => { url?: string; body?: unknown }][] = [
    ['a POST body', (n, v) => ({ body: { userName: 'u', [n]: v } })],
    ['an extension', (n, v) => ({ body: { 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { [n]: v } } })],
    ['a nested object', (n, v) => ({ body: { x: [{ y: { [n]: v } }] } })],
    ['a PATCH path', (n, v) => ({ body: { Operations: [{ op: 'replace', path: n, value: v }] } })],
    ['a PATCH path with a value list', (n, v) => ({ body: { Operations: [{ op: 'add', path: n, value: [v] }] } })],
    ['a PATCH without a path', (n, v) => ({ body: { Operations: [{ op: 'replace', value: { [n]: v } }] } })],
    ['Bulk data', (n, v) => ({ body: { Operations: [{ method: 'POST', path: '/Users', data: { [n]: v } }] } })],
    ['a .search filter', (n, v) => ({ body: { filter: `${n} eq "${v}"` } })],
    ['a URL filter', (n, v) => ({ url: `/Users?filter=${encodeURIComponent(`${n} eq "${v}" or ${n} eq ${v}`)}` })],
  ];
  for (const pseudo of [true, false]) {
    const s = createScrubber(isSecret, pseudo ? new Pseudonyms() : undefined);
    for (const [where, make] of places) {
      it(`${where} (pseudonyms ${pseudo ? 'on' : 'off'})`, () => {
        for (const name of names) {
          const secret = `Sup3rSecret${name.length}`;
          const { url, body } = make(name, secret);
          const out = `${url === undefined ? '' : s.url(url)} ${JSON.stringify(s.body(body))}`;
          expect(out, `${name} in ${where}`).not.toContain(secret);
          expect(decodeURIComponent(out), `${name} in ${where}`).toContain(SECRET);
        }
      });
    }
  }
});

describe('scrubbing anything a client may send (property)', () => {
  const secretName = fc.constantFrom('password', 'Password', 'userPassword', 'client_secret', 'apiKey', 'urn:x:2.0:User:pin');
  /** Any JSON with a secret put under a secret-named key somewhere inside. */
  const withSecret = fc
    .tuple(fc.jsonValue({ maxDepth: 4 }), secretName, fc.array(fc.string({ maxLength: 6 }), { maxLength: 4 }))
    .map(([json, name, path]) => {
      const secret = 'S3cr3t-Xq9';
      let body: unknown = { [name]: secret };
      for (const k of path.reverse()) body = k.length % 2 ? [json, body] : { other: json, [k || 'k']: body };
      return { body, secret };
    });

  it('never throws, gives JSON back, and never lets a secret through (pseudonyms on and off)', () => {
    for (const s of [createScrubber(isSecret, new Pseudonyms()), createScrubber(isSecret)]) {
      fc.assert(
        fc.property(withSecret, ({ body, secret }) => {
          const out = JSON.stringify(s.body(body));
          expect(out).not.toContain(secret);
          expect(JSON.parse(out)).toBeDefined();
        }),
      );
      fc.assert(
        fc.property(fc.string(), fc.string(), (path, query) => {
          const url = s.url(`/${path}?${query}`);
          expect(typeof url).toBe('string');
        }),
      );
    }
  });
});
