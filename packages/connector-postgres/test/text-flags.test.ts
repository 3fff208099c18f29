/**
 * A flag kept as text ('Y'/'N'), as older HR and ERP tables do: mapped as a string with a
 * `valueMap` to SCIM's boolean, it reads, writes, patches and filters as `active`, against a real
 * PostgreSQL whose CHECK constraint refuses anything but 'Y' and 'N'. Then a column without the
 * constraint holding other values: `"unlisted": "drop"` serves those rows without `active`, the
 * default hides them.
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

describe("a flag column without a CHECK constraint, holding 'X'", () => {
  let drop: ReturnType<typeof createScimHandler>;
  let hide: ReturnType<typeof createScimHandler>;
  let closeAll: () => Promise<void>;
  const sid: Record<string, string> = {};
  const connectorFor = (unlisted?: 'drop') =>
    createConnector(
      testContext({
        connection: db.connection,
        layout: { users: { table: 'loose', key: 'sid', keyGeneration: 'database' } },
        map: {
          user: {
            login: { mapTo: 'userName' },
            enabled: {
              mapTo: 'active',
              type: 'string',
              valueMap: { Y: true, N: false },
              ...(unlisted ? { unlisted } : {}),
            },
          },
        },
      }),
    );

  beforeAll(async () => {
    await db.sql('CREATE TABLE loose (sid bigserial PRIMARY KEY, login text NOT NULL, enabled char(1))');
    await db.sql('CREATE UNIQUE INDEX loose_login ON loose (lower(login))');
    for (const [login, enabled] of [
      ['odd.flag', 'X'],
      ['on.flag', 'Y'],
      ['off.flag', 'N'],
      ['no.flag', null],
      ['fix.flag', 'X'],
    ] as const) {
      const r = await db.sql('INSERT INTO loose (login, enabled) VALUES ($1, $2) RETURNING sid', [login, enabled]);
      sid[login] = String(r.rows[0].sid);
    }
    const dropping = await connectorFor('drop');
    const hiding = await connectorFor();
    drop = createScimHandler({ connector: dropping });
    hide = createScimHandler({ connector: hiding });
    closeAll = async () => {
      await dropping.close?.();
      await hiding.close?.();
    };
  });
  afterAll(async () => {
    await closeAll?.();
  });

  const on = (handler: ReturnType<typeof createScimHandler>) => async (url: string) =>
    (await handler.handle({ method: 'GET', url })) as { status: number; body: Record<string, any> };
  const names = (body: Record<string, any>) => body.Resources.map((r: { userName: string }) => r.userName);
  const filter = (f: string) => `/Users?sortBy=userName&filter=${encodeURIComponent(f)}`;

  it('"unlisted": "drop": the row is listed and readable by id, without active', async () => {
    const get = on(drop);
    const all = await get('/Users?sortBy=userName');
    expect(all.status).toBe(200);
    expect(names(all.body)).toEqual(['fix.flag', 'no.flag', 'odd.flag', 'off.flag', 'on.flag']);
    expect(all.body.totalResults).toBe(5);
    const odd = all.body.Resources.find((r: { userName: string }) => r.userName === 'odd.flag');
    expect(odd).not.toHaveProperty('active');
    const one = await get(`/Users/${sid['odd.flag']}`);
    expect(one.status).toBe(200);
    expect(one.body.userName).toBe('odd.flag');
    expect(one.body).not.toHaveProperty('active');
    // Paging counts the row too.
    const page = await get('/Users?sortBy=userName&count=2&startIndex=2');
    expect(page.body.totalResults).toBe(5);
    expect(names(page.body)).toEqual(['no.flag', 'odd.flag']);
  });

  it('"unlisted": "drop": filters see the value as absent', async () => {
    const get = on(drop);
    expect(names((await get(filter('active eq true'))).body)).toEqual(['on.flag']);
    expect(names((await get(filter('active eq false'))).body)).toEqual(['off.flag']);
    expect(names((await get(filter('userName eq "odd.flag"'))).body)).toEqual(['odd.flag']);
    expect(names((await get(filter('active pr'))).body)).toEqual(['off.flag', 'on.flag']);
    expect(names((await get(filter('not (active pr)'))).body)).toEqual(['fix.flag', 'no.flag', 'odd.flag']);
    expect(names((await get(filter('active ne true'))).body)).toEqual(['fix.flag', 'no.flag', 'odd.flag', 'off.flag']);
    expect(names((await get(filter('not (active eq false)'))).body)).toEqual(['fix.flag', 'no.flag', 'odd.flag', 'on.flag']);
  });

  it('by default the row stays hidden: not listed, 404 by id, not found by userName', async () => {
    const get = on(hide);
    const all = await get('/Users?sortBy=userName');
    expect(names(all.body)).toEqual(['no.flag', 'off.flag', 'on.flag']);
    expect(all.body.totalResults).toBe(3);
    expect((await get(`/Users/${sid['odd.flag']}`)).status).toBe(404);
    expect(names((await get(filter('userName eq "odd.flag"'))).body)).toEqual([]);
    expect(names((await get(filter('active eq true'))).body)).toEqual(['on.flag']);
  });

  it('"unlisted": "drop": the IdP can set the flag, after which the default serves the row too', async () => {
    const patched = (await drop.handle({
      method: 'PATCH',
      url: `/Users/${sid['fix.flag']}`,
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'active', value: true }],
      }),
    })) as { status: number; body: Record<string, any> };
    expect(patched.status).toBe(200);
    expect(patched.body.active).toBe(true);
    expect((await db.sql("SELECT enabled FROM loose WHERE login = 'fix.flag'")).rows[0].enabled).toBe('Y');
    expect((await on(hide)(`/Users/${sid['fix.flag']}`)).body.active).toBe(true);
  });
});
