import { connectorContractCases, testContext } from '@scimgw/core/testkit';
import type { Connector } from '@scimgw/core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createConnector } from '../src/index.js';
import { createTestSchema, type TestSchema } from './helpers/database.js';

let db: TestSchema;
let connector: Connector;

beforeAll(async () => {
  db = await createTestSchema('contract');
  connector = await createConnector(testContext({ connection: db.connection, createTables: true }));
});
afterAll(async () => {
  await connector?.close?.();
  await db?.drop();
});

describe('connector contract kit on PostgreSQL', () => {
  for (const c of connectorContractCases({ connector: () => connector })) it(c.name, c.run);
});
