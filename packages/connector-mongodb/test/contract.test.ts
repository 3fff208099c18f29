import { connectorContractCases, testContext } from '@scimgw/core/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createConnector, type MongoConfigInput } from '../src/index.js';
import { type Backend, startBackend, uniqueDb } from './helpers/backend.js';
import { configSchema } from '../src/index.js';

let backend: Backend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(() => backend.stop());

function parsed(input: MongoConfigInput) {
  const r = configSchema.validate(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

describe.each([
  ['database per tenant', 'database' as const],
  ['tenant field', 'field' as const],
])('connector-mongodb passes the Connector contract kit (%s)', (_label, tenancy) => {
  const database = uniqueDb(`contract_${tenancy}`);
  for (const c of connectorContractCases({
    connector: () => createConnector(testContext(parsed({ connection: { url: backend.url }, database, tenancy }))),
    release: (conn) => conn.close?.(),
  })) {
    it(c.name, c.run);
  }
});
