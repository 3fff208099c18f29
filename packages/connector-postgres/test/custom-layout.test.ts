import { testContext } from '@scimgw/core/testkit';
import { CUSTOM_MAP, customLayout, customLayoutCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { createConnector } from '../src/index.js';
import { createTestSchema } from './helpers/database.js';

const DDL = [
  `CREATE TABLE people (pid bigserial PRIMARY KEY, rev bigint NOT NULL DEFAULT 1, created_at timestamptz(3), changed_at timestamptz(3),
     login text NOT NULL, full_name text, given text, family text, is_active boolean, level integer, hired timestamptz(3), mails jsonb, secret text)`,
  'CREATE UNIQUE INDEX people_login ON people (lower(login))',
  'CREATE TABLE person_tags (seq bigserial PRIMARY KEY, pid bigint NOT NULL REFERENCES people (pid) ON DELETE CASCADE, tag text NOT NULL)',
  'CREATE TABLE teams (tid bigserial PRIMARY KEY, rev bigint NOT NULL DEFAULT 1, name text NOT NULL)',
  'CREATE TABLE team_members (tid bigint NOT NULL REFERENCES teams (tid) ON DELETE CASCADE, member bigint NOT NULL, PRIMARY KEY (tid, member))',
];

describe('a custom layout on PostgreSQL (database keys, typed extension, JSON emails, list tables)', () => {
  const cases = customLayoutCases(async () => {
    const db = await createTestSchema('custom');
    for (const s of DDL) await db.sql(s);
    const connector = await createConnector(testContext({ connection: db.connection, layout: customLayout(), map: CUSTOM_MAP }));
    return {
      connector,
      sql: async (text) => (await db.sql(text)).rows,
      async done() {
        await connector.close?.();
        await db.drop();
      },
    };
  });
  for (const c of cases) it(c.name, c.run, 60_000);
});
