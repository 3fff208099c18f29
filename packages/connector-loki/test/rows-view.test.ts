import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RowTable, type RowsView } from '../src/store/rows.js';

/** The stored forms a view shows, in row order (deleted rows left out). */
const shown = (v: RowsView) => {
  const out: string[] = [];
  for (let r = 0; r < v.length; r++) {
    const s = v.at(r);
    if (s !== undefined) out.push(s);
  }
  return out;
};

const op = fc.oneof(
  fc.record({ k: fc.constant('put' as const), id: fc.integer({ min: 0, max: 30 }), v: fc.integer() }),
  fc.record({ k: fc.constant('del' as const), id: fc.integer({ min: 0, max: 30 }) }),
);

function apply(t: RowTable, o: { k: 'put' | 'del'; id: number; v?: number }): void {
  if (o.k === 'put') t.put({ id: `r${o.id}`, v: o.v });
  else t.delete(`r${o.id}`);
}

describe('RowTable.capture: the rows as they were, whatever is written after', () => {
  it('shows the stored forms of the capture after any puts and deletes (property)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.array(op, { maxLength: 60 }), (before, after) => {
        const t = new RowTable([]);
        for (const o of before) apply(t, o);
        const expected = [...t.storedForms()];
        const view = t.capture();
        for (const o of after) apply(t, o);
        expect(shown(view)).toEqual(expected);
        t.release(view);
        // Released: later writes keep nothing for it.
        const size = view.before.size;
        for (const o of before) apply(t, o);
        expect(view.before.size).toBe(size);
      }),
      { numRuns: 300 },
    );
  });

  it('holds when deletes make the table compact its rows', () => {
    const t = new RowTable([]);
    for (let i = 0; i < 3000; i++) t.put({ id: `r${i}`, n: i });
    const expected = [...t.storedForms()];
    const view = t.capture();
    for (let i = 0; i < 2500; i++) t.delete(`r${i}`);
    for (let i = 2500; i < 2600; i++) t.put({ id: `r${i}`, n: -i });
    for (let i = 0; i < 50; i++) t.put({ id: `new${i}` });
    expect(t.size).toBe(550);
    expect(shown(view)).toEqual(expected);
  });
});
