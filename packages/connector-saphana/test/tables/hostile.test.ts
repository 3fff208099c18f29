/**
 * Hostile SCIM values reach SAP HANA only as bound parameters (or, in LIKE patterns, escaped and
 * bound): the statement texts the emulator received never contain them, and the tables survive.
 */
import { describe, expect, it } from 'vitest';
import { useHanaHandler } from '../helpers/emulator.js';

const HOSTILE = [
  `o'neil'); DROP TABLE "scim_users"; --`,
  `x" OR "1"="1`,
  `back\\slash\\'`,
  `100%_off`,
  `semi;colon -- comment /* c */`,
  `?`,
  `$1 @p1 :v`,
];

const hana = useHanaHandler();
const { call } = hana;

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
      for (const s of hana.server.hana.statements) expect(s.includes(v), `${v} in ${s}`).toBe(false);
    }
    expect(await hana.server.sql('SELECT COUNT(*)::int AS n FROM "scim_users"')).toEqual([{ n: HOSTILE.length + 1 }]);
  });
  it('U+0000 is refused with 400 (the emulator cannot store it) and matches nothing in a filter', async () => {
    const r = await call('POST', '/Users', { userName: 'nul\u0000user' });
    expect(r.status).toBe(400);
    const f = await call('GET', `/Users?filter=${encodeURIComponent('userName eq "a\u0000b"')}`);
    expect(f.status).toBe(200);
    expect(f.body.totalResults).toBe(0);
  });
});
