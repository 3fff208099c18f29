/**
 * The SAML bearer grant with an assertion the gateway signs itself, end to end against an emulator
 * of SAP SuccessFactors' OAuth token endpoint and OData API (@scimgw/testing-successfactors-oauth,
 * which verifies signatures with xml-crypto against the registered certificate only): one token
 * for many calls, a new one after a 401, refusals as errors naming them, nothing secret logged.
 */
import { startSuccessFactorsOAuthEmulator } from '@scimgw/testing-successfactors-oauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelperRest, type HelperRest, RestAuthError } from '../src/index.js';
import { type CapturedLogger, captureLogger, makePki, type Pki } from './helpers.js';

type Emulator = Awaited<ReturnType<typeof startSuccessFactorsOAuthEmulator>>;
let sf: Emulator;
let pki: Pki;
let apiKey: string;
const open: HelperRest[] = [];

beforeAll(async () => {
  pki = makePki();
  sf = await startSuccessFactorsOAuthEmulator();
  sf.addCompany('ACMECORP');
  sf.addUser('ACMECORP', 'sfapi_admin');
  sf.addUser('ACMECORP', 'bjensen');
  apiKey = sf.registerClient({ companyId: 'ACMECORP', certificatePem: pki.clientCert });
});
afterAll(async () => {
  for (const h of open) await h.close();
  await sf?.close();
  pki?.cleanup();
});

function helperWith(
  samlPayload: Record<string, unknown>,
  tls: Record<string, string> = { key: 'client.key', cert: 'client.pem' },
) {
  const logger = captureLogger();
  const h = createHelperRest({
    certsDir: pki.dir,
    logger,
    endpoint: {
      entity: {
        undefined: {
          connection: {
            baseUrls: [sf.base],
            retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
            auth: { type: 'oauthSamlBearer', options: { tokenUrl: sf.tokenUrl, samlPayload, tls } },
          },
        },
      },
    },
  });
  open.push(h);
  return { h, logger };
}

const userPath = (id: string) => new URL(sf.userUrl(id)).pathname + new URL(sf.userUrl(id)).search;
const tokenCalls = () => sf.calls.filter((c) => c.kind === 'token');

function noSecrets(logger: CapturedLogger) {
  const text = logger.text();
  expect(text).not.toContain(pki.clientKey.split('\n')[1] as string);
  expect(text).not.toContain('<saml2:Assertion');
  for (const t of tokenCalls()) expect(text).not.toContain((t.form as Record<string, string>).assertion as string);
}

describe('SuccessFactors: a SAML assertion signed by the gateway', () => {
  it('is accepted: the token reads a user, and serves many calls', async () => {
    sf.calls.length = 0;
    const { h, logger } = helperWith({ clientId: apiKey, companyId: 'ACMECORP', userId: 'sfapi_admin' });
    const r = await h.doRequest<{ d: { userId: string } }>(undefined, 'GET', userPath('bjensen'));
    expect(r.status).toBe(200);
    expect(r.body.d.userId).toBe('bjensen');
    await Promise.all([1, 2, 3].map(() => h.doRequest(undefined, 'GET', userPath('sfapi_admin'))));
    const tokens = tokenCalls();
    expect(tokens.map((t) => t.status)).toEqual([200]);
    const form = tokens[0]?.form as Record<string, string>;
    expect(form).toMatchObject({
      grant_type: 'urn:ietf:params:oauth:grant-type:saml2-bearer',
      client_id: apiKey,
      company_id: 'ACMECORP',
    });
    noSecrets(logger);
  });

  it('signs a new assertion for a new token after a 401', async () => {
    sf.calls.length = 0;
    const { h, logger } = helperWith({ clientId: apiKey, companyId: 'ACMECORP', userId: 'sfapi_admin' });
    expect((await h.doRequest(undefined, 'GET', userPath('bjensen'))).status).toBe(200);
    sf.expireTokens();
    expect((await h.doRequest(undefined, 'GET', userPath('bjensen'))).status).toBe(200);
    const tokens = tokenCalls();
    expect(tokens.map((t) => t.status)).toEqual([200, 200]);
    const assertions = tokens.map((t) => (t.form as Record<string, string>).assertion);
    expect(new Set(assertions).size).toBe(2);
    noSecrets(logger);
  });

  it("answers SuccessFactors' refusals as errors naming them", async () => {
    sf.calls.length = 0;
    // Signed with a key the client application was not registered with.
    const other = helperWith(
      { clientId: apiKey, companyId: 'ACMECORP', userId: 'sfapi_admin' },
      { key: 'other.key', cert: 'other.pem' },
    );
    const e1 = await other.h.doRequest(undefined, 'GET', userPath('bjensen')).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(RestAuthError);
    expect((e1 as RestAuthError).oauthError).toBe('invalid_grant');
    noSecrets(other.logger);
    // A user the company does not have.
    const nobody = helperWith({ clientId: apiKey, companyId: 'ACMECORP', userId: 'ghost' });
    const e2 = await nobody.h.doRequest(undefined, 'GET', userPath('bjensen')).catch((e: unknown) => e);
    expect((e2 as RestAuthError).oauthError).toBe('invalid_grant');
    // Another audience than SuccessFactors'.
    const aud = helperWith({ clientId: apiKey, companyId: 'ACMECORP', userId: 'sfapi_admin', audience: 'example.com' });
    const e3 = await aud.h.doRequest(undefined, 'GET', userPath('bjensen')).catch((e: unknown) => e);
    expect((e3 as RestAuthError).oauthError).toBe('invalid_grant');
    // A revoked client application.
    const revokedKey = sf.registerClient({ companyId: 'ACMECORP', certificatePem: pki.clientCert });
    sf.revokeClient(revokedKey);
    const revoked = helperWith({ clientId: revokedKey, companyId: 'ACMECORP', userId: 'sfapi_admin' });
    const e4 = await revoked.h.doRequest(undefined, 'GET', userPath('bjensen')).catch((e: unknown) => e);
    expect((e4 as RestAuthError).oauthError).toBe('invalid_client');
    expect(tokenCalls().every((t) => t.status >= 400)).toBe(true);
  });

  it('fails at startup on a key it cannot sign with, naming it', () => {
    expect(() => helperWith({ clientId: apiKey, userId: 'sfapi_admin' }, { key: 'missing.key' })).toThrow(
      /Cannot read auth tls\.key file .*missing\.key: ENOENT/,
    );
    expect(() => helperWith({ clientId: apiKey, userId: 'a\u0001b' })).toThrow(
      'Cannot build a SAML assertion from auth samlPayload and tls.key: userId contains characters XML cannot carry',
    );
  });
});
