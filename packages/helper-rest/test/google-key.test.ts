/**
 * Google service account keys in the configuration: the schema's rules (scope required, subject
 * only with a key, options that name another account refused), the seed's `oauth` shape resolved
 * to the JWT grant, and the key file read at startup (every fault named with its config path,
 * never quoting the file).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readServiceAccountKey } from '../src/auth/google.js';
import { resolveConnection } from '../src/config.js';
import { createHelperRest, RestConfigError } from '../src/index.js';
import { SecretRegistry } from '../src/mask.js';

const dir = mkdtempSync(join(tmpdir(), 'scimgw-google-key-'));
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const KEY = {
  type: 'service_account',
  project_id: 'acme-idm',
  private_key_id: 'a'.repeat(40),
  private_key: rsa,
  client_email: 'scimgw@acme-idm.iam.gserviceaccount.com',
  client_id: '123456789012345678901',
  token_uri: 'https://oauth2.googleapis.com/token',
};
const file = (name: string, content: unknown) => {
  writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return name;
};
const WHERE = 'endpoint.entity.t.connection.auth.options.serviceAccountKeyFile';
const resolve = (auth: Record<string, unknown>) =>
  resolveConnection('t', { baseUrls: ['https://admin.googleapis.com'], auth: auth as never }, dir, new SecretRegistry());
const helper = (options: Record<string, unknown>) =>
  createHelperRest({
    certsDir: dir,
    endpoint: { entity: { t: { connection: { baseUrls: ['https://admin.googleapis.com'], auth: { type: 'oauth', options } } } } },
  });

describe('serviceAccountKeyFile in the configuration', () => {
  it("resolves the seed's `oauth` shape to the JWT grant, without Entra defaults", () => {
    const c = resolve({ type: 'oauth', options: { serviceAccountKeyFile: 'k.json', scope: 's', subject: 'admin@acme.example' } });
    expect(c.auth.type).toBe('oauthJwtBearer');
    const o = c.auth.options as Record<string, unknown>;
    expect(o.tokenUrl).toBeUndefined();
    expect(o.scope).toBe('s');
    expect(resolve({ type: 'oauthJwtBearer', options: { serviceAccountKeyFile: 'k.json', scope: 's' } }).auth.type).toBe(
      'oauthJwtBearer',
    );
  });

  it('names what is missing or does not belong, with its config path', () => {
    const root = 'endpoint.entity.t.connection.auth.options';
    expect(() => resolve({ type: 'oauth', options: { serviceAccountKeyFile: 'k.json' } })).toThrow(
      `${root}.scope: is required with serviceAccountKeyFile`,
    );
    expect(() => resolve({ type: 'oauthJwtBearer', options: { serviceAccountKeyFile: 'k.json', scope: '' } })).toThrow(
      `${root}.scope: is required with serviceAccountKeyFile`,
    );
    expect(() =>
      resolve({ type: 'oauth', options: { tokenUrl: 'https://idp/t', clientId: 'a', clientSecret: 'b', subject: 'x@y' } }),
    ).toThrow(`${root}.subject: needs options.serviceAccountKeyFile`);
    expect(() =>
      resolve({ type: 'oauth', options: { serviceAccountKeyFile: 'k.json', scope: 's', clientSecret: 'shh-1234567' } }),
    ).toThrow(`${root}.clientSecret: cannot be combined with serviceAccountKeyFile`);
    expect(() =>
      resolve({ type: 'oauthJwtBearer', options: { serviceAccountKeyFile: 'k.json', scope: 's', jwtPayload: { iss: 'x' } } }),
    ).toThrow(`${root}.jwtPayload: cannot be combined with serviceAccountKeyFile`);
    // Without a key, a client id is required as before.
    expect(() => resolve({ type: 'oauth', options: { tokenUrl: 'https://idp/t', clientSecret: 'b' } })).toThrow(
      `${root}.clientId: is required (or serviceAccountKeyFile)`,
    );
  });

  it('reads the key file when the helper is created: a wrong path fails at startup', () => {
    expect(() => helper({ serviceAccountKeyFile: 'missing.json', scope: 's' })).toThrow(RestConfigError);
    expect(() => helper({ serviceAccountKeyFile: 'missing.json', scope: 's' })).toThrow(
      `${WHERE}: cannot read ${join(dir, 'missing.json')}: ENOENT`,
    );
    expect(() => helper({ serviceAccountKeyFile: file('good.json', KEY), scope: 's' })).not.toThrow();
  });
});

describe('readServiceAccountKey', () => {
  const read = (content: unknown) => readServiceAccountKey(file('k.json', content), dir, WHERE);
  const fails = (content: unknown, message: string) => {
    let error: unknown;
    try {
      read(content);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RestConfigError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message.startsWith(`${WHERE}: `)).toBe(true);
    expect((error as Error).message).not.toContain('PRIVATE KEY');
    expect((error as Error).cause === undefined || !String((error as Error).cause).includes('PRIVATE KEY')).toBe(true);
  };

  it('takes what signing in needs from a key file, a relative or absolute path, or the JSON itself', () => {
    const want = {
      clientEmail: KEY.client_email,
      privateKeyPem: rsa,
      privateKeyId: KEY.private_key_id,
      tokenUri: KEY.token_uri,
    };
    expect(read(KEY)).toEqual(want);
    expect(readServiceAccountKey(join(dir, 'k.json'), '/elsewhere', WHERE)).toEqual(want);
    expect(readServiceAccountKey(JSON.stringify(KEY, null, 2), '/elsewhere', WHERE)).toEqual(want);
    const { private_key_id: _id, token_uri: _uri, type: _type, ...bare } = KEY;
    expect(read(bare)).toEqual({ clientEmail: KEY.client_email, privateKeyPem: rsa });
  });

  it('refuses what is not a service account key, naming the fault and never the content', () => {
    fails(`${JSON.stringify(KEY).slice(0, 200)}`, 'is not JSON (expected a service account key file)');
    fails('[]', 'lacks client_email and private_key');
    fails({ ...KEY, type: 'authorized_user' }, 'is a "authorized_user" credential, not a service account key');
    fails({ ...KEY, client_email: '' }, 'lacks client_email');
    fails({ ...KEY, private_key: undefined }, 'lacks private_key');
    fails({ ...KEY, private_key: `${rsa.slice(0, 120)}` }, 'private_key is not a PEM private key');
    fails({ ...KEY, private_key: ec }, 'private_key is ec key, not RSA');
    fails({ ...KEY, token_uri: 'file:///etc/passwd' }, 'token_uri is not an http(s) URL');
    fails({ ...KEY, private_key_id: 7 }, 'private_key_id is not a string');
  });

  it('property: any file content is a key or a RestConfigError naming the config path, never another error', () => {
    const content = fc.oneof(
      fc.string(),
      fc.json(),
      fc.record(
        {
          type: fc.oneof(fc.constant('service_account'), fc.string()),
          client_email: fc.oneof(fc.emailAddress(), fc.string(), fc.integer()),
          private_key: fc.oneof(fc.constant(rsa), fc.string(), fc.constant(null)),
          private_key_id: fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdef') }), fc.integer()),
          token_uri: fc.oneof(fc.webUrl(), fc.string()),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(content, (c) => {
        try {
          const k = read(c);
          expect(typeof k.clientEmail).toBe('string');
          expect(k.privateKeyPem).toBe(rsa);
        } catch (e) {
          expect(e).toBeInstanceOf(RestConfigError);
          expect((e as Error).message.startsWith(`${WHERE}: `)).toBe(true);
          expect((e as Error).message).not.toContain('PRIVATE KEY');
        }
      }),
      { numRuns: 150 },
    );
  });
});
