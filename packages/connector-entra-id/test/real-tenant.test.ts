/**
 * Opt-in: the contract kit and a membership round trip against a REAL Microsoft Entra tenant.
 * Skipped unless these environment variables are set (see the README):
 *
 *   SCIMGW_ENTRA_TENANT_ID      directory (tenant) id
 *   SCIMGW_ENTRA_CLIENT_ID      application (client) id of a test app registration
 *   SCIMGW_ENTRA_CLIENT_SECRET  its client secret (or SCIMGW_ENTRA_PFX + SCIMGW_ENTRA_PFX_PASSPHRASE)
 *   SCIMGW_ENTRA_DOMAIN         a verified domain for the test users (e.g. contoso.onmicrosoft.com)
 *   SCIMGW_ENTRA_CLOUD          optional: global (default), usgov, usgovDod, china
 *
 * It creates users and groups named `ct…` and deletes them again. Use a test tenant.
 */
import { connectorContractCases, testContext } from '@scimgw/core/testkit';
import { describe, expect, it } from 'vitest';
import { createEntraIdConnector, type EntraIdConfigInput } from '../src/index.js';

const env = process.env;
const enabled = Boolean(
  env.SCIMGW_ENTRA_TENANT_ID &&
    env.SCIMGW_ENTRA_CLIENT_ID &&
    env.SCIMGW_ENTRA_DOMAIN &&
    (env.SCIMGW_ENTRA_CLIENT_SECRET || env.SCIMGW_ENTRA_PFX),
);

function config(): EntraIdConfigInput {
  const options = {
    azureTenantId: env.SCIMGW_ENTRA_TENANT_ID as string,
    clientId: env.SCIMGW_ENTRA_CLIENT_ID as string,
  };
  return {
    entity: {
      undefined: {
        cloud: (env.SCIMGW_ENTRA_CLOUD as 'global' | undefined) ?? 'global',
        userPrincipalNameDomain: env.SCIMGW_ENTRA_DOMAIN as string,
        connection: {
          auth: env.SCIMGW_ENTRA_CLIENT_SECRET
            ? { type: 'oauth', options: { ...options, clientSecret: env.SCIMGW_ENTRA_CLIENT_SECRET } }
            : {
                type: 'oauthJwtBearer',
                options: {
                  ...options,
                  tls: { pfx: env.SCIMGW_ENTRA_PFX as string, passphrase: env.SCIMGW_ENTRA_PFX_PASSPHRASE ?? null },
                },
              },
        },
      },
    },
    // A real tenant needs its own permissions for these; the kit exercises users and groups only.
    roles: { attribute: null },
    accessPackages: { attribute: null },
    licenses: { attribute: null },
  };
}

describe.skipIf(!enabled)('a real Microsoft Entra tenant (opt-in)', () => {
  const logs: unknown[] = [];
  for (const c of connectorContractCases({
    connector: () => {
      const ctx = testContext(config());
      logs.push(ctx.logs);
      return createEntraIdConnector({ config: config(), logger: ctx.log, certsDir: process.cwd() });
    },
    release: (connector) => connector.close?.(),
  })) {
    it(c.name, c.run, 120_000);
  }

  it('logged no secret', () => {
    if (env.SCIMGW_ENTRA_CLIENT_SECRET) expect(JSON.stringify(logs)).not.toContain(env.SCIMGW_ENTRA_CLIENT_SECRET);
    expect(JSON.stringify(logs)).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  });
});
