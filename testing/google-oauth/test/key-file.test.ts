import { createPrivateKey, createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoogleOAuthEmulator, startGoogleOAuthEmulator } from '../src/index.js';
import { accessToken } from './helpers/client.js';

let emulator: GoogleOAuthEmulator;
beforeAll(async () => {
  emulator = await startGoogleOAuthEmulator({ projectId: 'acme-provisioning' });
});
afterAll(() => emulator.close());

describe('createServiceAccount: the JSON key file as Google Cloud hands it out', () => {
  it('has exactly the fields of a downloaded key file, in their order', () => {
    const key = emulator.createServiceAccount();
    expect(Object.keys(key)).toEqual([
      'type',
      'project_id',
      'private_key_id',
      'private_key',
      'client_email',
      'client_id',
      'auth_uri',
      'token_uri',
      'auth_provider_x509_cert_url',
      'client_x509_cert_url',
      'universe_domain',
    ]);
    expect(key.type).toBe('service_account');
    expect(key.project_id).toBe('acme-provisioning');
    expect(key.universe_domain).toBe('googleapis.com');
    expect(key.auth_uri).toBe('https://accounts.google.com/o/oauth2/auth');
    expect(key.auth_provider_x509_cert_url).toBe('https://www.googleapis.com/oauth2/v1/certs');
    expect(key.token_uri).toBe(emulator.tokenUri);
    expect(emulator.tokenUri).toBe(`${emulator.base}/token`);
    expect(emulator.base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('names the account <id>@<project>.iam.gserviceaccount.com with a 21-digit client ID and a 40-hex key ID', () => {
    const key = emulator.createServiceAccount();
    expect(key.client_email).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]@acme-provisioning\.iam\.gserviceaccount\.com$/);
    expect(key.client_id).toMatch(/^[1-9]\d{20}$/);
    expect(key.private_key_id).toMatch(/^[0-9a-f]{40}$/);
    expect(key.client_x509_cert_url).toBe(
      `https://www.googleapis.com/robot/v1/metadata/x509/${key.client_email.replace('@', '%40')}`,
    );
  });

  it('holds an RSA 2048 private key as PKCS #8 PEM with \\n line breaks', () => {
    const key = emulator.createServiceAccount();
    expect(key.private_key.startsWith('-----BEGIN PRIVATE KEY-----\n')).toBe(true);
    expect(key.private_key.endsWith('\n-----END PRIVATE KEY-----\n')).toBe(true);
    expect(key.private_key).not.toContain('\r');
    const privateKey = createPrivateKey(key.private_key);
    expect(privateKey.asymmetricKeyType).toBe('rsa');
    expect(privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(createPublicKey(privateKey).asymmetricKeyDetails?.publicExponent).toBe(65537n);
  });

  it('survives JSON.stringify and JSON.parse as a file would', async () => {
    const key = JSON.parse(JSON.stringify(emulator.createServiceAccount()));
    expect(typeof (await accessToken(key))).toBe('string');
  });

  it('gives every account its own email, client ID and key ID', () => {
    const a = emulator.createServiceAccount();
    const b = emulator.createServiceAccount();
    expect(a.client_email).not.toBe(b.client_email);
    expect(a.client_id).not.toBe(b.client_id);
    expect(a.private_key_id).not.toBe(b.private_key_id);
  });

  it('adds a second key to an account that exists, and takes the project from a service account email', () => {
    const email = 'directory-sync@other-project-42.iam.gserviceaccount.com';
    const first = emulator.createServiceAccount({ email });
    const second = emulator.createServiceAccount({ email });
    expect(first.project_id).toBe('other-project-42');
    expect(second.client_email).toBe(email);
    expect(second.client_id).toBe(first.client_id);
    expect(second.private_key_id).not.toBe(first.private_key_id);
    expect(second.private_key).not.toBe(first.private_key);
  });

  it('refuses an email that is not one, an eleventh key, and disabling a key that does not exist', () => {
    expect(() => emulator.createServiceAccount({ email: 'no-at-sign' })).toThrow(TypeError);
    const email = 'ten-keys@acme-provisioning.iam.gserviceaccount.com';
    for (let i = 0; i < 10; i++) emulator.createServiceAccount({ email });
    expect(() => emulator.createServiceAccount({ email })).toThrow(RangeError);
    expect(() => emulator.disableKey(email, '0'.repeat(40))).toThrow(/no key/);
    expect(() => emulator.disableKey('nobody@acme-provisioning.iam.gserviceaccount.com', '0'.repeat(40))).toThrow(/no key/);
  });
});
