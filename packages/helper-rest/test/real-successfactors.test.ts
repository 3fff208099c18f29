/**
 * Opt-in: the SAML assertion the gateway signs, against SAP SuccessFactors itself, skipped unless
 * these are set:
 *
 *   SCIMGW_SF_API_URL      the data center's API host, e.g. https://api4.successfactors.com
 *   SCIMGW_SF_COMPANY_ID   the company id
 *   SCIMGW_SF_CLIENT_ID    the API key of an OAuth client application registered with the
 *                          certificate below
 *   SCIMGW_SF_USER_ID      the user the gateway acts as (and reads)
 *   SCIMGW_SF_KEY          the PEM private key of that certificate (path)
 *   SCIMGW_SF_CERT         optional: the certificate (path), put into KeyInfo
 *
 * It signs in as saml-successfactors.test.ts does against the emulator, reads the user through
 * OData, and checks that nothing secret reached the log. It changes nothing.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHelperRest } from '../src/index.js';
import { captureLogger } from './helpers.js';

const env = process.env;
const enabled = Boolean(
  env.SCIMGW_SF_API_URL && env.SCIMGW_SF_COMPANY_ID && env.SCIMGW_SF_CLIENT_ID && env.SCIMGW_SF_USER_ID && env.SCIMGW_SF_KEY,
);

describe.skipIf(!enabled)('a signed SAML assertion against SAP SuccessFactors (opt-in)', () => {
  it('trades the assertion for a token that reads the user', async () => {
    const logger = captureLogger();
    const api = (env.SCIMGW_SF_API_URL as string).replace(/\/+$/, '');
    const user = env.SCIMGW_SF_USER_ID as string;
    const h = createHelperRest({
      logger,
      endpoint: {
        entity: {
          undefined: {
            connection: {
              baseUrls: [api],
              auth: {
                type: 'oauthSamlBearer',
                options: {
                  tokenUrl: `${api}/oauth/token`,
                  samlPayload: { clientId: env.SCIMGW_SF_CLIENT_ID, companyId: env.SCIMGW_SF_COMPANY_ID, userId: user },
                  tls: { key: env.SCIMGW_SF_KEY as string, ...(env.SCIMGW_SF_CERT ? { cert: env.SCIMGW_SF_CERT } : {}) },
                },
              },
            },
          },
        },
      },
    });
    try {
      const r = await h.doRequest<{ d: { userId: string } }>(
        undefined,
        'GET',
        `/odata/v2/User('${encodeURIComponent(user.replace(/'/g, "''"))}')?$format=json`,
      );
      expect(r.status).toBe(200);
      expect(r.body.d.userId).toBe(user);
      const keyLine = readFileSync(env.SCIMGW_SF_KEY as string, 'utf8').split('\n')[1] as string;
      expect(logger.text()).not.toContain(keyLine);
      expect(logger.text()).not.toContain('<saml2:Assertion');
    } finally {
      await h.close();
    }
  }, 30_000);
});
