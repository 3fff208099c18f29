import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectorContractCases, idpReplayCases, testContext } from '@scimgw/core/testkit';
import { describe, it } from 'vitest';
import { createLegacyPluginConnector } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('a plugin written for the older API passes the Connector contract kit', () => {
  for (const c of connectorContractCases({
    // A fresh load per case: each one gets its own in-memory plugin.
    connector: () =>
      createLegacyPluginConnector(
        testContext({ legacyPlugin: { file: join(here, 'plugins', 'plugin-memory.ts') } }, { baseDir: here }),
      ),
    release: (conn) => conn.close?.(),
  })) {
    it(c.name, c.run);
  }
});

describe('a plugin written for the older API under every identity provider’s traffic', () => {
  for (const c of idpReplayCases({
    connector: () =>
      createLegacyPluginConnector(
        testContext({ legacyPlugin: { file: join(here, 'plugins', 'plugin-memory.ts') } }, { baseDir: here }),
      ),
    release: (conn) => conn.close?.(),
  })) {
    it(c.name, c.run);
  }
});
