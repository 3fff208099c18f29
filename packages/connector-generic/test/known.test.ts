import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Known, KnownById } from '../src/known.js';
import { listRanges, loneObject, objectAt, type ObjectRange } from '../src/scan.js';
import { pageText, pagesOver, recordPool, recordText } from './json-pages.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');
const text = (b: Buffer, from: number, to: number) => b.subarray(from, to).toString('utf8');

/**
 * Known objects as KeptResources keeps them: the bytes of a scanned object JSON.parse read as a
 * record whose id is the one scanned, with that record as the value.
 */
class Store {
  readonly byKey = new Map<string, Known<unknown>>();
  lookups = 0;

  readonly byId: KnownById<unknown> = (b, idStart, idEnd) => {
    this.lookups++;
    return this.byKey.get(b.toString('utf8', idStart, idEnd));
  };

  /** Learns the objects of `b` the scan did not know. */
  learn(b: Buffer, elements: ObjectRange<unknown>[]): void {
    for (const e of elements) {
      if (e.known || e.idStart < 0) continue;
      let value: unknown;
      try {
        value = JSON.parse(text(b, e.start, e.end));
      } catch {
        continue;
      }
      const id = text(b, e.idStart, e.idEnd);
      if ((value as { id?: unknown }).id !== id) continue;
      const old = this.byKey.get(id);
      if (old) {
        // Forgotten, as KeptResources does.
        old.bytes = undefined;
        old.value = undefined;
      }
      this.byKey.set(id, { bytes: Buffer.from(b.subarray(e.start, e.end)), value, next: undefined });
    }
  }
}

/** What the scan says each element is: the known value, else its bytes parsed. */
const valuesOf = (b: Buffer, elements: ObjectRange<unknown>[]) =>
  elements.map((e) => (e.known ? e.value : JSON.parse(text(b, e.start, e.end))));

describe('known objects in a list', () => {
  const store = (entries: Record<string, string>) => {
    const s = new Store();
    for (const [id, t] of Object.entries(entries)) s.byKey.set(id, { bytes: bytes(t), value: JSON.parse(t), next: undefined });
    return s;
  };

  it('takes an object whose bytes are known without scanning it, and scans the others', () => {
    const s = store({ a: '{"id":"a","v":1}' });
    const b = bytes(pageText(['{"id":"a","v":1}', '{"id":"a","v":2}', '{"id":"b"}']));
    const r = listRanges(b, s.byId);
    expect(r?.elements.map((e) => e.known)).toEqual([true, false, false]);
    expect(r?.elements[0]?.end).toBe(objectAt(b, r?.elements[0]?.start ?? 0)?.end);
    expect(valuesOf(b, r?.elements ?? [])).toEqual(JSON.parse(b.toString()).Resources);
  });

  it('finds the object that followed last time without looking its id up', () => {
    const s = store({ a: '{"id":"a"}', b: '{"id":"b"}', c: '{"id":"c"}' });
    const b = bytes(pageText(['{"id":"a"}', '{"id":"b"}', '{"id":"c"}']));
    listRanges(b, s.byId);
    expect(s.lookups).toBe(3);
    const again = listRanges(b, s.byId);
    expect(s.lookups).toBe(4); // only the first: b and c follow the ones before them
    expect(again?.elements.every((e) => e.known)).toBe(true);
  });

  it('never takes a wrong guess: an id found in a nested object, a later record, or cut at an escape', () => {
    const s = store({ a: '{"id":"a"}', b: '{"id":"b"}', 'a\\': '{"id":"a\\\\"}' });
    for (const records of [
      ['{"x":{"id":"a"}}', '{"id":"a"}'], // no id of its own: the guess is the next record's
      ['{"name":{"id":"b"},"id":"a"}'], // a nested id before its own
      ['{"id":"a\\"b"}'], // cut at the escaped quote: "a\"
      ['{"i\\u0064":"b"}', '{"id":"b"}'], // its own id written with an escape
      ['{"id" : "a" }'], // the same record in other bytes
      ['{"id":"a","id":"b"}'], // twice: JSON.parse keeps "b"
    ]) {
      const b = bytes(pageText(records));
      const r = listRanges(b, s.byId);
      expect(valuesOf(b, r?.elements ?? []), records.join()).toEqual(JSON.parse(b.toString()).Resources);
      const knownOnes = r?.elements.filter((e) => e.known).map((e) => text(b, e.start, e.end));
      expect(knownOnes, records.join()).toEqual(records.filter((t) => t === '{"id":"a"}' || t === '{"id":"b"}'));
    }
  });

  it('does not take known bytes that run past the answer or that another record only starts with', () => {
    const s = store({ a: '{"id":"a","v":1}' });
    expect(listRanges(bytes('{"Resources":[{"id":"a","v":1'), s.byId)).toBeUndefined();
    // The answer's bytes go on after the known ones inside the element: no list JSON.parse would read.
    for (const t of [
      '{"Resources":[{"id":"a","v":1}"x"]}',
      '{"Resources":[{"id":"a","v":1}}]}',
      '{"Resources":[{"id":"a","v":1}{}]}',
    ]) {
      expect(() => JSON.parse(t)).toThrow();
      expect(listRanges(bytes(t), s.byId), t).toBeUndefined();
    }
    const b = bytes(pageText(['{"id":"a","v":1,"w":2}']));
    expect(listRanges(b, s.byId)?.elements[0]?.known).toBe(false);
    // Known bytes followed by more than white space: the read by id is not one object.
    expect(loneObject(bytes('{"id":"a","v":1} {}'), s.byId)).toBeUndefined();
    expect(loneObject(bytes(' {"id":"a","v":1}\n'), s.byId)?.value).toEqual({ id: 'a', v: 1 });
  });

  it('stops matching a known object once it is forgotten, even where it followed another', () => {
    const s = store({ a: '{"id":"a"}', b: '{"id":"b"}' });
    const b = bytes(pageText(['{"id":"a"}', '{"id":"b"}']));
    listRanges(b, s.byId);
    const kb = s.byKey.get('b') as Known<unknown>;
    kb.bytes = undefined;
    s.byKey.delete('b');
    expect(listRanges(b, s.byId)?.elements.map((e) => e.known)).toEqual([true, false]);
  });
});

describe('known objects against JSON.parse (property)', () => {
  it('pages of kept, changed and hostile records read exactly as JSON.parse of the whole answer', () => {
    fc.assert(
      fc.property(
        recordPool.chain((pool) => fc.tuple(fc.constant(pool), pagesOver(pool.length))),
        fc.nat(),
        ([pool, pages], cutAt) => {
          const s = new Store();
          for (const [indexes, w] of pages) {
            const b = bytes(
              pageText(
                indexes.map((i) => pool[i] as string),
                w,
              ),
            );
            const whole = JSON.parse(b.toString('utf8'));
            const r = listRanges(b, s.byId);
            expect(r).toBeDefined();
            if (r === undefined) return;
            expect(valuesOf(b, r.elements)).toEqual(whole.Resources);
            for (const e of r.elements) {
              // A known object ends where the scan would have ended it.
              if (e.known) expect(e.end).toBe(objectAt(b, e.start)?.end);
            }
            const around = JSON.parse(`${text(b, 0, r.open)}[]${text(b, r.close, b.length)}`);
            expect({ ...around, Resources: whole.Resources }).toEqual(whole);
            s.learn(b, r.elements);
            // The same answer cut short anywhere in its list (known objects too) is no list.
            const cut = b.subarray(0, r.open + (cutAt % (b.length - r.open)));
            expect(listRanges(cut, s.byId)).toBeUndefined();
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a read by id is the known object or its bytes parsed, exactly as JSON.parse', () => {
    fc.assert(
      fc.property(
        recordPool.chain((pool) => fc.tuple(fc.constant(pool), fc.array(fc.nat(pool.length - 1), { minLength: 2 }))),
        ([pool, reads]) => {
          const s = new Store();
          for (const i of reads) {
            const b = bytes(pool[i] as string);
            const r = loneObject(b, s.byId);
            expect(r).toBeDefined();
            if (r === undefined) return;
            expect(valuesOf(b, [r])[0]).toEqual(JSON.parse(b.toString('utf8')));
            s.learn(b, [r]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary bytes with known objects, and its ranges lie inside them', () => {
    const s = new Store();
    s.learn(bytes('{"id":"a"}'), [{ start: 0, end: 10, idStart: 7, idEnd: 8, known: false, value: undefined }]);
    fc.assert(
      fc.property(
        fc.oneof(
          recordText.map((t) => `{"Resources":[${t},{"id":"a"}`),
          fc.string(),
        ),
        fc.nat(3),
        (t, cut) => {
          const b = bytes(t).subarray(0, Math.max(0, Buffer.byteLength(t) - cut));
          const l = listRanges(b, s.byId);
          if (l) for (const e of l.elements) expect(e.start >= 0 && e.end <= b.length && e.start < e.end).toBe(true);
          const o = loneObject(b, s.byId);
          if (o) expect(o.end <= b.length).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
