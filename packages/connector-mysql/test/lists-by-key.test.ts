import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshConnector } from './helpers/fresh.js';

// The statement that reads the lists of a page by key is kept per number of keys (up to 100) and
// built afresh above that: both must give every user its own lists, whichever users came before.
describe('lists read by key, kept and built afresh', () => {
  let fresh: Awaited<ReturnType<typeof freshConnector>>;
  const ctx = { requestId: 't', principal: { name: 't', method: 'basic' as const } };
  const users = 130;

  beforeAll(async () => {
    fresh = await freshConnector({}, 'lists');
    const h = fresh.connector.resources.User;
    if (!h) throw new Error('no User resource');
    for (let i = 0; i < users; i++) {
      const emails = [{ value: `u${i}@example.com`, type: 'work', primary: true }];
      if (i % 3 === 0) emails.push({ value: `u${i}@home.example`, type: 'home', primary: false });
      await h.create?.({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `u${i}`, emails }, ctx);
    }
  }, 120_000);
  afterAll(async () => fresh?.done());

  const check = (resources: Record<string, unknown>[]) => {
    for (const r of resources) {
      const i = Number(String(r.userName).slice(1));
      const values = (r.emails as { value: string }[]).map((e) => e.value).sort();
      expect(values, String(r.userName)).toEqual(
        i % 3 === 0 ? [`u${i}@example.com`, `u${i}@home.example`] : [`u${i}@example.com`],
      );
    }
  };

  it('pages of 1, 7, 100 (kept texts) and 130 (built afresh), twice each, in turn', async () => {
    const h = fresh.connector.resources.User;
    if (!h) throw new Error('no User resource');
    for (let round = 0; round < 2; round++) {
      for (const [startIndex, count] of [
        [1, 130],
        [5, 7],
        [1 + round, 100],
        [20 + round, 1],
      ] as const) {
        const r = await h.query?.({ startIndex, count }, ctx);
        expect(r?.resources).toHaveLength(count);
        check(r?.resources as Record<string, unknown>[]);
      }
    }
  }, 60_000);
});
