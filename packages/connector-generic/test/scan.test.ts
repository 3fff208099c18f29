import { describe, expect, it } from 'vitest';
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
