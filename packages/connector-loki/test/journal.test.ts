import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal, type JournalRecord, serializeRecords } from '../src/store/journal.js';

const dir = mkdtempSync(join(tmpdir(), 'loki-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `j${++n}.journal`);

const put = (id: string, extra: Record<string, unknown> = {}): JournalRecord => ({
  k: 'put',
  c: 'users',
  doc: { id, ...extra },
});
const line = (r: JournalRecord) => `${JSON.stringify(r)}\n`;

/** Opens a journal the way the store does: read it, then write after its last whole record. */
function reopen(path: string, preallocate?: number): { journal: Journal; records: JournalRecord[] } {
  const { records, end } = Journal.read(path);
  return { journal: new Journal(path, end, preallocate === undefined ? {} : { preallocate }), records };
}

/** Writes raw bytes at an offset, as a crash could have left them. */
function pwrite(path: string, at: number, bytes: Buffer | string): void {
  const fd = openSync(path, 'r+');
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  writeSync(fd, b, 0, b.length, at);
  closeSync(fd);
}

describe('Journal: a zero-filled file ahead of the records', () => {
  it('grows by whole chunks of zeros; the records read back end where the zeros start', async () => {
    const path = freshPath();
    const { journal } = reopen(path, 64 * 1024);
    await journal.append(serializeRecords([put('a'), put('b')]));
    await journal.append(serializeRecords([{ k: 'del', c: 'users', id: 'a' }]));
    const text = [put('a'), put('b'), { k: 'del', c: 'users', id: 'a' } as JournalRecord].map(line).join('');
    expect(statSync(path).size).toBe(64 * 1024);
    expect(journal.size).toBe(Buffer.byteLength(text));
    const bytes = readFileSync(path);
    expect(bytes.subarray(0, journal.size).toString('utf8')).toBe(text);
    expect(bytes.subarray(journal.size).every((b) => b === 0)).toBe(true);
    const read = Journal.read(path);
    expect(read.records).toEqual([put('a'), put('b'), { k: 'del', c: 'users', id: 'a' }]);
    expect(read.end).toBe(journal.size);
    await journal.close();
  });

  it('a batch larger than a chunk is appended whole; preallocate 0 appends every batch', async () => {
    const path = freshPath();
    const { journal } = reopen(path, 1024);
    const big = put('big', { note: 'x'.repeat(5000) });
    await journal.append(serializeRecords([big]));
    expect(statSync(path).size).toBe(journal.size);
    await journal.append(serializeRecords([put('small')]));
    expect(statSync(path).size).toBe(journal.size - line(put('small')).length + 1024);
    expect(Journal.read(path).records).toEqual([big, put('small')]);
    await journal.close();

    const plain = freshPath();
    const j2 = reopen(plain, 0).journal;
    await j2.append(serializeRecords([put('p')]));
    expect(statSync(plain).size).toBe(line(put('p')).length);
    await j2.close();
  });

  it('emptying after a snapshot gives the space back, and the next batch grows the file again', async () => {
    const path = freshPath();
    const { journal } = reopen(path, 4096);
    await journal.append(serializeRecords([put('a')]));
    await journal.drain();
    journal.truncateSync();
    expect(statSync(path).size).toBe(0);
    await journal.append(serializeRecords([put('b')]));
    expect(statSync(path).size).toBe(4096);
    expect(Journal.read(path).records).toEqual([put('b')]);
    await journal.close();
  });
});

describe('Journal: what a crash leaves behind', () => {
  for (const preallocate of [0, 4096]) {
    it(`a torn last batch is cut off at open, so the next record does not follow half a line (preallocate ${preallocate})`, async () => {
      const path = freshPath();
      // The only content is a batch torn mid-line: read finds no record, and before the fix the
      // next append followed the torn bytes, leaving a corrupt line that failed the next start.
      writeFileSync(path, '{"k":"put","c":"users","doc":{"id":"to');
      const first = reopen(path, preallocate);
      expect(first.records).toEqual([]);
      await first.journal.append(serializeRecords([put('after')]));
      // No clean close: a second open reads what is on disk.
      const second = reopen(path, preallocate);
      expect(second.records).toEqual([put('after')]);
      await first.journal.close();
      await second.journal.close();
    });
  }

  it('bytes past a run of zeros (a batch whose first page never reached the disk) never come back', async () => {
    const path = freshPath();
    const { journal } = reopen(path, 4096);
    await journal.append(serializeRecords([put('kept')]));
    const end = journal.size;
    await journal.close();
    // The ghost looks like a whole record, 100 bytes past the end of the acknowledged ones.
    pwrite(path, end + 100, line({ k: 'del', c: 'users', id: 'kept' }));
    const again = reopen(path, 4096);
    expect(again.records).toEqual([put('kept')]);
    // Records written after the restart run past where the ghost was, and must not pick it up.
    for (let i = 0; i < 10; i++) await again.journal.append(serializeRecords([put(`n${i}`)]));
    expect(again.journal.size).toBeGreaterThan(end + 100 + 40);
    expect(Journal.read(path).records).toEqual([put('kept'), ...Array.from({ length: 10 }, (_, i) => put(`n${i}`))]);
    await again.journal.close();
  });

  it('a complete line that is not valid JSON still fails loudly, naming the line', () => {
    const path = freshPath();
    writeFileSync(path, `${line(put('a'))}{not json}\n${line(put('b'))}`);
    expect(() => Journal.read(path)).toThrow(/Corrupt journal .* at line 2/);
  });
});

// Records with text that stresses the format: newlines, quotes, NUL and other control characters,
// and non-ASCII (multi-byte UTF-8 never contains a 0x00 or 0x0a byte).
const text = fc.string({ unit: fc.constantFrom('a', 'é', '\n', '\u0000', '"', '\\', '😀', ' ', '\t'), maxLength: 12 });
const record: fc.Arbitrary<JournalRecord> = fc.oneof(
  fc.record({ k: fc.constant('put' as const), c: fc.constant('users'), doc: fc.record({ id: text, title: text }) }),
  fc.record({ k: fc.constant('del' as const), c: fc.constant('groups'), id: text }),
  fc.record({ k: fc.constant('mdel' as const), g: text, v: fc.array(text, { maxLength: 3 }) }),
);
type Step =
  | { t: 'append'; batch: JournalRecord[] }
  | { t: 'crash'; torn: JournalRecord[]; cut: number; ghostGap: number }
  | { t: 'compact' };
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ t: fc.constant('append' as const), batch: fc.array(record, { minLength: 1, maxLength: 4 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('crash' as const),
      torn: fc.array(record, { minLength: 1, maxLength: 3 }),
      cut: fc.nat(),
      ghostGap: fc.nat({ max: 300 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('compact' as const) }) },
);

describe('Journal: read after any mix of batches, crashes and compactions (property)', () => {
  it('gives back every acknowledged record in order, and nothing that was never written whole', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 12 }), fc.constantFrom(0, 256, 4096), async (steps, preallocate) => {
        const path = freshPath();
        let { journal } = reopen(path, preallocate);
        const open: Journal[] = [journal];
        let expected: JournalRecord[] = [];
        for (const s of steps) {
          if (s.t === 'append') {
            await journal.append(serializeRecords(s.batch));
            expected = expected.concat(s.batch);
          } else if (s.t === 'compact') {
            await journal.drain();
            journal.truncateSync();
            expected = [];
          } else {
            // A crash mid-batch: part of a batch at the end of the records, and (when its first
            // page was lost) a whole-looking record further on, after a gap of zeros.
            const bytes = Buffer.from(s.torn.map(line).join(''));
            const cut = s.cut % (bytes.length + 1);
            const at = journal.size;
            if (s.ghostGap > 0) pwrite(path, at + cut + s.ghostGap, line(put('ghost')));
            pwrite(path, at, bytes.subarray(0, cut));
            // Lines of the torn batch that made it whole are read back (the client never heard
            // back either way); a partial line is not.
            const whole = bytes.subarray(0, cut).toString('utf8').split('\n').length - 1;
            expected = expected.concat(s.torn.slice(0, whole));
            ({ journal } = reopen(path, preallocate));
            open.push(journal);
          }
        }
        const read = Journal.read(path).records;
        for (const j of open) await j.close();
        expect(read).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });
});

describe('Journal: onSync', () => {
  it('reports each durable batch with its bytes, once per batch, and never a failed one', async () => {
    const path = freshPath();
    const { end } = Journal.read(path);
    const syncs: { seconds: number; bytes: number }[] = [];
    const journal = new Journal(path, end, { onSync: (seconds, bytes) => syncs.push({ seconds, bytes }) });
    const first = serializeRecords([put('a')]);
    await journal.append(first);
    // Two appends in one tick go out as one batch.
    const second = serializeRecords([put('b')]);
    const third = serializeRecords([put('c')]);
    await Promise.all([journal.append(second), journal.append(third)]);
    expect(syncs.map((s) => s.bytes)).toEqual([Buffer.byteLength(first), Buffer.byteLength(second + third)]);
    for (const s of syncs) expect(s.seconds).toBeGreaterThanOrEqual(0);
    await journal.close();
  });

  it('a throwing reporter does not fail the write', async () => {
    const path = freshPath();
    const journal = new Journal(path, 0, {
      onSync: () => {
        throw new Error('metrics broke');
      },
    });
    await journal.append(serializeRecords([put('a')]));
    expect(Journal.read(path).records).toEqual([put('a')]);
    await journal.close();
  });
});

describe('Journal: batches of multi-byte text', () => {
  it('appends made in one tick share a batch; its length in bytes, not characters, places the next one (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(record, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.array(record, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(0, 64, 4096),
        async (wave1, wave2, preallocate) => {
          const path = freshPath();
          const batches: number[] = [];
          const journal = new Journal(path, 0, { preallocate, onSync: (_s, bytes) => batches.push(bytes) });
          await Promise.all(wave1.map((b) => journal.append(serializeRecords(b))));
          await Promise.all(wave2.map((b) => journal.append(serializeRecords(b))));
          const all = [...wave1, ...wave2].flat();
          const text = all.map(line).join('');
          expect(journal.size).toBe(Buffer.byteLength(text));
          expect(batches).toEqual([wave1, wave2].map((w) => Buffer.byteLength(w.flat().map(line).join(''))));
          expect(readFileSync(path).subarray(0, journal.size).toString('utf8')).toBe(text);
          await journal.close();
          expect(Journal.read(path)).toEqual({ records: all, end: Buffer.byteLength(text) });
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('Journal: large batches', () => {
  it('a batch too large for the shared encoding buffer is written whole too, and the next batch follows it exactly', async () => {
    const path = freshPath();
    const { journal } = reopen(path, 4096);
    // 30,000 two-byte characters (90,000 bytes at worst): past the shared buffer, encoded on its own.
    const big = put('big', { note: 'é'.repeat(30_000) });
    const mid = put('mid', { note: '日本'.repeat(2000) });
    await Promise.all([journal.append(serializeRecords([put('a')])), journal.append(serializeRecords([big]))]);
    await journal.append(serializeRecords([mid]));
    await journal.append(serializeRecords([put('z')]));
    const text = [put('a'), big, mid, put('z')].map(line).join('');
    expect(journal.size).toBe(Buffer.byteLength(text));
    await journal.close();
    expect(Journal.read(path)).toEqual({ records: [put('a'), big, mid, put('z')], end: Buffer.byteLength(text) });
  });
});

describe('Journal: drain and rotate, for compaction', () => {
  it('drain ends under a steady stream of writes, once what was appended before it is durable', { timeout: 30_000 }, async () => {
    const path = freshPath();
    const { journal } = reopen(path);
    let stop = false;
    let n = 0;
    const acked = new Set<string>();
    const writer = async () => {
      while (!stop) {
        const id = `w${n++}`;
        await journal.append(serializeRecords([put(id)]));
        acked.add(id);
      }
    };
    const writers = Array.from({ length: 10 }, writer);
    while (acked.size < 50) await new Promise((r) => setImmediate(r));
    const before = n;
    await journal.drain();
    // Every record appended before the drain is durable; writers are still going.
    for (let i = 0; i < before; i++) expect(acked.has(`w${i}`)).toBe(true);
    expect(stop).toBe(false);
    stop = true;
    await Promise.all(writers);
    await journal.close();
  });

  it('rotate sends later batches to a new file; a batch syncing meanwhile completes in the old one', async () => {
    const first = freshPath();
    const second = `${first}.next`;
    const { journal } = reopen(first, 4096);
    await journal.append(serializeRecords([put('a')]));
    const inFlight = journal.append(serializeRecords([put('b')]));
    await new Promise((r) => setImmediate(r)); // b is written, its sync is under way
    journal.rotate(second);
    const after = journal.append(serializeRecords([put('c')]));
    await Promise.all([inFlight, after]);
    await journal.append(serializeRecords([put('d')]));
    expect(Journal.read(first).records).toEqual([put('a'), put('b')]);
    expect(Journal.read(second).records).toEqual([put('c'), put('d')]);
    expect(journal.size).toBe(Buffer.byteLength([put('c'), put('d')].map(line).join('')));
    // Renamed over the first: writing goes on in the same file, under its new name.
    await journal.rename(first);
    await journal.append(serializeRecords([put('e')]));
    expect(Journal.read(first).records).toEqual([put('c'), put('d'), put('e')]);
    await journal.close();
  });
});
