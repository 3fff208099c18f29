import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { listRanges, loneObject } from '../src/scan.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');
const text = (b: Buffer, from: number, to: number) => b.subarray(from, to).toString('utf8');

describe('loneObject', () => {
  it('finds the object and its id', () => {
    const b = bytes(' {"schemas":["x"],"id":"u-1","name":{"id":"inner"},"s":"a}\\"{"} \n');
    const r = loneObject(b);
    expect(r).toBeDefined();
    expect(JSON.parse(text(b, r?.start ?? 0, r?.end ?? 0))).toEqual(JSON.parse(b.toString()));
    expect(text(b, r?.idStart ?? 0, r?.idEnd ?? 0)).toBe('u-1');
  });

  it('has no id for an id with escapes, not a string, or only nested', () => {
    for (const s of ['{"id":"a\\u0062"}', '{"id":7}', '{"x":{"id":"n"}}', '{"x":"id","y":"z"}', '{"ids":"n"}']) {
      expect(loneObject(bytes(s))?.idStart, s).toBe(-1);
    }
  });

  it('gives up on what is not one object', () => {
    for (const s of ['', '[]', '"x"', '{"a":1} x', '{"a":"1}', '\ufeff{"id":"u"}', '{"a":{"b":1}']) {
      expect(loneObject(bytes(s)), s).toBeUndefined();
    }
  });
});

describe('listRanges', () => {
  const page = {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
    totalResults: 3,
    Resources: [{ id: 'a', x: '[{"' }, { id: 'b', n: [1, { id: 'z' }] }, { name: 'no id' }],
    startIndex: 1,
  };

  it('finds every element and what is around them', () => {
    const b = bytes(JSON.stringify(page, null, 1));
    const r = listRanges(b);
    expect(r?.elements.map((e) => JSON.parse(text(b, e.start, e.end)))).toEqual(page.Resources);
    expect(r?.elements.map((e) => (e.idStart < 0 ? undefined : text(b, e.idStart, e.idEnd)))).toEqual(['a', 'b', undefined]);
    const around = JSON.parse(`${text(b, 0, r?.open ?? 0)}[]${text(b, r?.close ?? 0, b.length)}`);
    expect(around).toEqual({ ...page, Resources: [] });
  });

  it('reads an empty list', () => {
    const r = listRanges(bytes('{"totalResults":0,"Resources":[ ]}'));
    expect(r?.elements).toEqual([]);
  });

  it('gives up where JSON.parse could read Resources differently', () => {
    for (const s of [
      '{"Resources":[{"id":"a"}],"Resources":[]}', // twice: JSON.parse keeps the last
      '{"Re\\u0073ources":[{"id":"a"}]}', // escaped key
      '{"Resources":[1,2]}', // elements that are no objects
      '{"Resources":{"id":"a"}}',
      '{"Resources":[{"id":"a"},]}',
      '{"Resources":[{"id":"a"}] x}',
      '{"totalResults":1}', // no list
      '[{"Resources":[]}]',
      '{"Resources":[{"id":"a"}]} trailing',
    ]) {
      expect(listRanges(bytes(s)), s).toBeUndefined();
    }
  });
});

describe('scan against JSON.parse (property)', () => {
  /** JSON text of `v` with random white space between tokens, as targets format their answers. */
  const spaced = (v: unknown, ws: string[]): string => {
    let k = 0;
    const sp = () => ws[k++ % ws.length] ?? '';
    const out = (x: unknown): string => {
      if (Array.isArray(x)) return `[${sp()}${x.map((e) => `${sp()}${out(e)}${sp()}`).join(',')}${sp()}]`;
      if (x !== null && typeof x === 'object')
        return `{${sp()}${Object.entries(x)
          .map(([key, e]) => `${sp()}${JSON.stringify(key)}${sp()}:${sp()}${out(e)}${sp()}`)
          .join(',')}${sp()}}`;
      return JSON.stringify(x) ?? 'null';
    };
    return out(v);
  };
  const ws = fc.array(fc.constantFrom('', ' ', '\n', '\t', '\r\n  '), { minLength: 1, maxLength: 8 });
  const resource = fc.record(
    {
      id: fc.oneof(fc.string(), fc.constantFrom('a"b', 'x\\y', '}]{[', '\u2028')),
      userName: fc.string(),
      nested: fc.jsonValue({ maxDepth: 3 }),
    },
    { requiredKeys: [] },
  );
  const page = fc.record({
    schemas: fc.constant(['urn:ietf:params:scim:api:messages:2.0:ListResponse']),
    totalResults: fc.nat(),
    Resources: fc.array(resource, { maxLength: 5 }),
    extra: fc.jsonValue({ maxDepth: 2 }),
  });

  it('a list: elements and what is around them are exactly what JSON.parse reads', () => {
    fc.assert(
      fc.property(page, ws, (p, w) => {
        const b = bytes(spaced(p, w));
        const whole = JSON.parse(b.toString('utf8'));
        const r = listRanges(b);
        // A well-formed page (objects in Resources, the key written plainly and once) is never given up.
        expect(r).toBeDefined();
        if (r === undefined) return;
        const elements = r.elements.map((e) => JSON.parse(text(b, e.start, e.end)));
        expect(elements).toEqual(whole.Resources);
        const around = JSON.parse(`${text(b, 0, r.open)}[]${text(b, r.close, b.length)}`);
        expect({ ...around, Resources: elements }).toEqual(whole);
        for (let i = 0; i < r.elements.length; i++) {
          const e = r.elements[i] as { idStart: number; idEnd: number };
          // An id found is the element's id (escaped ids are never taken from the bytes).
          if (e.idStart >= 0) expect(text(b, e.idStart, e.idEnd)).toBe(whole.Resources[i].id);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a lone object: the range is the whole value and its id is JSON.parse’s', () => {
    fc.assert(
      fc.property(resource, ws, (res, w) => {
        const b = bytes(spaced(res, w));
        const r = loneObject(b);
        expect(r).toBeDefined();
        expect(JSON.parse(text(b, r?.start ?? 0, r?.end ?? 0))).toEqual(JSON.parse(b.toString('utf8')));
        if ((r?.idStart ?? -1) >= 0) expect(text(b, r?.idStart ?? 0, r?.idEnd ?? 0)).toBe(res.id);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary bytes, and any range it gives lies inside them', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.string().map((s) => new Uint8Array(bytes(s))),
        ),
        (b) => {
          const l = listRanges(b);
          if (l) for (const e of l.elements) expect(e.start >= 0 && e.end <= b.length && e.start < e.end).toBe(true);
          const o = loneObject(b);
          if (o) expect(o.end <= b.length).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
