import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertionXml, encode, SAML_NS, samlTime, signedAssertion, signXml } from './helpers/assertion.js';
import { get, postToken, requestToken, SAML2_BEARER } from './helpers/http.js';
import { startWorld, type World } from './helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.emulator.close());

/** A refusal: status, RFC 6749 §5.2 body, and the description matched. */
function expectRefusal(
  answer: { status: number; headers: Headers; json: any },
  status: number,
  error: string,
  description?: RegExp,
) {
  expect({ status: answer.status, error: answer.json.error }).toEqual({ status, error });
  expect(Object.keys(answer.json).sort()).toEqual(['error', 'error_description']);
  expect(typeof answer.json.error_description).toBe('string');
  if (description) expect(answer.json.error_description).toMatch(description);
  expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(answer.headers.get('cache-control')).toBe('no-store');
}

describe('POST /oauth/token: success', () => {
  it('exchanges a signed assertion for a bearer token that reads a user', async () => {
    const answer = await world.request(world.assertion(), { new_token: 'true' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Object.keys(answer.json).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(answer.json.token_type).toBe('Bearer');
    expect(answer.json.expires_in).toBe(86399);
    expect(answer.json.access_token).toMatch(/^[A-Za-z0-9+/]{40,}={0,2}$/);

    const user = await get(world.emulator.userUrl('bob'), `Bearer ${answer.json.access_token}`);
    expect(user.status).toBe(200);
    expect(user.json).toEqual({
      d: {
        __metadata: { uri: `${world.emulator.base}/odata/v2/User('bob')`, type: 'SFOData.User' },
        userId: 'bob',
        status: 't',
      },
    });
  });

  it('logs the call with its form fields and the decoded assertion', async () => {
    world.emulator.calls.length = 0;
    const xml = signedAssertion(world.claims(), world.keys);
    await world.request(encode(xml));
    expect(world.emulator.calls).toHaveLength(1);
    const call = world.emulator.calls[0]!;
    expect(call).toMatchObject({ kind: 'token', method: 'POST', status: 200, assertionXml: xml });
    expect(call.kind === 'token' && call.form).toMatchObject({
      grant_type: SAML2_BEARER,
      client_id: world.apiKey,
      company_id: world.companyId,
    });
    expect('error' in call).toBe(false);
  });

  it('takes base64url with and without padding, and base64 broken into lines', async () => {
    for (const style of ['base64url', 'base64url-padded'] as const) {
      let xml = signedAssertion(world.claims(), world.keys);
      // Make sure the encodings differ from standard base64 and need padding.
      while (!/[+/]/.test(encode(xml)) || !encode(xml).endsWith('=')) xml = signedAssertion(world.claims(), world.keys);
      const encoded = encode(xml, style);
      expect(encoded).toMatch(style === 'base64url' ? /^[A-Za-z0-9_-]+$/ : /^[A-Za-z0-9_-]+=+$/);
      const answer = await world.request(encoded);
      expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    }
    const mime = encode(signedAssertion(world.claims(), world.keys)).replace(/(.{76})/g, '$1\r\n');
    expect((await world.request(mime)).status).toBe(200);
  });

  it('takes assertions written with any namespace prefix', async () => {
    for (const prefix of ['saml', '', 'x']) {
      const answer = await world.request(world.assertion({ prefix }));
      expect(answer.status, `prefix ${JSON.stringify(prefix)}: ${JSON.stringify(answer.json)}`).toBe(200);
    }
  });

  it('hands out the same token again unless new_token=true', async () => {
    const first = await world.request(world.assertion({ userId: 'bob' }), { new_token: 'true' });
    const again = await world.request(world.assertion({ userId: 'bob' }));
    const fresh = await world.request(world.assertion({ userId: 'bob' }), { new_token: 'true' });
    expect(again.json.access_token).toBe(first.json.access_token);
    expect(fresh.json.access_token).not.toBe(first.json.access_token);
    expect(fresh.json.expires_in).toBe(86399);
  });

  it('accepts Conditions within the clock skew allowance', async () => {
    const now = Date.now();
    const answer = await world.request(
      world.assertion({ notBefore: samlTime(now + 240_000), notOnOrAfter: samlTime(now - 240_000) }),
    );
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  });

  it('ignores the certificate in KeyInfo: a signature by the registered key verifies whatever KeyInfo says', async () => {
    const answer = await world.request(world.assertion({}, { keyInfoCertificate: world.strangerKeys.certificatePem }));
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  });
});

describe('POST /oauth/token: refusals of the request', () => {
  it('refuses another grant type with unsupported_grant_type', async () => {
    const answer = await postToken(world.emulator.tokenUrl, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      client_id: world.apiKey,
      company_id: world.companyId,
      assertion: world.assertion(),
    });
    expectRefusal(answer, 400, 'unsupported_grant_type');
    expectRefusal(
      await postToken(world.emulator.tokenUrl, { grant_type: 'client_credentials', client_id: world.apiKey }),
      400,
      'unsupported_grant_type',
    );
  });

  it('refuses an unknown or missing company_id with invalid_request', async () => {
    const unknown = await requestToken(world.emulator.tokenUrl, {
      clientId: world.apiKey,
      companyId: 'NOSUCHCO',
      assertion: world.assertion(),
    });
    expectRefusal(unknown, 400, 'invalid_request', /company_id "NOSUCHCO" not found/);
    const missing = await postToken(world.emulator.tokenUrl, {
      grant_type: SAML2_BEARER,
      client_id: world.apiKey,
      assertion: world.assertion(),
    });
    expectRefusal(missing, 400, 'invalid_request', /company_id/);
  });

  it('refuses an unknown or missing client_id with 401 invalid_client', async () => {
    const unknown = await requestToken(world.emulator.tokenUrl, {
      clientId: 'bm90LWEta2V5',
      companyId: world.companyId,
      assertion: world.assertion({ apiKey: 'bm90LWEta2V5' }),
    });
    expectRefusal(unknown, 401, 'invalid_client');
    const missing = await postToken(world.emulator.tokenUrl, {
      grant_type: SAML2_BEARER,
      company_id: world.companyId,
      assertion: world.assertion(),
    });
    expectRefusal(missing, 401, 'invalid_client');
  });

  it("refuses another company's client with 401 invalid_client", async () => {
    const assertion = encode(signedAssertion(world.claims({ apiKey: world.otherApiKey, userId: 'alice' }), world.otherKeys));
    const answer = await requestToken(world.emulator.tokenUrl, {
      clientId: world.otherApiKey,
      companyId: world.companyId,
      assertion,
    });
    expectRefusal(answer, 401, 'invalid_client');
    // The same client in its own company is fine.
    const own = encode(signedAssertion(world.claims({ apiKey: world.otherApiKey, userId: 'carol' }), world.otherKeys));
    const ok = await requestToken(world.emulator.tokenUrl, {
      clientId: world.otherApiKey,
      companyId: world.otherCompanyId,
      assertion: own,
    });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
  });

  it('refuses a revoked client with 401 invalid_client, and its tokens stop working', async () => {
    const apiKey = world.emulator.registerClient({ companyId: world.companyId, certificatePem: world.keys.certificatePem });
    const assertion = () => encode(signedAssertion(world.claims({ apiKey }), world.keys));
    const granted = await requestToken(world.emulator.tokenUrl, {
      clientId: apiKey,
      companyId: world.companyId,
      assertion: assertion(),
    });
    expect(granted.status).toBe(200);
    world.emulator.revokeClient(apiKey);
    const refused = await requestToken(world.emulator.tokenUrl, {
      clientId: apiKey,
      companyId: world.companyId,
      assertion: assertion(),
    });
    expectRefusal(refused, 401, 'invalid_client');
    expect((await get(world.emulator.userUrl('alice'), `Bearer ${granted.json.access_token}`)).status).toBe(401);
  });

  it('refuses a repeated parameter, a body that is not a form, and other methods', async () => {
    const body = new URLSearchParams([
      ['grant_type', SAML2_BEARER],
      ['client_id', world.apiKey],
      ['client_id', world.apiKey],
      ['company_id', world.companyId],
      ['assertion', world.assertion()],
    ]);
    const repeated = await fetch(world.emulator.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    expect(repeated.status).toBe(400);
    expect((await repeated.json()).error).toBe('invalid_request');
    const json = await fetch(world.emulator.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(Object.fromEntries(body)),
    });
    expect(json.status).toBe(400);
    expect((await json.json()).error).toBe('invalid_request');
    const getToken = await fetch(world.emulator.tokenUrl);
    expect(getToken.status).toBe(405);
    expect(getToken.headers.get('allow')).toBe('POST');
  });
});

describe('POST /oauth/token: refusals of the assertion', () => {
  it('refuses a missing assertion with invalid_grant', async () => {
    const answer = await postToken(world.emulator.tokenUrl, {
      grant_type: SAML2_BEARER,
      client_id: world.apiKey,
      company_id: world.companyId,
    });
    expectRefusal(answer, 400, 'invalid_grant', /assertion/i);
  });

  it('refuses an assertion that is not base64', async () => {
    for (const bad of ['***', 'PHNhbWw+ PC9zYW1sPg==', 'A', 'PHNh-bWw+', 'PHNhbWw=PC9', 'ÄÖÜ']) {
      expectRefusal(await world.request(bad), 400, 'invalid_grant', /base64/);
    }
  });

  it('refuses base64 of something that is not XML or not UTF-8', async () => {
    expectRefusal(await world.request(encode('hello, world')), 400, 'invalid_grant', /well-formed XML/);
    expectRefusal(await world.request(encode('<a><b></a>')), 400, 'invalid_grant', /well-formed XML/);
    expectRefusal(await world.request(Buffer.from([0xff, 0xfe, 0x00, 0x3c]).toString('base64')), 400, 'invalid_grant', /UTF-8/);
  });

  it('refuses any DOCTYPE, also in an otherwise valid signed assertion', async () => {
    const signed = signedAssertion(world.claims(), world.keys);
    const withDoctype = `<?xml version="1.0"?>\n<!DOCTYPE saml2:Assertion [<!ENTITY user "bob">]>\n${signed}`;
    expectRefusal(await world.request(encode(withDoctype)), 400, 'invalid_grant', /DOCTYPE/);
    const laughs =
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>';
    expectRefusal(await world.request(encode(laughs)), 400, 'invalid_grant', /DOCTYPE/);
    const external = `<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>`;
    expectRefusal(await world.request(encode(external)), 400, 'invalid_grant', /DOCTYPE/);
  });

  it('refuses a root element that is not a SAML 2.0 Assertion', async () => {
    const signed = signedAssertion(world.claims(), world.keys);
    const response =
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r" Version="2.0" IssueInstant="${samlTime(Date.now())}">` +
      `${signed}</samlp:Response>`;
    expectRefusal(await world.request(encode(response)), 400, 'invalid_grant', /not a SAML 2\.0 Assertion/);
    const saml1 = signXml(assertionXml(world.claims()).replaceAll(SAML_NS, 'urn:oasis:names:tc:SAML:1.0:assertion'), world.keys);
    expectRefusal(await world.request(encode(saml1)), 400, 'invalid_grant', /not a SAML 2\.0 Assertion/);
    expectRefusal(await world.request(encode('<Assertion/>')), 400, 'invalid_grant', /not a SAML 2\.0 Assertion/);
  });

  const claimCases: [string, () => Record<string, unknown>, RegExp][] = [
    ['a Recipient other than the token URL', () => ({ recipient: `${world.emulator.base}/odata/v2/` }), /Recipient/],
    ['no Recipient', () => ({ recipient: null }), /Recipient/],
    ['an expired Conditions NotOnOrAfter', () => ({ notOnOrAfter: samlTime(Date.now() - 400_000) }), /Conditions NotOnOrAfter/],
    ['no Conditions NotOnOrAfter', () => ({ notOnOrAfter: null }), /Conditions NotOnOrAfter/],
    [
      'a passed SubjectConfirmationData NotOnOrAfter',
      () => ({ confirmationNotOnOrAfter: samlTime(Date.now() - 1000) }),
      /SubjectConfirmationData NotOnOrAfter/,
    ],
    ['a NotBefore in the future', () => ({ notBefore: samlTime(Date.now() + 400_000) }), /NotBefore/],
    ['a wrong Audience', () => ({ audience: 'api4.successfactors.com' }), /Audience/],
    ['no AudienceRestriction', () => ({ audience: null }), /Audience/],
    ['an api_key other than client_id', () => ({ apiKey: world.otherApiKey }), /api_key/],
    ['no api_key attribute', () => ({ apiKey: null }), /api_key/],
    ['an unknown user', () => ({ userId: 'mallory' }), /user "mallory" not found/],
    ['a user of another company', () => ({ userId: 'carol' }), /user "carol" not found/],
    ['no NameID', () => ({ userId: null }), /NameID/],
    ['no Issuer', () => ({ issuer: null }), /Issuer/],
    ['no IssueInstant', () => ({ issueInstant: null }), /IssueInstant/],
    ['an IssueInstant that is not a UTC dateTime', () => ({ issueInstant: '2024-01-01 10:00' }), /IssueInstant/],
    ['a SAML 1.1 Version', () => ({ version: '1.1' }), /Version/],
    ['a holder-of-key confirmation', () => ({ method: 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key' }), /SubjectConfirmation/],
  ];
  it.each(claimCases)('refuses %s with invalid_grant naming the claim', async (_name, overrides, description) => {
    const answer = await world.request(world.assertion(overrides()));
    expectRefusal(answer, 400, 'invalid_grant', description);
  });
});
