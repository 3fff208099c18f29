import { afterEach, describe, expect, it } from 'vitest';
import { compactHeap, IdleCompactor } from '../src/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('compactHeap', () => {
  it('does nothing below the threshold', () => {
    expect(compactHeap(Number.MAX_SAFE_INTEGER)).toBeUndefined();
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

describe('IdleCompactor', () => {
  let c: IdleCompactor | undefined;
  afterEach(() => c?.stop());

  it('collects once after a burst followed by quiet', async () => {
    c = new IdleCompactor({ idleMs: 20, minGrowthBytes: 0 });
    c.activity();
    await sleep(100);
    expect(c.collections).toBe(1);
    await sleep(60);
    expect(c.collections).toBe(1); // no new activity, no new collection
  });

  it('never collects while requests keep coming', async () => {
    c = new IdleCompactor({ idleMs: 20, minGrowthBytes: 0 });
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
});
