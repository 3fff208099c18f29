import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fillReplayVars as fillVars, type RecordedExchange, replayFromRecording } from '../src/testkit/index.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Strings the generated requests hold besides ids (an id equal to one would rightly be replaced in it). */
const FIXED = new Set(['someone', 'remove', 'add', 'members', PATCH]);

/** Ids as targets give them: spaces, quotes, `/`, `,`, `=`, escapes, any Unicode. */
const idArb = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom(
        ' ',
        '"',
        '/',
        ',',
        '=',
        '%',
        '+',
        '&',
        '?',
        '#',
        '\\',
        '~',
        ':',
        '{',
        '}',
        'é',
        '日本',
        '😀',
        'CN=',
        'OU=',
      ),
      fc.constantFrom(...'abcxyz019-_.'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    ),
    minLength: 1,
    maxLength: 8,
  })
  // `{{…}}` is the replay's own syntax; `.search` is no id (`/Users/.search` is a search).
  .filter((id) => !id.includes('{{') && !id.includes('}}') && id.toLowerCase() !== '.search' && !FIXED.has(id));

/** An id in a generated request: the k-th id. */
class IdRef {
  constructor(readonly k: number) {}
}
/** A text with ids in it (a URL, a filter, a PATCH path). */
class Text {
  constructor(readonly parts: readonly (string | IdRef)[]) {}
}
const text = (...parts: (string | IdRef)[]) => new Text(parts);

/**
 * A generated request part as recorded (`each` gives an id's text: itself, or URL-encoded in a
 * URL) or as its replay step must have it (`{{name}}`, `{{name:uri}}` in a URL).
 */
function form(v: unknown, each: (ref: IdRef) => string): unknown {
  if (v instanceof IdRef) return each(v);
  if (v instanceof Text) return v.parts.map((p) => (p instanceof IdRef ? each(p) : p)).join('');
  if (Array.isArray(v)) return v.map((x) => form(x, each));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, form(x, each)]));
  return v;
}

/** A generated sequence: creates, and requests naming created ids in every place ids go. */
const sequenceArb = fc.record({
  ids: fc.uniqueArray(idArb, { minLength: 1, maxLength: 5 }),
  events: fc.array(
    fc.record({
      kind: fc.constantFrom('create', 'get', 'patch', 'put', 'filter', 'search', 'delete'),
      a: fc.nat(),
      b: fc.nat(),
      prefix: fc.constantFrom('', '/scim/v2', '/t1/v2'),
    }),
    { maxLength: 14 },
  ),
});

interface Request {
  method: string;
  url: Text;
  status: number;
  body?: unknown;
  response?: unknown;
}

/** The requests of a sequence, and the variable each id gets (by resource type, in order). */
function requests(ids: readonly string[], events: readonly { kind: string; a: number; b: number; prefix: string }[]) {
  const out: Request[] = [];
  const names: string[] = [];
  const counters = { User: 0, Group: 0 };
  for (const e of events) {
    const created = names.length;
    if (e.kind === 'create' && created < ids.length) {
      const type = e.a % 2 === 0 ? 'User' : 'Group';
      names.push(`${type.toLowerCase()}${++counters[type]}`);
      const response = { id: ids[created], meta: { resourceType: type } };
      out.push({ method: 'POST', url: text(`${e.prefix}/${type}s`), status: 201, body: { displayName: 'someone' }, response });
      continue;
    }
    if (created === 0) continue;
    const a = new IdRef(e.a % created);
    const b = new IdRef(e.b % created);
    if (e.kind === 'get')
      out.push({ method: 'GET', url: text(`${e.prefix}/Users/`, a), status: 200, response: { id: ids[a.k] } });
    if (e.kind === 'delete') out.push({ method: 'DELETE', url: text(`${e.prefix}/Groups/`, a), status: 204 });
    if (e.kind === 'patch') {
      const Operations = [
        { op: 'remove', path: text('members[value eq "', b, '"]') },
        { op: 'add', path: 'members', value: [{ value: b }] },
      ];
      out.push({ method: 'PATCH', url: text(`${e.prefix}/Groups/`, a), status: 204, body: { schemas: [PATCH], Operations } });
    }
    if (e.kind === 'put')
      out.push({
        method: 'PUT',
        url: text('/Users/', a),
        status: 200,
        body: { id: a, userName: 'someone', manager: { value: b } },
      });
    if (e.kind === 'filter') {
      const url = text(`${e.prefix}/Users?filter=id%20eq%20%22`, a, '%22%20or%20members%5Bvalue%20eq%20%22', b, '%22%5D&count=5');
      out.push({ method: 'GET', url, status: 200, response: { totalResults: 1, Resources: [{ id: ids[a.k] }] } });
    }
    if (e.kind === 'search')
      out.push({ method: 'POST', url: text('/Groups/.search'), status: 200, body: { filter: text('id eq "', a, '"') } });
  }
  return { requests: out, names };
}

describe('replayFromRecording (properties)', () => {
  it('every id an answer gave becomes its variable wherever a later request names it, and filling gives back the recording', () => {
    fc.assert(
      fc.property(sequenceArb, ({ ids, events }) => {
        const { requests: sent, names } = requests(ids, events);
        const id = (ref: IdRef) => ids[ref.k] as string;
        const exchanges: RecordedExchange[] = sent.map((r, i) => ({
          seq: i + 1,
          at: i * 10,
          ms: 2,
          method: r.method,
          url: form(r.url, (ref) => encodeURIComponent(id(ref))) as string,
          ...(r.body === undefined ? {} : { body: form(r.body, id) }),
          status: r.status,
          ...(r.response === undefined ? {} : { response: r.response }),
        }));
        const replay = replayFromRecording(exchanges);
        const byName = Object.fromEntries(names.map((n, k) => [n, ids[k] as string]));
        expect(replay.unknownIds).toEqual([]);
        replay.steps.forEach((step, i) => {
          const r = sent[i] as Request;
          const x = exchanges[i] as RecordedExchange;
          expect(step.url).toBe(form(r.url, (ref) => `{{${names[ref.k]}:uri}}`));
          expect(step.body).toEqual(form(r.body, (ref) => `{{${names[ref.k]}}}`));
          expect(fillVars(step.url, byName)).toBe(x.url);
          expect(fillVars(step.body, byName)).toEqual(x.body);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('reading any text either succeeds or throws an Error naming a line', () => {
    const exchange = fc
      .record(
        {
          seq: fc.nat(),
          at: fc.double({ noNaN: true, noDefaultInfinity: true }),
          ms: fc.nat(),
          method: fc.constantFrom('GET', 'POST', 'PATCH', ''),
          url: fc.oneof(fc.string(), fc.constantFrom('/Users/x', '/Users?filter=id%20eq%20%22x%22', '/Groups/%E0%A4%A')),
          headers: fc.dictionary(fc.constantFrom('if-match', 'content-type', 'x'), fc.oneof(fc.string(), fc.constant('W/"x"'))),
          status: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.integer()),
          body: fc.jsonValue(),
          response: fc.oneof(
            fc.jsonValue(),
            fc.record({ id: fc.string(), meta: fc.record({ resourceType: fc.jsonValue(), version: fc.constant('W/"x"') }) }),
            fc.record({
              totalResults: fc.jsonValue(),
              Resources: fc.array(fc.record({ id: fc.oneof(fc.string(), fc.constant('x')) })),
            }),
          ),
        },
        { requiredKeys: ['seq', 'at', 'ms', 'method', 'url', 'status'] },
      )
      .map((x) => JSON.stringify(x));
    const header = fc.constantFrom('{"recording":"scimgw/1","started":"now","pseudonymized":false}', '{"recording":1}');
    const line = fc.oneof(exchange, header, fc.json(), fc.string(), fc.string({ unit: 'binary' }), fc.constant(''));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), (lines, eol) => {
        try {
          replayFromRecording(lines.join(eol));
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          expect((e as Error).message).toMatch(/^line \d+: /);
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.array(fc.anything(), { maxLength: 5 }), (entries) => {
        try {
          replayFromRecording(entries as never);
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          expect((e as Error).message).toMatch(/^entry \d+: /);
        }
      }),
    );
  });
});
