/**
 * Values are data: XML specials, CDATA terminators, entity tricks, template-looking text and very
 * long values go through every mapped attribute of both example services and come back unchanged.
 * Values XML 1.0 can't carry are refused with 400, never altered.
 */
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstNonXmlChar } from '../src/index.js';
import { connectorFor, type Example, type ExampleServer, exampleEndpoint, startExampleServer } from './helpers.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** The corpus: each a value some layer could mistake for markup or syntax. */
export const NASTY: string[] = [
  `a&b<c>"d'e`,
  ']]>',
  'x]]>y',
  '<![CDATA[x]]>',
  '<![CDATA[x]]><evil/><![CDATA[y]]>',
  '<![CDATA[]]>',
  '<![CDATA[',
  '&amp;',
  '&lt;script&gt;',
  '&#x41;&#65;',
  '&#0;',
  '&xxe;',
  '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>',
  '<!ENTITY a "b">',
  '%param;',
  '<?xml version="1.0"?><x/>',
  '<![CDATA[<?xml version="1.0"?><!DOCTYPE y><y/>]]>',
  '<x>text</x>',
  '</userName><password>stolen</password><userName>',
  "' OR '1'='1",
  '\r\n\t',
  '\r',
  '  lead and trail  ',
  ' ',
  '𝄞😀 é ß Ω',
  'مرحبا',
  '\u2028\u2029\u0085',
  '$record',
  '$$id',
  '{{user}}',
  '__proto__',
  'constructor',
  'null',
  'true',
  '0042',
  '-1e309',
  'x'.repeat(100_000),
  '<&>"\''.repeat(10_000),
  ']]>'.repeat(30_000),
];

/** Every string attribute each example maps, as a SCIM body fragment and a reader. */
interface Attr {
  name: string;
  set(body: Record<string, any>, v: string): void;
  get(res: Record<string, any>): unknown;
}

const attr = (name: string, set: Attr['set'], get: Attr['get']): Attr => ({ name, set, get });
const nameSub = (sub: string) =>
  attr(
    `name.${sub}`,
    (b, v) => {
      b.name = { ...(b.name ?? {}), [sub]: v };
    },
    (r) => r.name?.[sub],
  );
const typed = (list: 'emails' | 'phoneNumbers', type: string) =>
  attr(
    `${list}[type eq "${type}"]`,
    (b, v) => {
      b[list] = [...(b[list] ?? []), { type, value: v }];
    },
    (r) => (r[list] as { type: string; value: string }[] | undefined)?.find((e) => e.type === type)?.value,
  );
const ent = (sub: string) =>
  attr(
    `${ENT}:${sub}`,
    (b, v) => {
      b[ENT] = { ...(b[ENT] ?? {}), ...(sub === 'manager' ? { manager: { value: v } } : { [sub]: v }) };
    },
    (r) => (sub === 'manager' ? r[ENT]?.manager?.value : r[ENT]?.[sub]),
  );
const top = (name: string) =>
  attr(
    name,
    (b, v) => {
      b[name] = v;
    },
    (r) => r[name],
  );

const ATTRS: Record<Example, Attr[]> = {
  document: [
    top('externalId'),
    nameSub('givenName'),
    nameSub('familyName'),
    nameSub('formatted'),
    top('displayName'),
    top('nickName'),
    top('title'),
    top('locale'),
    typed('emails', 'work'),
    typed('emails', 'home'),
    typed('phoneNumbers', 'work'),
    ent('department'),
    ent('employeeNumber'),
    ent('manager'),
  ],
  rpc: [
    top('externalId'),
    nameSub('givenName'),
    nameSub('familyName'),
    nameSub('formatted'),
    top('displayName'),
    top('title'),
    typed('emails', 'work'),
    typed('phoneNumbers', 'work'),
    ent('department'),
    ent('employeeNumber'),
    ent('manager'),
  ],
};

let server: ExampleServer;
beforeAll(async () => {
  server = await startExampleServer({ port: 0 });
});
afterAll(async () => {
  await server?.close();
});

const enc = encodeURIComponent;
let serial = 0;

/** Creates a user whose every attribute (userName included, with a unique tail) holds `v`, and checks it everywhere. */
async function roundTrip(h: ScimHandler, which: Example, v: string): Promise<void> {
  const userName = `${v}#${++serial}`;
  const body: Record<string, any> = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName };
  for (const a of ATTRS[which]) a.set(body, v);
  const created = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify(body) });
  expect(created.status, JSON.stringify(created.body).slice(0, 300)).toBe(201);
  const id = (created.body as { id: string }).id;
  const check = (res: Record<string, any>, how: string) => {
    expect(res.userName, `userName via ${how}`).toBe(userName);
    for (const a of ATTRS[which]) expect(a.get(res), `${a.name} via ${how}`).toBe(v);
  };
  check(created.body as Record<string, any>, 'POST');
  const got = await h.handle({ method: 'GET', url: `/Users/${enc(id)}` });
  check(got.body as Record<string, any>, 'GET');
  // Found by the value itself (the search operation where there is one, the list otherwise);
  // filters are limited to 64K characters, so a longer value is found by id.
  const filter = userName.length < 60_000 ? `userName eq ${JSON.stringify(userName)}` : `id eq ${JSON.stringify(id)}`;
  const found = await h.handle({ method: 'GET', url: `/Users?filter=${enc(filter)}` });
  expect((found.body as { totalResults: number }).totalResults, `filter on ${JSON.stringify(userName.slice(0, 40))}`).toBe(1);
  check((found.body as { Resources: Record<string, any>[] }).Resources[0] as Record<string, any>, 'filter');
  // Changed through PATCH, then through PUT.
  const patched = await h.handle({
    method: 'PATCH',
    url: `/Users/${enc(id)}`,
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'replace', path: 'title', value: `${v}!` },
        { op: 'replace', path: 'name.familyName', value: [...v].reverse().join('') },
      ],
    }),
  });
  expect(patched.status).toBe(200);
  expect((patched.body as { title: string }).title).toBe(`${v}!`);
  expect((patched.body as { name: { familyName: string } }).name.familyName).toBe([...v].reverse().join(''));
  const put = await h.handle({
    method: 'PUT',
    url: `/Users/${enc(id)}`,
    body: JSON.stringify({ ...body, displayName: `!${v}` }),
  });
  expect(put.status).toBe(200);
  const after = (await h.handle({ method: 'GET', url: `/Users/${enc(id)}` })).body as Record<string, any>;
  expect(after.displayName).toBe(`!${v}`);
  expect(after.name.givenName).toBe(v);
  expect((await h.handle({ method: 'DELETE', url: `/Users/${enc(id)}` })).status).toBe(204);
}

/** Strings built from the pieces that break XML writers and readers, with any text between. */
const tricky = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '<',
        '>',
        '&',
        '"',
        "'",
        ']]>',
        '<![CDATA[',
        '&amp;',
        '&#x26;',
        '&e;',
        '<!DOCTYPE',
        '<!ENTITY',
        '%p;',
        '<?xml ?>',
        '\r',
        '\n',
        '\t',
        ' ',
        '$id',
        '😀',
        'é',
      ),
      fc.string({ unit: 'grapheme', maxLength: 8 }),
    ),
    { minLength: 1, maxLength: 12 },
  )
  .map((parts) => parts.join(''))
  .filter((s) => firstNonXmlChar(s) === undefined && s.trim() !== '');

for (const which of ['document', 'rpc'] as Example[]) {
  describe(`values round-trip unchanged through the ${which} service`, () => {
    let h: ScimHandler;
    let close: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      const { connector } = await connectorFor(exampleEndpoint(which, server.origin));
      h = createScimHandler({ connector });
      close = () => connector.close?.() ?? Promise.resolve();
    });
    afterAll(async () => {
      await close?.();
    });

    for (const v of NASTY) {
      it(`${JSON.stringify(v.length > 60 ? `${v.slice(0, 40)}… (${v.length} chars)` : v)}`, () => roundTrip(h, which, v), 60_000);
    }

    it('generated values (fast-check)', async () => {
      await fc.assert(
        fc.asyncProperty(tricky, (v) => roundTrip(h, which, v)),
        { numRuns: 40 },
      );
    }, 120_000);

    it('values XML 1.0 cannot carry are refused with 400, in any attribute', async () => {
      for (const bad of ['\u0000', 'a\u0001b', '\u000b', '\ufffe', '\ud800', 'x\udc00y']) {
        for (const a of ATTRS[which]) {
          const body: Record<string, any> = { userName: `bad-${++serial}` };
          a.set(body, bad);
          const res = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify(body) });
          expect(res.status, `${a.name} = ${JSON.stringify(bad)}: ${JSON.stringify(res.body)}`).toBe(400);
          expect((res.body as { scimType?: string }).scimType).toBe('invalidValue');
        }
      }
    });
  });
}
