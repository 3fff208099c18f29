import type { Connector } from '@scimgw/core';
import { connectorContractCases, testContext } from '@scimgw/core/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createHanaConnector } from '../../src/index.js';
import { startTestHana, type TestHana } from '../helpers/emulator.js';

let server: TestHana;
let connector: Connector;

beforeAll(async () => {
  server = await startTestHana();
  const ctx = testContext(server.config());
  connector = await createHanaConnector({ config: ctx.config, registry: ctx.registry, log: ctx.log, hana: server.hana.module });
});
afterAll(async () => {
  await connector?.close?.();
  await server?.close();
});

describe('connector contract kit, table mode, through the HANA driver adapter on the HANA emulator', () => {
  for (const c of connectorContractCases({ connector: () => connector })) it(c.name, c.run);
});
