import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectorContractCases } from '@scimgw/core/testkit';
import { afterAll, describe, it } from 'vitest';
import { createLokiConnector } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'loki-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('connector-loki passes the Connector contract kit (persistent)', () => {
  for (const c of connectorContractCases({
    connector: () => createLokiConnector({ directory: dir, exampleData: false }),
    release: (conn) => conn.close?.(),
  })) {
    it(c.name, c.run);
  }
});

describe('connector-loki passes the Connector contract kit (in memory)', () => {
  for (const c of connectorContractCases({
    connector: () => createLokiConnector({ persistence: false }),
  })) {
    it(c.name, c.run);
  }
});
