import type { Connector } from '@scimgw/core';
import { connectorContractCases } from '@scimgw/core/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createGenericConnector } from '../src/index.js';
import { entityFor, startGateway, type TestGateway } from './helpers.js';
import { type Scim11Server, startScim11Server } from './scim11-server.js';

let loki: TestGateway;
let v11: Scim11Server;

beforeAll(async () => {
  loki = await startGateway('connector-loki', { persistence: false, exampleData: false });
  v11 = await startScim11Server();
});
afterAll(async () => {
  await loki?.stop();
  await v11?.close();
});

const release = (c: Connector) => c.close?.();

describe('connector-generic → scimgw gateway (SCIM 2.0 over HTTP) passes the contract kit', () => {
  for (const c of connectorContractCases({
    connector: () => createGenericConnector({ config: { entity: entityFor(loki.base) } }),
    release,
  })) {
    it(c.name, c.run);
  }
});

describe('connector-generic → SCIM 1.1 service passes the contract kit', () => {
  for (const c of connectorContractCases({
    connector: () => createGenericConnector({ config: { entity: entityFor(v11.base, { scimVersion: '1.1' }) } }),
    release,
  })) {
    it(c.name, c.run);
  }
});

describe('connector-generic → a target that only filters by eq, without sort and paging, passes the contract kit', () => {
  for (const c of connectorContractCases({
    connector: () =>
      createGenericConnector({
        config: {
          entity: entityFor(v11.base, { scimVersion: '1.1' }),
          targetSupport: { operators: ['eq'], logical: [], valuePath: false, sort: false, paging: false },
        },
      }),
    release,
  })) {
    it(c.name, c.run);
  }
});
