import { afterEach, describe, expect, it } from 'vitest';
import { compactHeap, IdleCompactor } from '../src/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('compactHeap', () => {
  it('does nothing below the threshold', () => {
    expect(compactHeap(Number.MAX_SAFE_INTEGER)).toBeUndefined();
  });

  it('collects below the heap threshold when resident memory reaches rssThreshold', () => {
    expect(compactHeap(Number.MAX_SAFE_INTEGER, { rssThreshold: Number.MAX_SAFE_INTEGER })).toBeUndefined();
    expect(compactHeap(Number.MAX_SAFE_INTEGER, { rssThreshold: 0 })).toBeDefined();
    expect(withFakeBun(() => compactHeap(Number.MAX_SAFE_INTEGER, { rssThreshold: 0, releaseCode: true }))).toEqual([
      'gc(true)',
      'shrink()',
    ]);
  });

  it('collects garbage without exposing gc to the application', () => {
    let garbage: unknown[] | undefined = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `x${i}` }));
    expect(garbage.length).toBe(200_000);
    garbage = undefined;
    const r = compactHeap(0);
    expect(r).toBeDefined();
    expect(r?.after).toBeLessThan(r?.before as number);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});

/** Runs `f` with a stand-in `Bun` global recording which of its collection calls were made. */
function withFakeBun(f: () => void): string[] {
  const calls: string[] = [];
  const g = globalThis as { Bun?: unknown };
  g.Bun = { gc: (force: boolean) => calls.push(`gc(${force})`), shrink: () => calls.push('shrink()') };
  try {
    f();
  } finally {
    delete g.Bun;
  }
  return calls;
}

describe('compactHeap on Bun', () => {
  it('collects with Bun.gc(true), and shrinks the footprint only when asked to release code', () => {
    expect(withFakeBun(() => compactHeap(0))).toEqual(['gc(true)']);
    expect(withFakeBun(() => compactHeap(0, { releaseCode: true }))).toEqual(['gc(true)', 'shrink()']);
  });

  it('is asked by the idle compactor to release code after a burst', async () => {
    const seen: string[] = [];
    const g = globalThis as { Bun?: unknown };
    g.Bun = { gc: () => seen.push('gc'), shrink: () => seen.push('shrink') };
    const compactor = new IdleCompactor({ idleMs: 10, minGrowthBytes: 0, burstGrowthBytes: Number.POSITIVE_INFINITY });
    try {
      compactor.activity();
      await sleep(60);
    } finally {
      delete g.Bun;
      compactor.stop();
    }
    expect(seen).toEqual(['gc', 'shrink']);
  });
});

describe('IdleCompactor', () => {
  let c: IdleCompactor | undefined;
  afterEach(() => c?.stop());

  it('collects once after a burst followed by quiet', async () => {
    c = new IdleCompactor({ idleMs: 20, minGrowthBytes: 0, burstGrowthBytes: Number.POSITIVE_INFINITY });
    c.activity();
    await sleep(100);
    expect(c.collections).toBe(1);
    await sleep(60);
    expect(c.collections).toBe(1); // no new activity, no new collection
  });

  it('never collects after idle while requests keep coming', async () => {
    c = new IdleCompactor({ idleMs: 20, minGrowthBytes: 0, burstGrowthBytes: Number.POSITIVE_INFINITY });
    const t = setInterval(() => c?.activity(), 5);
    await sleep(120);
    clearInterval(t);
    expect(c.collections).toBe(0);
  });

  it('never collects without activity, or when the heap did not grow, or is too big', async () => {
    const idle = new IdleCompactor({ idleMs: 20, minGrowthBytes: 0 });
    const noGrowth = new IdleCompactor({ idleMs: 20, minGrowthBytes: 1 << 30 });
    const tooBig = new IdleCompactor({ idleMs: 20, minGrowthBytes: 0, maxHeapBytes: 1 });
    noGrowth.activity();
    tooBig.activity();
    await sleep(100);
    for (const x of [idle, noGrowth, tooBig]) {
      expect(x.collections).toBe(0);
      x.stop();
    }
  });

  it('collects during a burst once resident memory grew enough, without releasing code', async () => {
    c = new IdleCompactor({ idleMs: 1000, minGrowthBytes: 1 << 30, burstGrowthBytes: 0, burstCheckMs: 10 });
    const t = setInterval(() => c?.activity(), 2);
    await sleep(120);
    clearInterval(t);
    expect(c.burstCollections).toBeGreaterThan(0);
    expect(c.collections).toBe(c.burstCollections);
  });

  it('does not collect during a burst when resident memory did not grow enough', async () => {
    c = new IdleCompactor({ idleMs: 1000, burstGrowthBytes: 1 << 40, burstCheckMs: 10 });
    const t = setInterval(() => c?.activity(), 2);
    await sleep(120);
    clearInterval(t);
    expect(c.burstCollections).toBe(0);
    expect(c.collections).toBe(0);
  });
});

describe('IdleCompactor during a burst on Bun', () => {
  it('collects with Bun.gc(true) and keeps the compiled code (no Bun.shrink)', async () => {
    const seen: string[] = [];
    const g = globalThis as { Bun?: unknown };
    g.Bun = { gc: () => seen.push('gc'), shrink: () => seen.push('shrink') };
    const compactor = new IdleCompactor({ idleMs: 10_000, minGrowthBytes: 0, burstGrowthBytes: 0, burstCheckMs: 10 });
    const t = setInterval(() => compactor.activity(), 2);
    try {
      await sleep(60);
    } finally {
      clearInterval(t);
      delete g.Bun;
      compactor.stop();
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((x) => x === 'gc')).toBe(true);
  });
});
