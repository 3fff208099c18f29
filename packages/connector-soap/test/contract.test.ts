/**
 * The contract kit against both example services, each a real SOAP server (soap.listen) on
 * loopback: DirectoryService (document/literal) and LegacyDirectory (rpc/encoded).
 */
import type { Connector } from '@scimgw/core';
import { connectorContractCases } from '@scimgw/core/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { connectorFor, type Example, type ExampleServer, exampleEndpoint, startExampleServer } from './helpers.js';

let server: ExampleServer;
beforeAll(async () => {
  server = await startExampleServer({ port: 0 });
});
afterAll(async () => {
  await server?.close();
});

const release = (c: Connector) => c.close?.();

for (const [label, which] of [
  ['DirectoryService (document/literal)', 'document'],
  ['LegacyDirectory (rpc/encoded)', 'rpc'],
] as [string, Example][]) {
  describe(`connector-soap → ${label} passes the contract kit`, () => {
    for (const c of connectorContractCases({
      connector: async () => (await connectorFor(exampleEndpoint(which, server.origin))).connector,
      release,
    })) {
      it(c.name, c.run);
    }
  });
}
