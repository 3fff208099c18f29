/**
 * Real IdP request bodies (Entra ID with and without the 2020 flag, Okta, OneLogin, the non-standard
 * "delete" op, Broadcom IM in SCIM 1.1) through the core's handler into MongoDB.
 */
import { idpReplayCases, replaySteps } from '@scimgw/testing-kit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { MongoConnector } from '../src/index.js';
import { type Backend, connectorOn, startBackend } from './helpers/backend.js';

let backend: Backend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(() => backend.stop());

describe('IdP replays against MongoDB', () => {
  for (const c of idpReplayCases(async (steps) => {
    const connector: MongoConnector = connectorOn(backend.url, { indexes: { uniqueGroupDisplayName: false } });
    try {
      await connector.open();
      await replaySteps(connector, steps);
    } finally {
      await connector.close?.();
    }
  }))
    it(c.name, c.run);
});
