import { connectorContractCases } from '@scimgw/core/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createLdapConnector } from '../src/index.js';
import { endpointConfig } from './helpers/config.js';
import { HAVE_SLAPD, type Slapd, startSlapd } from './helpers/slapd.js';

let slapd: Slapd;
beforeAll(async () => {
  slapd = await startSlapd();
});
afterAll(async () => {
  await slapd?.destroy();
});

// cn (displayName here) is required by inetOrgPerson, so every created or replaced user carries one.
const userExtras = (userName: string) => ({ displayName: `Display ${userName}` });

for (const idStrategy of ['dn', 'entryUUID'] as const) {
  describe.skipIf(!HAVE_SLAPD)(`connector-ldap passes the Connector contract kit against slapd (id: ${idStrategy})`, () => {
    for (const c of connectorContractCases({
      connector: () => createLdapConnector({ config: endpointConfig(slapd, { idStrategy }) }),
      release: (conn) => conn.close?.(),
      userExtras,
      prefix: `ct-${idStrategy}`,
    })) {
      it(c.name, c.run);
    }
  });
}
