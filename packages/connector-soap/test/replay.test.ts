/**
 * Real IdP request bodies (`idpTraffic` of `@scimgw/core/testkit`) through the core handler
 * with this connector, against both example SOAP services.
 */
import { idpReplayCases, type ReplayStep, replaySteps } from '@scimgw/testing-kit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { clearStores, connectorFor, type Example, type ExampleServer, exampleEndpoint, startExampleServer } from './helpers.js';

let server: ExampleServer;
beforeAll(async () => {
  server = await startExampleServer({ port: 0 });
});
afterAll(async () => {
  await server?.close();
});

async function replay(which: Example, steps: readonly ReplayStep[]): Promise<void> {
  const { connector } = await connectorFor(exampleEndpoint(which, server.origin));
  try {
    await replaySteps(connector, steps);
  } finally {
    await connector.close?.();
  }
}

/** Both services start empty for every replay: fixtures reuse names (dade.murphy, displayName …). */
const reset = () => clearStores(server);

describe.each([
  ['DirectoryService (document/literal)', 'document'],
  ['LegacyDirectory (rpc/encoded)', 'rpc'],
] as [string, Example][])('IdP replays against %s', (_label, which) => {
  for (const c of idpReplayCases(async (steps) => {
    reset();
    await replay(which, steps);
  }))
    it(c.name, c.run);
});
