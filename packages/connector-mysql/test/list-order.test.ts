import { createScimHandler } from '@scimgw/core/handler';
import { describe, expect, it } from 'vitest';
import { createMysqlConnector } from '../src/index.js';
import { createTestDatabase } from './helpers/database.js';

type User = {
  id: string;
  userName: string;
  emails?: { value: string }[];
  phoneNumbers?: { value: string }[];
  groups?: { value: string }[];
};

describe('lists ordered in the gateway on MariaDB (no ORDER BY over the UNION ALL)', () => {
  it('keeps every list in its stored order, per user, and reads without an on-disk temporary table', async () => {
    const db = await createTestDatabase('listorder');
    // One connection: the session's status counters are those of the reads below.
    const { connector, db: database } = await createMysqlConnector({
      config: { connection: db.connection, createTables: true, pool: { max: 1 } },
    });
    try {
      const h = createScimHandler({ connector });
      const post = async (url: string, body: unknown) => {
        const r = await h.handle({ method: 'POST', url, body });
        expect(r.status).toBe(201);
        return r.body as { id: string };
      };
      const users: { id: string; emails: string[]; phones: string[] }[] = [];
      for (let i = 0; i < 6; i++) {
        // Values in an order no sort would give back: the stored order is the order of the request.
        const emails = ['m', 'z', 'a', 'Q', 'é', '𝔸', 'b'].slice(i).map((p) => `${p}${i}@example.com`);
        const phones = ['+9', '+1', '+5'].map((p) => `${p}${i}`);
        const u = await post('/Users', {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: `list-order-${i}`,
          emails: emails.map((value) => ({ value, type: 'work' })),
          phoneNumbers: phones.map((value) => ({ value })),
        });
        users.push({ id: u.id, emails, phones });
      }
      const groupIds: string[] = [];
      for (let g = 0; g < 4; g++) {
        const group = await post('/Groups', {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
          displayName: `list-order-group-${g}`,
          members: users.filter((_, i) => (i + g) % 2 === 0).map((u) => ({ value: u.id })),
        });
        groupIds.push(group.id);
      }
      const status = async () =>
        database.driver.run(async (run) => {
          const r = await run({ text: "SHOW SESSION STATUS LIKE 'Created_tmp_disk_tables'", values: [] });
          return Number(r.rows[0]?.Value);
        });
      const before = await status();
      const one = await h.handle({ method: 'GET', url: '/Users?filter=userName eq "list-order-2"' });
      const page = await h.handle({ method: 'GET', url: '/Users?filter=userName sw "list-order-"&startIndex=1&count=10' });
      expect(await status()).toBe(before);

      const check = (r: User) => {
        const u = users.find((x) => x.id === r.id);
        expect(u).toBeDefined();
        expect(r.emails?.map((e) => e.value)).toEqual(u?.emails);
        expect(r.phoneNumbers?.map((p) => p.value)).toEqual(u?.phones);
        const i = users.indexOf(u as (typeof users)[number]);
        // Groups have no stored order: they come sorted by id, by code point.
        const expected = groupIds.filter((_, g) => (i + g) % 2 === 0).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        expect(r.groups?.map((g) => g.value)).toEqual(expected);
      };
      const found = (one.body as { Resources: User[] }).Resources;
      expect(found.map((r) => r.userName)).toEqual(['list-order-2']);
      found.forEach(check);
      const all = (page.body as { Resources: User[] }).Resources;
      expect(all).toHaveLength(6);
      all.forEach(check);
    } finally {
      await connector.close?.();
      await db.drop();
    }
  }, 60_000);
});
