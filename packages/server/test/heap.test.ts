import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compactHeap, IDLE_MS, IdleCompactor, LARGE_BODY_BYTES } from '../src/index.js';

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

  it('is asked by the idle compactor to release code only after the longer quiet', async () => {
    const seen: string[] = [];
    const g = globalThis as { Bun?: unknown };
    g.Bun = { gc: () => seen.push('gc'), shrink: () => seen.push('shrink') };
    const compactor = new IdleCompactor({
      idleMs: 10,
      releaseCodeAfterMs: 300,
      minGrowthBytes: 0,
      burstGrowthBytes: Number.POSITIVE_INFINITY,
    });
    try {
      compactor.activity();
      await sleep(80);
      // The first quiet collects and keeps the compiled code.
      expect(seen).toEqual(['gc']);
      await sleep(600);
      expect(seen).toEqual(['gc', 'gc', 'shrink']);
      expect(compactor.codeReleases).toBe(1);
      await sleep(200);
      expect(seen).toEqual(['gc', 'gc', 'shrink']); // once per quiet period
    } finally {
      delete g.Bun;
      compactor.stop();
    }
  });

  it('keeps the compiled code when requests come back before the longer quiet ends', async () => {
    const seen: string[] = [];
    const g = globalThis as { Bun?: unknown };
    g.Bun = { gc: () => seen.push('gc'), shrink: () => seen.push('shrink') };
    const compactor = new IdleCompactor({
      idleMs: 10,
      releaseCodeAfterMs: 1000,
      minGrowthBytes: 0,
      burstGrowthBytes: Number.POSITIVE_INFINITY,
    });
    try {
      for (let i = 0; i < 4; i++) {
        compactor.activity();
        await sleep(90);
      }
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((x) => x === 'gc')).toBe(true);
      expect(compactor.codeReleases).toBe(0);
    } finally {
      delete g.Bun;
      compactor.stop();
    }
  });

  it('releases code a minute after a burst by default, never at the first quiet second', async () => {
    const seen: string[] = [];
    const g = globalThis as { Bun?: unknown };
    g.Bun = { gc: () => seen.push('gc'), shrink: () => seen.push('shrink') };
    const compactor = new IdleCompactor({ idleMs: 10, minGrowthBytes: 0, burstGrowthBytes: Number.POSITIVE_INFINITY });
    try {
      compactor.activity();
      await sleep(300);
      expect(seen).toEqual(['gc']);
    } finally {
      delete g.Bun;
      compactor.stop();
    }
  });

  it('never releases code on Node (there is none to release)', async () => {
    const c = new IdleCompactor({
      idleMs: 10,
      releaseCodeAfterMs: 20,
      minGrowthBytes: 0,
      burstGrowthBytes: Number.POSITIVE_INFINITY,
    });
    try {
      c.activity();
      await sleep(200);
      expect(c.collections).toBe(1);
      expect(c.codeReleases).toBe(0);
    } finally {
      c.stop();
    }
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
    // 2 ** 40, not 1 << 40: a shift counts modulo 32, and 1 << 40 is 256 bytes (the test then failed
    // whenever resident memory grew a page during it).
    c = new IdleCompactor({ idleMs: 1000, burstGrowthBytes: 2 ** 40, burstCheckMs: 10 });
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

describe('IdleCompactor after a request with a large body', () => {
  const turn = () => new Promise((r) => setImmediate(r));
  const quiet = { idleMs: 10_000, minGrowthBytes: 1 << 30, burstGrowthBytes: Number.POSITIVE_INFINITY };

  it('waits one quiet second by default on Node (ten on Bun: runtimes.test.ts in apps/gateway)', () => {
    expect(IDLE_MS).toBe('Bun' in globalThis ? 10_000 : 1000);
  });

  it('is off on Node and on at 128 KiB on Bun by default', () => {
    const node = new IdleCompactor(quiet);
    node.stop();
    expect(node.largeBodyBytes).toBe(Number.POSITIVE_INFINITY);
    const g = globalThis as { Bun?: unknown };
    g.Bun = { gc: () => {} };
    try {
      const bun = new IdleCompactor(quiet);
      bun.stop();
      expect(bun.largeBodyBytes).toBe(LARGE_BODY_BYTES);
      expect(LARGE_BODY_BYTES).toBe(128 * 1024);
    } finally {
      delete g.Bun;
    }
  });

  it('collects once after the response, without releasing code, and never for smaller bodies', async () => {
    const seen: string[] = [];
    const g = globalThis as { Bun?: unknown };
    g.Bun = { gc: () => seen.push('gc'), shrink: () => seen.push('shrink') };
    const c = new IdleCompactor({ ...quiet, largeBodyBytes: 1000 });
    try {
      c.requestEnded(999);
      c.requestEnded(0);
      c.requestEnded(Number.NaN);
      await turn();
      expect(seen).toEqual([]);
      c.requestEnded(1000);
      expect(seen).toEqual([]); // not inside the response's own callback
      await turn();
      expect(seen).toEqual(['gc']);
      expect(c.largeRequestCollections).toBe(1);
      expect(c.collections).toBe(1);
    } finally {
      delete g.Bun;
      c.stop();
    }
  });

  it('runs one collection for large requests that end in the same turn', async () => {
    c2 = new IdleCompactor({ ...quiet, largeBodyBytes: 1 });
    c2.requestEnded(10);
    c2.requestEnded(10);
    c2.requestEnded(10);
    await turn();
    expect(c2.largeRequestCollections).toBe(1);
    c2.requestEnded(10);
    await turn();
    expect(c2.largeRequestCollections).toBe(2);
  });

  it('does not collect when the heap is over maxHeapBytes, or when turned off', async () => {
    c2 = new IdleCompactor({ ...quiet, largeBodyBytes: 1, maxHeapBytes: 1 });
    const off = new IdleCompactor({ ...quiet, largeBodyBytes: Number.POSITIVE_INFINITY });
    c2.requestEnded(10);
    off.requestEnded(Number.MAX_SAFE_INTEGER);
    await turn();
    off.stop();
    expect(c2.largeRequestCollections).toBe(0);
    expect(off.largeRequestCollections).toBe(0);
  });

  let c2: IdleCompactor | undefined;
  afterEach(() => c2?.stop());
});

describe('IdleCompactor.request on a node:http server', () => {
  it('collects after the response to a request whose body declares largeBodyBytes, not for smaller ones', async () => {
    const c = new IdleCompactor({
      idleMs: 10_000,
      minGrowthBytes: 1 << 30,
      burstGrowthBytes: Number.POSITIVE_INFINITY,
      largeBodyBytes: 4096,
    });
    const server = createServer((req, res) => {
      c.request(req, res);
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const post = async (size: number) => {
      const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x'.repeat(size) });
      await res.text();
      // the collection runs in the turn after the response's finish event
      await new Promise((r) => setTimeout(r, 20));
    };
    try {
      await post(4095);
      expect(c.largeRequestCollections).toBe(0);
      await post(4096);
      expect(c.largeRequestCollections).toBe(1);
      await post(100);
      expect(c.largeRequestCollections).toBe(1);
    } finally {
      c.stop();
      await new Promise((r) => server.close(r));
    }
  });
});
