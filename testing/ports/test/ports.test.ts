import { createServer } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canBind, freePort, PORT_RANGE } from '../src/index.js';

describe('freePort', () => {
  it('gives ports below the ephemeral range, free, never the same twice', async () => {
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const p = await freePort();
      expect(p).toBeGreaterThanOrEqual(PORT_RANGE[0]);
      expect(p).toBeLessThanOrEqual(PORT_RANGE[1]);
      expect(PORT_RANGE[1]).toBeLessThan(32768);
      expect(seen.has(p)).toBe(false);
      seen.add(p);
      expect(await canBind(p)).toBe(true);
    }
  });

  it('a port a listener holds is not free; after the listener closes it is', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: PORT_RANGE[0], max: PORT_RANGE[1] }), async (port) => {
        if (!(await canBind(port))) return; // taken by something else on this machine
        const s = createServer();
        await new Promise<void>((r) => s.listen(port, '127.0.0.1', r));
        expect(await canBind(port)).toBe(false);
        await new Promise<void>((r) => s.close(() => r()));
        expect(await canBind(port)).toBe(true);
      }),
      { numRuns: 20 },
    );
  });

  it('listen(0) never hands out a port of the range', async () => {
    for (let i = 0; i < 20; i++) {
      const s = createServer();
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      const { port } = s.address() as { port: number };
      await new Promise<void>((r) => s.close(() => r()));
      expect(port).toBeGreaterThan(PORT_RANGE[1]);
    }
  });
});
