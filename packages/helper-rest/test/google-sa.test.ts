/**
 * Google service account sign-in end to end, against an emulator of Google's token endpoint and
 * of the Admin SDK's users.get (@scimgw/testing-google-oauth, written from Google's documentation):
 * the key file as Google hands it out, domain-wide delegation, one token for many calls, a new
 * one after a 401, Google's refusals as errors naming them, and nothing secret in the log.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GoogleOAuthEmulator, startGoogleOAuthEmulator, type TokenCall } from '@scimgw/testing-google-oauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelperRest, type HelperRest, RestAuthError, RestError } from '../src/index.js';
import { type CapturedLogger, captureLogger, FAST_RETRY } from './helpers.js';

const DIRECTORY = 'https://www.googleapis.com/auth/admin.directory.user.readonly';
const ADMIN = 'provisioning-admin@acme.example';

let google: GoogleOAuthEmulator;
const dir = mkdtempSync(join(tmpdir(), 'scimgw-google-sa-'));
const open: HelperRest[] = [];

beforeAll(async () => {
  google = await startGoogleOAuthEmulator();
  google.addUser(ADMIN);
  google.addUser('bjensen@acme.example', { isAdmin: false });
});
afterAll(async () => {
  for (const h of open) await h.close?.();
  await google?.close();
});

/** A key file written as downloaded, and a helper signing in with it. */
function helperWith(
  options: Record<string, unknown>,
  keyOptions: Parameters<GoogleOAuthEmulator['createServiceAccount']>[0] = {},
) {
  const key = google.createServiceAccount(keyOptions);
  const name = `${key.private_key_id}.json`;
  writeFileSync(join(dir, name), JSON.stringify(key, null, 2));
  const logger = captureLogger();
  const h = createHelperRest({
    certsDir: dir,
    logger,
    endpoint: {
      entity: {
        undefined: {
          connection: {
            baseUrls: [google.base],
            retry: FAST_RETRY,
            auth: { type: 'oauth', options: { serviceAccountKeyFile: name, ...options } },
          },
        },
      },
    },
  });
  open.push(h);
  return { h, key, logger };
}

const tokenCalls = () => google.calls.filter((c): c is TokenCall => c.kind === 'token');
const userPath = (email: string) => new URL(google.userUrl(email)).pathname;

function noSecrets(logger: CapturedLogger, key: { private_key: string }) {
  const text = logger.text();
  expect(text).not.toContain(key.private_key.split('\n')[1] as string);
  for (const t of tokenCalls()) {
    expect(text).not.toContain(t.form.assertion as string);
  }
  expect(text).not.toMatch(/ya29\.[A-Za-z0-9_-]{8,}/);
}

describe('a Google service account key file', () => {
  it('signs in as the key says, acting as the delegated admin, and reads a user', async () => {
    google.calls.length = 0;
    const { h, key, logger } = helperWith({ scope: DIRECTORY, subject: ADMIN }, { delegation: [DIRECTORY] });
    const r = await h.doRequest<{ primaryEmail: string }>(undefined, 'GET', userPath('bjensen@acme.example'));
    expect(r.status).toBe(200);
    expect(r.body.primaryEmail).toBe('bjensen@acme.example');
    const [t] = tokenCalls();
    expect(t?.status).toBe(200);
    expect(t?.form.grant_type).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(t?.header).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: key.private_key_id });
    expect(t?.claims).toMatchObject({ iss: key.client_email, scope: DIRECTORY, aud: key.token_uri, sub: ADMIN });
    const claims = t?.claims as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(3600);
    noSecrets(logger, key);
  });

  it('fetches one token for many calls, and a new one once after a 401', async () => {
    google.calls.length = 0;
    const { h, key, logger } = helperWith({ scope: DIRECTORY, subject: ADMIN }, { delegation: [DIRECTORY] });
    await Promise.all([1, 2, 3, 4].map(() => h.doRequest(undefined, 'GET', userPath('bjensen@acme.example'))));
    expect(tokenCalls()).toHaveLength(1);
    google.expireTokens();
    const r = await h.doRequest(undefined, 'GET', userPath(ADMIN));
    expect(r.status).toBe(200);
    expect(tokenCalls()).toHaveLength(2);
    const api = google.calls.filter((c) => c.kind === 'api').map((c) => c.status);
    expect(api).toEqual([200, 200, 200, 200, 401, 200]);
    noSecrets(logger, key);
  });

  it("answers Google's refusals as errors naming them, without a secret", async () => {
    google.calls.length = 0;
    // Delegation not granted in the Admin console for the scope asked.
    const undelegated = helperWith({ scope: DIRECTORY, subject: ADMIN }, { delegation: [] });
    const e1 = await undelegated.h.doRequest(undefined, 'GET', userPath(ADMIN)).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(RestAuthError);
    expect((e1 as RestAuthError).oauthError).toBe('unauthorized_client');
    expect((e1 as Error).message).toContain('status 401 (unauthorized_client)');
    noSecrets(undelegated.logger, undelegated.key);

    // No subject: the service account itself is no administrator.
    const alone = helperWith({ scope: DIRECTORY });
    const e2 = await alone.h.doRequest(undefined, 'GET', userPath(ADMIN)).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(RestError);
    expect((e2 as RestError).status).toBe(403);
    expect(tokenCalls().at(-1)?.claims?.sub).toBeUndefined();

    // A scope that does not cover the API.
    const narrow = helperWith(
      { scope: 'https://www.googleapis.com/auth/gmail.send', subject: ADMIN },
      { delegation: ['https://www.googleapis.com/auth/gmail.send'] },
    );
    const e3 = await narrow.h.doRequest(undefined, 'GET', userPath(ADMIN)).catch((e: unknown) => e);
    expect((e3 as RestError).status).toBe(403);

    // A key disabled (deleted) in Google Cloud.
    const gone = helperWith({ scope: DIRECTORY, subject: ADMIN }, { delegation: [DIRECTORY] });
    google.disableKey(gone.key.client_email, gone.key.private_key_id);
    const e4 = await gone.h.doRequest(undefined, 'GET', userPath(ADMIN)).catch((e: unknown) => e);
    expect((e4 as RestAuthError).oauthError).toBe('invalid_grant');
    noSecrets(gone.logger, gone.key);
  });

  it('uses tokenUrl over the key file’s token_uri when set', async () => {
    google.calls.length = 0;
    const key = google.createServiceAccount({ delegation: [DIRECTORY] });
    // A key whose token_uri points nowhere: the configured tokenUrl wins.
    writeFileSync(join(dir, 'elsewhere.json'), JSON.stringify({ ...key, token_uri: 'http://127.0.0.1:9/token' }));
    const h = createHelperRest({
      certsDir: dir,
      endpoint: {
        entity: {
          undefined: {
            connection: {
              baseUrls: [google.base],
              auth: {
                type: 'oauthJwtBearer',
                options: { serviceAccountKeyFile: 'elsewhere.json', tokenUrl: google.tokenUri, scope: DIRECTORY, subject: ADMIN },
              },
            },
          },
        },
      },
    });
    open.push(h);
    expect((await h.doRequest(undefined, 'GET', userPath(ADMIN))).status).toBe(200);
    expect(tokenCalls()[0]?.claims?.aud).toBe(google.tokenUri);
  });
});
