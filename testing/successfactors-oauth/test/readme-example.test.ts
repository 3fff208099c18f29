/** The README's example, run: a client that signs its own assertion, end to end. */
import { afterAll, expect, it } from 'vitest';
import { startSuccessFactorsOAuthEmulator } from '../src/index.js';
import { signedAssertion } from './helpers/assertion.js';
import { openSslKeyPair } from './helpers/keys.js';

const sf = await startSuccessFactorsOAuthEmulator();
afterAll(() => sf.close());

it('runs the README example', async () => {
  const { privateKeyPem, certificatePem } = openSslKeyPair('readme-client');
  sf.addCompany('ACME');
  sf.addUser('ACME', 'sfapi');
  const apiKey = sf.registerClient({ companyId: 'ACME', certificatePem });

  const signedAssertionXml = signedAssertion(
    { apiKey, userId: 'sfapi', recipient: sf.tokenUrl, issuer: apiKey },
    { privateKeyPem, certificatePem },
  );
  const token = await fetch(sf.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:saml2-bearer',
      client_id: apiKey,
      company_id: 'ACME',
      assertion: Buffer.from(signedAssertionXml).toString('base64'),
    }),
  }).then((r) => r.json());
  expect(token).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 86399 });

  const user = await fetch(sf.userUrl('sfapi'), { headers: { Authorization: `Bearer ${token.access_token}` } });
  expect(user.status).toBe(200);
  expect(await user.json()).toEqual({
    d: { __metadata: { uri: `${sf.base}/odata/v2/User('sfapi')`, type: 'SFOData.User' }, userId: 'sfapi', status: 't' },
  });

  sf.expireTokens();
  const expired = await fetch(sf.userUrl('sfapi'), { headers: { Authorization: `Bearer ${token.access_token}` } });
  expect(expired.status).toBe(401);
  expect(sf.calls.map((call) => call.status)).toEqual([200, 200, 401]);
  expect(sf.calls[0]).toMatchObject({ kind: 'token', assertionXml: signedAssertionXml });
});

it('refuses to register a client of an unknown company or with something that is not a certificate', () => {
  const { certificatePem } = openSslKeyPair('readme-client-2');
  expect(() => sf.registerClient({ companyId: 'NOPE', certificatePem })).toThrow(/addCompany/);
  expect(() => sf.registerClient({ companyId: 'ACME', certificatePem: 'not a certificate' })).toThrow(TypeError);
  // The body alone, as SuccessFactors' registration form takes it, is a certificate too.
  const body = certificatePem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  expect(sf.registerClient({ companyId: 'ACME', certificatePem: body, apiKey: 'body-only' })).toBe('body-only');
  expect(() => sf.registerClient({ companyId: 'ACME', certificatePem, apiKey: 'body-only' })).toThrow(/registered already/);
  expect(() => sf.addUser('NOPE', 'x')).toThrow(/addCompany/);
  expect(() => sf.revokeClient('no-such-key')).toThrow(/no client/);
});
