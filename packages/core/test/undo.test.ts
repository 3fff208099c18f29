/** UndoLog: one client write of several backend calls, answered as one. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Logger, UndoLog } from '../src/index.js';

function recorder() {
  const warnings: { msg: string; data?: Record<string, unknown> }[] = [];
  const log: Logger = {
    debug() {},
    info() {},
    warn: (msg, data) => warnings.push({ msg, ...(data ? { data } : {}) }),
    error() {},
  };
  return { log, warnings };
}

describe('UndoLog', () => {
  it('undoes the steps done before a failure, newest first, and rethrows the failure; logs only undos that fail', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 8 }),
        fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
        fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }),
        async (steps, failAt, undoFails) => {
          const { log, warnings } = recorder();
          const undo = new UndoLog(log, 'test', { id: 'u1' });
          const state: number[] = [];
          const undone: number[] = [];
          const boom = new Error('step failed');
          const work = async () => {
            for (let i = 0; i < steps; i++) {
              if (i === failAt) throw boom;
              state.push(i);
              undo.push(`step ${i}`, async () => {
                undone.push(i);
                if (undoFails[i]) throw new Error(`undo ${i} failed`);
                state.splice(state.indexOf(i), 1);
              });
            }
            return 'done';
          };
          const failed = failAt !== undefined && failAt < steps;
          if (!failed) {
            await expect(undo.guard(work)).resolves.toBe('done');
            expect(undone).toEqual([]);
            expect(warnings).toEqual([]);
            return;
          }
          await expect(undo.guard(work)).rejects.toBe(boom);
          const done = Array.from({ length: failAt }, (_, i) => i);
          expect(undone).toEqual([...done].reverse());
          expect(state).toEqual(done.filter((i) => undoFails[i]));
          expect(warnings.map((w) => w.data)).toEqual(
            [...done]
              .reverse()
              .filter((i) => undoFails[i])
              .map((i) => ({ id: 'u1', step: `step ${i}`, error: `undo ${i} failed`, cause: 'step failed' })),
          );
          for (const w of warnings) expect(w.msg).toBe('test: a write failed part way and one of its steps could not be undone');
        },
      ),
    );
  });

  it('serves one write: steps recorded for a write that succeeded are not undone by a later failure', async () => {
    const undone: string[] = [];
    const undo = new UndoLog(undefined, 'test');
    await undo.guard(async () => {
      undo.push('first write', async () => void undone.push('first write'));
    });
    await expect(
      undo.guard(async () => {
        throw new Error('second write failed');
      }),
    ).rejects.toThrow('second write failed');
    expect(undone).toEqual([]);
  });
});
