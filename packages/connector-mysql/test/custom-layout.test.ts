import { testContext } from '@scimgw/core/testkit';
import { CUSTOM_MAP, customLayout, customLayoutCases } from '@scimgw/testing-sql';
import { describe, it } from 'vitest';
import { createConnector } from '../src/index.js';
import { createTestDatabase } from './helpers/database.js';

const TEXT = 'VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin';
const DDL = [
  `CREATE TABLE people (pid BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, rev BIGINT NOT NULL DEFAULT 1, created_at DATETIME(3), changed_at DATETIME(3),
     login ${TEXT} NOT NULL, login_lower ${TEXT} GENERATED ALWAYS AS (LOWER(login)) STORED, full_name ${TEXT}, given ${TEXT}, family ${TEXT},
     is_active BOOLEAN, level INT, hired DATETIME(3), mails JSON, secret ${TEXT}, UNIQUE KEY people_login (login_lower)) ENGINE=InnoDB`,
  `CREATE TABLE person_tags (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, pid BIGINT NOT NULL, tag ${TEXT} NOT NULL,
     FOREIGN KEY (pid) REFERENCES people (pid) ON DELETE CASCADE) ENGINE=InnoDB`,
  `CREATE TABLE teams (tid BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, rev BIGINT NOT NULL DEFAULT 1, name ${TEXT} NOT NULL) ENGINE=InnoDB`,
  `CREATE TABLE team_members (tid BIGINT NOT NULL, member BIGINT NOT NULL, PRIMARY KEY (tid, member),
     FOREIGN KEY (tid) REFERENCES teams (tid) ON DELETE CASCADE) ENGINE=InnoDB`,
];

describe('a custom layout on MariaDB (database keys, typed extension, JSON emails, list tables)', () => {
  const cases = customLayoutCases(async () => {
    const db = await createTestDatabase('custom');
    for (const s of DDL) await db.sql(s);
    const connector = await createConnector(
      testContext({ connection: db.connection, layout: customLayout({ login: 'login_lower' }), map: CUSTOM_MAP }),
    );
    return {
      connector,
      sql: async (text) => (await db.sql(text)) as Record<string, unknown>[],
      async done() {
        await connector.close?.();
        await db.drop();
      },
    };
  });
  for (const c of cases) it(c.name, c.run, 60_000);
});
