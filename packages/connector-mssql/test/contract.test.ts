import type { Connector } from '@scimgw/core';
import { connectorContractCases, testContext } from '@scimgw/core/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createConnector } from '../src/index.js';
import { startTestServer, type TestServer } from './helpers/emulator.js';

let server: TestServer;
let connector: Connector;

beforeAll(async () => {
  server = await startTestServer();
  connector = await createConnector(testContext({ connection: server.connection, createTables: true }));
});
afterAll(async () => {
  await connector?.close?.();
  await server?.close();
});

describe('connector contract kit through mssql/tedious on the TDS emulator', () => {
  for (const c of connectorContractCases({ connector: () => connector })) it(c.name, c.run);
});
