/** The Connector contract kit on the Entra ID connector, against the Graph emulator. */
import type { GraphEmulator } from '@scimgw/testing-graph-emulator';
import { connectorContractCases } from '@scimgw/core/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorFor, type SecretApp, secretConfig, startGraph } from './helpers.js';

let graph: GraphEmulator;
let app: SecretApp;
const logs: unknown[] = [];

beforeAll(async () => {
  ({ graph, app } = await startGraph());
});
afterAll(async () => {
  await graph?.close();
});

describe('connector contract kit', () => {
  for (const c of connectorContractCases({
    connector: () => {
      const { connector, ctx } = connectorFor(graph, secretConfig(graph, app));
      logs.push(ctx.logs);
      return connector;
    },
    release: (connector) => connector.close?.(),
  })) {
    it(c.name, c.run);
  }

  it('never logged the client secret or a token', () => {
    const text = JSON.stringify(logs);
    expect(text).not.toContain(app.secret);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  });
});
