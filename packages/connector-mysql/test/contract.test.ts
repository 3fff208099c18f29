import type { Connector } from '@scimgw/core';
import { connectorContractCases, testContext } from '@scimgw/core/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createConnector } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';

let db: TestDatabase;
let connector: Connector;

beforeAll(async () => {
  db = await createTestDatabase('contract');
  connector = await createConnector(testContext({ connection: db.connection, createTables: true }));
});
afterAll(async () => {
  await connector?.close?.();
  await db?.drop();
});

describe('connector contract kit on MariaDB', () => {
  for (const c of connectorContractCases({ connector: () => connector })) it(c.name, c.run);
});
