/**
 * Opt-in: the user mode against a real SAP HANA when HANA_URL is set (and @sap/hana-client is
 * installed next to the package):
 *   HANA_URL='hana://SCIM_ADMIN:password@host:443?samlProvider=CORP_IDP&rolePattern=^SCIM_TEST_'
 * The technical user needs USER ADMIN and the grants it hands out; users are made with the prefix
 * SCIMGW_T_ and dropped by the contract kit's own cleanup.
 */
import type { Connector } from '@scimgw/core';
import { connectorContractCases } from '@scimgw/core/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createHanaConnector } from '../src/index.js';

const url = process.env.HANA_URL;

describe.skipIf(!url)('real SAP HANA (HANA_URL)', () => {
  let connector: Connector;
  beforeAll(async () => {
    const u = new URL(url as string);
    connector = await createHanaConnector({
      config: {
        connection: {
          host: u.hostname,
          port: Number(u.port || 443),
          user: decodeURIComponent(u.username),
          password: decodeURIComponent(u.password),
          encrypt: u.searchParams.get('encrypt') !== 'false',
          sslValidateCertificate: u.searchParams.get('sslValidateCertificate') !== 'false',
        },
        users: {
          samlProvider: u.searchParams.get('samlProvider') ?? '',
          rolePattern: u.searchParams.get('rolePattern') ?? '^SCIM_',
        },
      },
    });
  });
  afterAll(async () => {
    await connector?.close?.();
  });
  const NOT_APPLICABLE = [
    /PATCH replaces one attribute/,
    /PUT replaces the resource/,
    /group membership/,
    /finds a group by displayName/,
  ];
  for (const c of connectorContractCases({ connector: () => connector })) {
    if (NOT_APPLICABLE.some((r) => r.test(c.name))) it.skip(c.name, c.run);
    else it(c.name, c.run, 60_000);
  }
});
