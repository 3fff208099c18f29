import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testContext } from '@scimgw/core/testkit';
import { describe, expect, it } from 'vitest';
import { createLegacyPluginConnector } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
type Rec = Record<string, any>;

describe('reading everything from a plugin that pages', () => {
  it('asks page after page (the older plugins return 200 at most) until totalResults', async () => {
    const seedUsers = Array.from({ length: 450 }, (_, i) => ({ id: `u${i}`, userName: `u${i}` }));
    const c = await createLegacyPluginConnector(
      testContext({ legacyPlugin: { file: join(here, 'plugins', 'plugin-memory.ts') }, seedUsers }, { baseDir: here }),
    );
    const calls: Rec[] = (globalThis as Rec).__legacyMemoryCalls;
    const before = calls.length;
    const all = await c.resources.User?.query?.({}, {});
    expect(all?.resources).toHaveLength(450);
    expect(new Set(all?.resources.map((r) => r.id)).size).toBe(450);
    expect(calls.slice(before).map((x) => [x.getObj.startIndex, x.getObj.count])).toEqual([
      [1, 200],
      [201, 200],
      [401, 200],
    ]);
  });

  it('stops when a plugin ignores startIndex and repeats its first page', async () => {
    const c = await createLegacyPluginConnector(
      testContext({ legacyPlugin: { file: join(here, 'plugins', 'plugin-commonjs.cjs') }, idPrefix: 'x-' }, { baseDir: here }),
    );
    for (let i = 0; i < 3; i++) await c.resources.User?.create?.({ userName: `n${i}` }, {});
    const all = await c.resources.User?.query?.({}, {});
    expect(all?.resources.map((r) => r.userName).sort()).toEqual(['bjensen', 'n0', 'n1', 'n2']);
  });
});
