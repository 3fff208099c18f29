/**
 * A flag kept as text ('Y'/'N'), as older HR and ERP tables do: mapped as a string with a
 * `valueMap` to SCIM's boolean, it reads, writes, patches and filters as `active`, against a real
 * PostgreSQL whose CHECK constraint refuses anything but 'Y' and 'N'.
 */
import { createScimHandler } from '@scimgw/core/handler';
import { testContext } from '@scimgw/core/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../src/index.js';
import { createTestSchema, type TestSchema } from './helpers/database.js';

let db: TestSchema;
let h: ReturnType<typeof createScimHandler>;
let close: () => Promise<void>;

beforeAll(async () => {
  db = await createTestSchema('flags');
  await db.sql(
    "CREATE TABLE staff (sid bigserial PRIMARY KEY, login text NOT NULL, enabled char(1) NOT NULL DEFAULT 'Y' CHECK (enabled IN ('Y', 'N')))",
  );
  await db.sql('CREATE UNIQUE INDEX staff_login ON staff (lower(login))');
  const connector = await createConnector(
    testContext({
      connection: db.connection,
      layout: { users: { table: 'staff', key: 'sid', keyGeneration: 'database' } },
      map: {
        user: {
          login: { mapTo: 'userName' },
          enabled: { mapTo: 'active', type: 'string', valueMap: { Y: true, N: false } },
        },
      },
    }),
  );
  h = createScimHandler({ connector });
  close = async () => {
    await connector.close?.();
    await db.drop();
  };
});
afterAll(async () => {
  await close?.();
});

const send = async (method: string, url: string, body?: unknown) =>
  (await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })) as {
    status: number;
    body: Record<string, any>;
  };
const column = async (login: string) => (await db.sql(`SELECT enabled FROM staff WHERE login = '${login}'`)).rows[0]?.enabled;

describe("a 'Y'/'N' column as active", () => {
  it('writes N and Y, reads them back as booleans, patches and filters', async () => {
    const off = await send('POST', '/Users', { userName: 'off.user', active: false });
    expect(off.status).toBe(201);
    expect(off.body.active).toBe(false);
    expect(await column('off.user')).toBe('N');
    const on = await send('POST', '/Users', { userName: 'on.user', active: true });
    expect(await column('on.user')).toBe('Y');
    expect((await send('GET', `/Users/${on.body.id}`)).body.active).toBe(true);
    // Entra ID's deactivation: a PATCH with "False" as a string.
    const patched = await send('PATCH', `/Users/${on.body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(patched.status).toBe(200);
    expect(await column('on.user')).toBe('N');
    await send('POST', '/Users', { userName: 'third.user', active: true });
    const active = await send('GET', `/Users?filter=${encodeURIComponent('active eq true')}`);
    expect(active.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['third.user']);
    const inactive = await send('GET', `/Users?filter=${encodeURIComponent('active eq false')}&sortBy=userName`);
    expect(inactive.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['off.user', 'on.user']);
  });

  it("a row written outside the gateway with the column's default reads as active", async () => {
    await db.sql("INSERT INTO staff (login) VALUES ('direct.insert')");
    const r = await send('GET', `/Users?filter=${encodeURIComponent('userName eq "direct.insert"')}`);
    expect(r.body.Resources[0].active).toBe(true);
  });
});
