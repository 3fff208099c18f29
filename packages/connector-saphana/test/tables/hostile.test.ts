/**
 * Hostile SCIM values reach SAP HANA only as bound parameters (or, in LIKE patterns, escaped and
 * bound): the statement texts the emulator received never contain them, and the tables survive.
 */
import type { Connector } from '@scimgw/core';
import { createScimHandler } from '@scimgw/core/handler';
import { testContext } from '@scimgw/core/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHanaConnector } from '../../src/index.js';
import { startTestHana, type TestHana } from '../helpers/emulator.js';

const HOSTILE = [
  `o'neil'); DROP TABLE "scim_users"; --`,
  `x" OR "1"="1`,
  `back\\slash\\'`,
  `100%_off`,
  `semi;colon -- comment /* c */`,
  `?`,
  `$1 @p1 :v`,
];

let server: TestHana;
let connector: Connector;
let h: ReturnType<typeof createScimHandler>;

beforeAll(async () => {
  server = await startTestHana();
  const ctx = testContext(server.config());
  connector = await createHanaConnector({ config: ctx.config, registry: ctx.registry, log: ctx.log, hana: server.hana.module });
  h = createScimHandler({ connector });
});
afterAll(async () => {
  await connector?.close?.();
  await server?.close();
});

const call = async (method: string, url: string, body?: unknown) => {
  const r = await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: r.status, body: r.body as Record<string, unknown> };
};

describe('hostile values, table mode, on the HANA emulator', () => {
  it('are stored and found as data, never sent as SQL text', async () => {
    for (const [i, v] of HOSTILE.entries()) {
      const created = await call('POST', '/Users', {
        userName: `${v}-${i}`,
        displayName: v,
        emails: [{ value: v, type: 'work' }],
      });
      expect(created.status, v).toBe(201);
      const filter = encodeURIComponent(`userName eq "${`${v}-${i}`.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
      const found = await call('GET', `/Users?filter=${filter}`);
      expect(found.body.totalResults, v).toBe(1);
      const co = encodeURIComponent(`displayName co "${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
      const contains = await call('GET', `/Users?filter=${co}`);
      expect(
        (contains.body.Resources as { displayName: string }[]).map((r) => r.displayName),
        v,
      ).toContain(v);
    }
    // `%` and `_` match themselves only: "100%_off" is not found by a pattern that would match "100xxoff".
    await call('POST', '/Users', { userName: 'decoy', displayName: '100ab_off' });
    const pct = await call('GET', `/Users?filter=${encodeURIComponent('displayName co "100%_off"')}`);
    expect((pct.body.Resources as { displayName: string }[]).map((r) => r.displayName)).toEqual(['100%_off']);
    for (const v of HOSTILE.filter((x) => x.length > 1)) {
      for (const s of server.hana.statements) expect(s.includes(v), `${v} in ${s}`).toBe(false);
    }
    expect(await server.sql('SELECT COUNT(*)::int AS n FROM "scim_users"')).toEqual([{ n: HOSTILE.length + 1 }]);
  });
  it('U+0000 is refused with 400 (the emulator cannot store it) and matches nothing in a filter', async () => {
    const r = await call('POST', '/Users', { userName: 'nul\u0000user' });
    expect(r.status).toBe(400);
    const f = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "a\u0000b"')}`);
    expect(f.status).toBe(200);
    expect(f.body.totalResults).toBe(0);
  });
});
