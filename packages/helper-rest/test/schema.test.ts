/**
 * The published JSON Schema of `connection` and the validator `createHelperRest` and
 * `check-config` run agree: on every connection the reference page shows, and on a corpus of bad
 * ones. What a JSON Schema cannot say (one of two keys required, a URL the URL parser refuses)
 * is listed apart, so the boundary is visible and stays where it is.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { connectionSection } from '../src/index.js';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
const check = ajv.compile(connectionSection.jsonSchema);

/** Every JSON block of a docs page, fragments (`"auth": { … }`) wrapped in braces. */
function jsonBlocks(page: string): Record<string, unknown>[] {
  return [...page.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => {
    const text = (m[1] as string).trim();
    return JSON.parse(text.startsWith('{') ? text : `{${text}}`) as Record<string, unknown>;
  });
}

/** The connections a block shows: each tenant's of an `endpoint` (or its `entity`), or the block itself. */
function connectionsOf(block: Record<string, unknown>): Record<string, unknown>[] {
  const endpoint = (block.endpoint ?? (block.entity ? block : undefined)) as
    | { entity?: Record<string, { connection?: Record<string, unknown> }> }
    | undefined;
  if (endpoint) return Object.values(endpoint.entity ?? {}).flatMap((e) => (e.connection ? [e.connection] : []));
  if (block.connection) return [block.connection as Record<string, unknown>];
  return [block];
}

const docs = new URL('../../../docs/', import.meta.url);
const documented = [
  ...jsonBlocks(readFileSync(new URL('reference/helper-rest.md', docs), 'utf8')).flatMap(connectionsOf),
  // The connector pages show connections too.
  ...['connectors/generic.md', 'connectors/api.md'].flatMap((page) =>
    jsonBlocks(readFileSync(new URL(page, docs), 'utf8')).flatMap((b) =>
      b.connection || b.endpoint || b.entity ? connectionsOf(b) : [],
    ),
  ),
];

/** Refused by both: the shape is wrong. */
const badShape: [string, unknown][] = [
  ['not an object', 'https://api.example.com'],
  ['a misspelt key', { baseUrl: ['https://x'] }],
  ['base URLs as text', { baseUrls: 'https://x' }],
  ['a base URL without a scheme', { baseUrls: ['api.example.com'] }],
  ['an ftp base URL', { baseUrls: ['ftp://x'] }],
  ['an unknown auth type', { auth: { type: 'kerberos' } }],
  ['auth without a type', { auth: { options: { token: 't' } } }],
  ['basic without a password', { auth: { type: 'basic', options: { username: 'u' } } }],
  ['basic with an empty user', { auth: { type: 'basic', options: { username: '', password: 'p' } } }],
  ['a misspelt oauth option', { auth: { type: 'oauth', options: { tokenUrl: 'https://x', clientId: 'a', clientSecrt: 'b' } } }],
  ['an unknown token auth method', { auth: { type: 'oauth', options: { clientId: 'a', tokenAuthMethod: 'private_key_jwt' } } }],
  ['fedCred without a subject', { auth: { type: 'oauthJwtBearer', options: { fedCred: { issuer: 'https://gw' } } } }],
  [
    'fedCred with an issuer that is no URL',
    { auth: { type: 'oauthJwtBearer', options: { fedCred: { issuer: 'gw', subject: 's' } } } },
  ],
  ['SAML with an empty token URL', { auth: { type: 'oauthSamlBearer', options: { tokenUrl: '', assertion: 'x' } } }],
  ['pass-through options that are a list', { auth: { type: 'passThrough', options: [] } }],
  ['a proxy port as a number', { proxy: { host: 3128 } }],
  ['headers as a list', { options: { headers: ['x-a: 1'] } }],
  ['a header that is no text', { options: { headers: { 'x-n': 1 } } }],
  ['a misspelt TLS key', { options: { tls: { rejectUnauthorised: false } } }],
  ['rejectUnauthorized as text', { options: { tls: { rejectUnauthorized: 'false' } } }],
  ['a deadline of 0', { deadline: 0 }],
  ['a timeout as text', { timeout: '5s' }],
  ['attempts as text', { retry: { attempts: 'three' } }],
  ['a negative backoff', { retry: { baseDelayMs: -1 } }],
  ['a status that is none', { retry: { statuses: [42] } }],
  ['GET as an idempotent write', { retry: { idempotentWrites: ['GET'] } }],
  ['a misspelt retry key', { retry: { attempt: 3 } }],
];

/** Refused by the validator only: rules a JSON Schema cannot state. */
const badRules: [string, unknown][] = [
  ['a base URL the URL parser refuses', { baseUrls: ['http://[::1'] }],
  ['bearer without a token', { auth: { type: 'bearer', options: {} } }],
  ['token with a token URL but no password', { auth: { type: 'token', options: { tokenUrl: 'https://x', username: 'u' } } }],
  ['oauth without a token URL', { auth: { type: 'oauth', options: { clientId: 'a', clientSecret: 'b' } } }],
  ['oauth without a secret', { auth: { type: 'oauth', options: { tokenUrl: 'https://x', clientId: 'a' } } }],
  [
    'a certificate assertion without a key',
    { auth: { type: 'oauthJwtBearer', options: { tokenUrl: 'https://x', clientId: 'a' } } },
  ],
  [
    'a certificate assertion without a certificate',
    { auth: { type: 'oauthJwtBearer', options: { tokenUrl: 'https://x', clientId: 'a', tls: { key: 'k.pem' } } } },
  ],
  ['SAML without an assertion or what builds one', { auth: { type: 'oauthSamlBearer', options: { tokenUrl: 'https://x' } } }],
  [
    'SAML built without a signing key',
    { auth: { type: 'oauthSamlBearer', options: { tokenUrl: 'https://x', samlPayload: { clientId: 'k', userId: 'u' } } } },
  ],
  ['oauth without a client id', { auth: { type: 'oauth', options: { tokenUrl: 'https://x', clientSecret: 'b' } } }],
  ['a service account key without a scope', { auth: { type: 'oauth', options: { serviceAccountKeyFile: 'k.json' } } }],
  ['a proxy of another protocol', { proxy: { host: 'socks5://p:1080' } }],
  ['a client certificate without its key', { options: { tls: { cert: 'client.pem' } } }],
];

describe('the JSON Schema of a connection and the validator agree', () => {
  it('finds the documented connections', () => {
    expect(documented.length).toBeGreaterThanOrEqual(12);
  });

  it.each(documented.map((c) => [JSON.stringify(c).slice(0, 80), c]))('accept the documented %s', (_, conn) => {
    expect(check(conn), JSON.stringify(check.errors)).toBe(true);
    expect(connectionSection.validate(conn)).toMatchObject({ ok: true });
  });

  it.each(badShape)('refuse %s', (_, conn) => {
    expect(check(conn)).toBe(false);
    expect(connectionSection.validate(conn).ok).toBe(false);
  });

  it.each(badRules)('the validator alone refuses %s', (_, conn) => {
    expect(check(conn)).toBe(true);
    const r = connectionSection.validate(conn);
    expect(r.ok).toBe(false);
    // Each names the setting at fault, not the whole connection.
    expect(r.ok ? [] : r.issues.map((i) => i.path.length)).not.toContain(0);
  });
});
