import { contentTypes, formBodies, hangUpMidBody, postChunked, postRaw } from '@scimgw/testing-emulator-kit/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoogleOAuthEmulator, type ServiceAccountKeyFile, startGoogleOAuthEmulator } from '../src/index.js';
import { assertionFor, DIRECTORY_USER_READONLY, JWT_BEARER, signJwt } from './helpers/client.js';

let emulator: GoogleOAuthEmulator;
let key: ServiceAccountKeyFile;
beforeAll(async () => {
  emulator = await startGoogleOAuthEmulator();
  key = emulator.createServiceAccount({ delegation: [DIRECTORY_USER_READONLY] });
  emulator.addUser('admin@example.com');
});
afterAll(() => emulator.close());

/** Posts and insists on a JSON answer within 5 seconds. */
const post = (body: string | Uint8Array, contentType: string | undefined = 'application/x-www-form-urlencoded') =>
  postRaw(emulator.tokenUri, body, contentType, { timeoutMs: 5000 });

/** The answer every refusal must have: 4xx, JSON, an `error` string. */
function expectRefusal(answer: { status: number; contentType: string | null; json: unknown }) {
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  expect(answer.contentType).toBe('application/json; charset=utf-8');
  expect(typeof (answer.json as { error?: unknown }).error).toBe('string');
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const b64 = (text: string) => Buffer.from(text).toString('base64url');

/** Strings that look more or less like a compact JWS. */
const jwsLike = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.array(fc.string({ maxLength: 40 }), { maxLength: 5 }).map((parts) => parts.join('.')),
  fc.tuple(fc.json(), fc.json(), fc.string({ maxLength: 40 })).map(([h, p, s]) => `${b64(h)}.${b64(p)}.${s}`),
  fc
    .tuple(fc.dictionary(fc.string(), fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue()))
    .map(([h, p]) => `${b64(JSON.stringify(h))}.${b64(JSON.stringify(p))}.${b64('x'.repeat(256))}`),
  fc.base64String().map((s) => `${s}.${s}.${s}`),
);

describe('property: nothing sent to POST /token gets a 5xx, a hang or a crash', () => {
  it('any string as the assertion is refused with a 4xx JSON error', async () => {
    await fc.assert(
      fc.asyncProperty(jwsLike, async (assertion) => {
        expectRefusal(await post(form({ grant_type: JWT_BEARER, assertion })));
      }),
      { numRuns: 300 },
    );
  });

  it('any form body, raw bytes or content type is refused with a 4xx JSON error', async () => {
    await fc.assert(
      fc.asyncProperty(formBodies(JWT_BEARER), contentTypes(), async (b, type) => {
        expectRefusal(await post(b, type));
      }),
      { numRuns: 300 },
    );
  });

  it('a correctly signed JWT with any header and claims merged in is answered 200 or a 4xx JSON error', async () => {
    const now = Math.floor(Date.now() / 1000);
    const base = { iss: key.client_email, scope: DIRECTORY_USER_READONLY, aud: key.token_uri, iat: now, exp: now + 3600 };
    const overrides = fc.dictionary(
      fc.oneof(fc.constantFrom('iss', 'scope', 'aud', 'iat', 'exp', 'sub', '__proto__', 'constructor'), fc.string()),
      fc.jsonValue(),
      { maxKeys: 4 },
    );
    const headerOverrides = fc.dictionary(fc.constantFrom('alg', 'typ', 'kid', 'crit', 'jku', 'x5c'), fc.jsonValue(), {
      maxKeys: 2,
    });
    await fc.assert(
      fc.asyncProperty(overrides, headerOverrides, async (claims, header) => {
        const assertion = signJwt(
          { alg: 'RS256', typ: 'JWT', kid: key.private_key_id, ...header },
          { ...base, ...claims },
          key.private_key,
        );
        const answer = await post(form({ grant_type: JWT_BEARER, assertion }));
        if (answer.status !== 200) expectRefusal(answer);
        else expect((answer.json as { token_type: string }).token_type).toBe('Bearer');
      }),
      { numRuns: 150 },
    );
  });
});

describe('garbage and huge inputs', () => {
  it('refuses deep JSON, a 60 KiB assertion and long parts without failing', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const deepObject = `${'{"a":'.repeat(8000)}1${'}'.repeat(8000)}`;
    for (const assertion of [
      `${b64(deep)}.${b64('{}')}.AA`,
      `${b64('{"alg":"RS256"}')}.${b64(deepObject)}.AA`,
      'A'.repeat(60 * 1024),
      `${'A'.repeat(20_000)}.${'B'.repeat(20_000)}.${'C'.repeat(20_000)}`,
      `${b64('{"alg":"RS256"}')}.${b64(JSON.stringify({ iss: key.client_email }))}.${'A'.repeat(40_000)}`,
    ]) {
      expectRefusal(await post(form({ grant_type: JWT_BEARER, assertion })));
    }
  });

  it('answers 413 to a body over the limit however it is sent, and to an API request with one', async () => {
    expectRefusal(await post('x'.repeat(200 * 1024)));
    expectRefusal(await post(new Uint8Array(1024 * 1024)));
    expect(await postChunked(emulator.tokenUri, 100)).toBe(413);
    const api = await fetch(emulator.userUrl('admin@example.com'), { method: 'POST', body: 'x'.repeat(100 * 1024) });
    expect(api.status).toBe(413);
  });

  it('survives a client that hangs up in the middle of a body', async () => {
    await hangUpMidBody(emulator.base, '/token');
    expect((await post(form({ grant_type: JWT_BEARER, assertion: assertionFor(key) }))).status).toBe(200);
  });

  it('still grants tokens after all of the above', async () => {
    const answer = await post(form({ grant_type: JWT_BEARER, assertion: assertionFor(key, { sub: 'admin@example.com' }) }));
    expect(answer.status).toBe(200);
  });
});
