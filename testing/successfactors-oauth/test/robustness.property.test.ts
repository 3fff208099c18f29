import { contentTypes, formBodies, hangUpMidBody, postChunked, postRaw } from '@scimgw/testing-emulator-kit/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode, signedAssertion } from './helpers/assertion.js';
import { SAML2_BEARER } from './helpers/http.js';
import { startWorld, type World } from './helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.emulator.close());

interface Answer {
  status: number;
  contentType: string | null;
  json: unknown;
}

/** Posts to the token endpoint and insists on a JSON answer within 5 seconds. */
const post = (body: string | Uint8Array, contentType: string | undefined = 'application/x-www-form-urlencoded') =>
  postRaw(world.emulator.tokenUrl, body, contentType, { timeoutMs: 5000 });

/** What every refusal must be: 4xx, JSON, an `error` string. */
function expectRefusal(answer: Answer) {
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  expect(answer.contentType).toBe('application/json; charset=utf-8');
  expect(typeof (answer.json as { error?: unknown }).error).toBe('string');
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const grant = (assertion: string) =>
  form({ grant_type: SAML2_BEARER, client_id: world.apiKey, company_id: world.companyId, assertion });
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Strings more or less like an assertion: raw, base64 of text, base64 of XML-ish text. */
const xmlish = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.constantFrom('<', '<a', '<a>', '<?xml version="1.0"?>', '<a xmlns:b="x"><b:c/></a>', '<!-- c -->', '<![CDATA[x]]>'),
  fc
    .tuple(fc.constantFrom('saml2', 'saml', 'x', ''), fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }))
    .map(([p, id, body]) => {
      const q = p === '' ? 'Assertion' : `${p}:Assertion`;
      const ns = p === '' ? 'xmlns' : `xmlns:${p}`;
      return `<${q} ${ns}="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id.replace(/"/g, '')}" Version="2.0">${body}</${q}>`;
    }),
  fc
    .array(fc.constantFrom('<a>', '</a>', '<b/>', 'text', '&amp;', '&x;', '<!DOCTYPE a>', '<?pi x?>', ' ', '"'), {
      maxLength: 30,
    })
    .map((parts) => parts.join('')),
);
const assertionLike = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.base64String(),
  xmlish.map(b64),
  xmlish.map((s) => b64(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('base64')),
);

describe('property: nothing sent to POST /oauth/token gets a 5xx, a hang or a crash', () => {
  it('any assertion string is refused with a 4xx JSON error', async () => {
    await fc.assert(
      fc.asyncProperty(assertionLike, async (assertion) => {
        expectRefusal(await post(grant(assertion)));
      }),
      { numRuns: 300 },
    );
  });

  it('any form body, raw bytes or content type is refused with a 4xx JSON error', async () => {
    const field = fc.constantFrom('grant_type', 'client_id', 'company_id', 'assertion', 'new_token', '__proto__', 'constructor');
    const body = formBodies(
      SAML2_BEARER,
      fc
        .dictionary(
          field,
          fc.oneof(fc.string(), fc.constant(SAML2_BEARER), fc.constant(world.apiKey), fc.constant(world.companyId)),
        )
        .map(form),
    );
    await fc.assert(
      fc.asyncProperty(body, contentTypes(), async (b, type) => {
        expectRefusal(await post(b, type));
      }),
      { numRuns: 300 },
    );
  });

  it('a correctly signed assertion with a character of its XML changed is answered 200 or a 4xx JSON error', async () => {
    const signed = signedAssertion(world.claims(), world.keys);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: signed.length - 1 }), fc.string({ minLength: 0, maxLength: 3 }), async (at, insert) => {
        const changed = `${signed.slice(0, at)}${insert}${signed.slice(at + 1)}`;
        const answer = await post(grant(encode(changed)));
        if (answer.status === 200) expect((answer.json as { token_type?: string }).token_type).toBe('Bearer');
        else expectRefusal(answer);
      }),
      { numRuns: 200 },
    );
  });
});

describe('garbage and huge inputs', () => {
  it('refuses deep nesting, a 60 KiB assertion, many attributes and DOCTYPE bombs without failing', async () => {
    const deep = `<a>${'<b>'.repeat(9000)}${'</b>'.repeat(9000)}</a>`;
    const attrs = `<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ${Array.from({ length: 2000 }, (_, i) => `a${i}="${i}"`).join(' ')}/>`;
    const quadratic = `<!DOCTYPE a [<!ENTITY x "${'x'.repeat(20_000)}">]><a>${'&x;'.repeat(5000)}</a>`;
    for (const assertion of [
      b64(deep),
      'A'.repeat(60 * 1024),
      b64(attrs),
      b64(quadratic).slice(0, 60_000),
      b64(`<a>${'&amp;'.repeat(8000)}</a>`),
    ]) {
      expectRefusal(await post(grant(assertion)));
    }
    const deepAssertion = `<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x">${'<e>'.repeat(5000)}${'</e>'.repeat(5000)}</saml2:Assertion>`;
    const answer = await post(grant(b64(deepAssertion)));
    expectRefusal(answer);
    expect((answer.json as { error_description: string }).error_description).toMatch(/nested too deeply/);
  });

  it('answers 413 to a body over the limit however it is sent, and to an OData request with one', async () => {
    expectRefusal(await post('x'.repeat(200 * 1024)));
    const big = await post(grant(encode(signedAssertion(world.claims(), world.keys)) + 'A'.repeat(64 * 1024)));
    expect(big.status).toBe(413);
    expect(await postChunked(world.emulator.tokenUrl, 100)).toBe(413);
    const api = await fetch(world.emulator.userUrl('alice'), { method: 'POST', body: 'x'.repeat(100 * 1024) });
    expect(api.status).toBe(413);
  });

  it('survives a client that hangs up in the middle of a body', async () => {
    await hangUpMidBody(world.emulator.base, '/oauth/token');
    expect((await post(grant(world.assertion()))).status).toBe(200);
  });

  it('still grants tokens after all of the above', async () => {
    const answer = await post(grant(world.assertion({ userId: 'bob' })));
    expect(answer.status).toBe(200);
  });
});
