/** walkRefusals: the kit's test that an error answer changed nothing, tested on a backend of k calls. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UndoLog } from '../src/index.js';
import { walkRefusals } from '../src/testkit/index.js';

type Flaw = 'none' | 'no undo' | 'ok despite refusal' | 'retry fails';

/** A backend whose write sets `calls` fields one call each, and a connector over it with a flaw. */
function setup(calls: number, flaw: Flaw) {
  const store = new Map<string, Record<string, number>>();
  let armed = 0;
  let seen = 0;
  let retryBroken = false;
  const backendCall = async (id: string, field: string, value: number) => {
    if (armed) {
      seen++;
      if (seen === armed) throw new Error('refused');
    }
    (store.get(id) as Record<string, number>)[field] = value;
  };
  const write = async (id: string, value: number) => {
    if (retryBroken) return { status: 500 };
    const undo = new UndoLog(undefined, 'test');
    try {
      await undo.guard(async () => {
        for (let i = 0; i < calls; i++) {
          const old = (store.get(id) as Record<string, number>)[`f${i}`] as number;
          await backendCall(id, `f${i}`, value);
          if (flaw !== 'no undo') undo.push(`f${i}`, async () => void ((store.get(id) as Record<string, number>)[`f${i}`] = old));
        }
      });
      return { status: 200 };
    } catch {
      if (flaw === 'retry fails') retryBroken = true;
      return { status: flaw === 'ok despite refusal' ? 200 : 502 };
    }
  };
  return {
    prepare: async (n: number) => {
      const id = `u${n}`;
      store.set(id, Object.fromEntries(Array.from({ length: calls }, (_, i) => [`f${i}`, 0])));
      return id;
    },
    snapshot: (id: string) => store.get(id),
    refuse: (at: number) => {
      armed = at;
      seen = 0;
    },
    disarm: () => {
      armed = 0;
      return seen;
    },
    send: (id: string) => write(id, 1),
  };
}

describe('walkRefusals', () => {
  it('passes a connector that undoes, counting its calls; fails one with each flaw, saying which', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom<Flaw>('none', 'no undo', 'ok despite refusal', 'retry fails'),
        async (calls, flaw) => {
          const run = walkRefusals({ ...setup(calls, flaw), status: 502 });
          if (flaw === 'none') {
            await expect(run).resolves.toEqual({ refused: calls, calls });
            return;
          }
          const message = {
            'no undo': /changed the backend/,
            'ok despite refusal': /call #1 refused: 200/,
            'retry fails': /the same request sent again: 500/,
          }[flaw];
          // Without an undo, a refusal of the first call changes nothing: the flaw shows from two calls on.
          if (flaw === 'no undo' && calls === 1) await expect(run).resolves.toEqual({ refused: 1, calls: 1 });
          else await expect(run).rejects.toThrow(message);
        },
      ),
    );
  });

  it('gives up on a write that takes more calls than maxCalls', async () => {
    await expect(walkRefusals({ ...setup(5, 'none'), maxCalls: 3 })).rejects.toThrow('more than 3 calls');
  });
});
