import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newVersion, now, touchedMeta } from '../src/meta.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('meta timestamps and versions', () => {
  it('now() is the current time in RFC 3339, formatted anew whenever the millisecond changes', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-02T03:04:05.006Z'));
    expect(now()).toBe('2026-01-02T03:04:05.006Z');
    expect(now()).toBe('2026-01-02T03:04:05.006Z');
    vi.setSystemTime(new Date('2026-01-02T03:04:05.007Z'));
    expect(now()).toBe('2026-01-02T03:04:05.007Z');
    vi.setSystemTime(new Date('2027-12-31T23:59:59.999Z'));
    expect(now()).toBe('2027-12-31T23:59:59.999Z');
    vi.setSystemTime(new Date('2028-01-01T00:00:00.000Z'));
    expect(now()).toBe('2028-01-01T00:00:00.000Z');
    vi.setSystemTime(new Date('2028-01-01T00:00:00.050Z'));
    expect(now()).toBe('2028-01-01T00:00:00.050Z');
  });

  it('now() agrees with toISOString() at any millisecond (property)', () => {
    vi.useFakeTimers();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253402300799999 }), (ms) => {
        vi.setSystemTime(ms);
        expect(now()).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
  });

  it('no two versions are the same, even within one millisecond', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-02T03:04:05.006Z'));
    const seen = new Set(Array.from({ length: 1000 }, () => newVersion()));
    expect(seen.size).toBe(1000);
    for (const v of seen) expect(v).toMatch(/^W\/"[0-9a-z]+"$/);
  });

  it('touchedMeta() keeps created and anything else in meta, renews lastModified and version, and leaves the stored meta alone', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-02T03:04:05.006Z'));
    const meta = {
      created: '2020-01-01T00:00:00.000Z',
      lastModified: '2020-01-01T00:00:00.000Z',
      version: 'W/"a"',
      origin: 'import',
    };
    const cur = { id: 'u1', meta };
    const next = touchedMeta(cur);
    expect(next).toEqual({
      created: meta.created,
      lastModified: '2026-01-02T03:04:05.006Z',
      version: expect.stringMatching(/^W\/"/),
      origin: 'import',
    });
    expect(next.version).not.toBe('W/"a"');
    expect(Object.keys(next)).toEqual(['created', 'lastModified', 'version', 'origin']);
    expect(meta).toEqual({
      created: '2020-01-01T00:00:00.000Z',
      lastModified: '2020-01-01T00:00:00.000Z',
      version: 'W/"a"',
      origin: 'import',
    });
    // A document stored without meta (or without created) gets none invented.
    expect(Object.keys(touchedMeta({ id: 'u2' }))).toEqual(['lastModified', 'version']);
    expect(Object.keys(touchedMeta({ id: 'u3', meta: { version: 'W/"b"' } }))).toEqual(['lastModified', 'version']);
  });
});
