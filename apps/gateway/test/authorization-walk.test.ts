/**
 * Authorization walks the whole route table: every route the router knows (and near misses: case,
 * trailing slashes, `/.search` at every level, `/Bulk/.search`, the `/scim/v2` and 1.1 prefixes,
 * tenant prefixes) × every method × every body that would write if it were let through, sent with
 * each kind of restricted credential. Afterwards the data of every tenant must be exactly as before,
 * and no answer may report a write.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './helpers.js';

const JWT_SECRET = 'walk-hmac-secret-0123456789abcdef';

let t: TestGateway;
const creds: Record<string, string> = {};

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const b64u = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** An HS256 JWT, written by hand so this test does not rely on the code it checks. */
function hs256(claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64u({ alg: 'HS256', typ: 'JWT' })}.${b64u({ iat: now, exp: now + 3600, ...claims })}`;
  return `${head}.${createHmac('sha256', JWT_SECRET).update(head).digest('base64url')}`;
}

beforeAll(async () => {
  t = await startGateway(
    {
      log: { loglevel: { console: 'off', file: 'off' } },
      auth: {
        basic: [
          { username: 'gwadmin', password: 'password' },
          { username: 'reader', password: 'reader-pw', readOnly: true },
          { username: 'acme-writer', password: 'acme-pw', baseEntities: ['acme'] },
        ],
        bearerToken: [{ token: 'ro-token-0123456789', readOnly: true, name: 'ro-bearer' }],
        bearerJwt: [{ secret: JWT_SECRET, readOnly: true, options: { issuer: 'walk-issuer' } }],
        bearerOAuth: [{ clientId: 'ro-client', clientSecret: 'ro-client-secret', readOnly: true }],
      },
      bulk: { maxOperations: 10 },
      rateLimit: false,
    },
    { entity: { acme: {}, other: {} } },
  );
  const tok = await fetch(`${t.base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=ro-client&client_secret=ro-client-secret',
  });
  expect(tok.status).toBe(200);
  creds.readOnlyBasic = basic('reader', 'reader-pw');
  creds.readOnlyBearer = 'Bearer ro-token-0123456789';
  creds.readOnlyJwt = `Bearer ${hs256({ iss: 'walk-issuer', sub: 'walker' })}`;
  creds.readOnlyOAuth = `Bearer ${((await tok.json()) as { access_token: string }).access_token}`;
  creds.tenantScoped = basic('acme-writer', 'acme-pw');
});
afterAll(() => t.stop());

const TENANTS = ['', '/acme', '/other'];
// `/scim` alone and `/v2` alone route as `/scim/v2` does (router tests cover the spellings).
const PREFIXES = ['', '/scim/v2', '/scim/v1'];
const ENDPOINTS = [
  '/Users',
  '/Users/bjensen',
  '/Users/.search',
  '/Groups',
  '/Groups/Admins',
  '/Groups/.search',
  '/Roles',
  '/Entitlements',
  '/.search',
  '/Bulk',
  '/Bulk/.search',
  '/Schemas',
  '/Schemas/.search',
  '/ResourceTypes',
  '/ServiceProviderConfig',
  '/ServiceProviderConfig/.search',
  '/api',
  '/api/bjensen',
  '/logger',
];
/** Spellings a router might treat differently from the canonical one. */
const VARIANTS = [
  '/users/',
  '/USERS/.SEARCH',
  '/Users/.search/',
  '/bulk/',
  '/BULK/.Search',
  '/Bulk/.search/',
  '/.SEARCH/',
  '/Groups/Admins/',
];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

const USER = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'walk-intruder', active: false };
const PATCH = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'replace', value: { displayName: 'walked' } }],
};
const BULK = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
  Operations: [
    { method: 'POST', path: '/Users', bulkId: 'b1', data: USER },
    { method: 'PATCH', path: '/Users/bjensen', data: PATCH },
    { method: 'DELETE', path: '/Groups/Admins' },
    { method: 'DELETE', path: '/Users/jsmith' },
  ],
};
const SEARCH = { ...USER, schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName pr' };
const BODIES = [USER, PATCH, BULK, SEARCH];

function paths(): string[] {
  const out = new Set<string>();
  for (const tenant of TENANTS)
    for (const prefix of PREFIXES) {
      for (const e of ENDPOINTS) out.add(`${tenant}${prefix}${e}`);
      for (const v of VARIANTS) out.add(`${tenant}${prefix}${v}`);
    }
  return [...out];
}

/** Everything in every tenant, as the admin sees it. */
async function snapshot(): Promise<string> {
  const parts: unknown[] = [];
  for (const tenant of TENANTS) {
    for (const e of ['/Users', '/Groups']) {
      const r = await t.call('GET', `${tenant}${e}?count=1000`);
      expect(r.status).toBe(200);
      parts.push(r.body);
    }
  }
  return JSON.stringify(parts);
}

interface Seen {
  method: string;
  path: string;
  status: number;
  body: string;
}

async function send(auth: string, method: string, path: string, body: unknown): Promise<Seen> {
  const withBody = method !== 'GET' && method !== 'HEAD';
  const res = await fetch(`${t.base}${path}`, {
    method,
    headers: { authorization: auth, ...(withBody ? { 'content-type': 'application/scim+json' } : {}) },
    ...(withBody ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  // The live log stream never ends: its status is all that matters here.
  if (path.toLowerCase().endsWith('/logger')) {
    await res.body?.cancel();
    return { method, path, status: res.status, body: '' };
  }
  return { method, path, status: res.status, body: await res.text() };
}

/** Answers that say something was written: a 2xx to a write, or a Bulk operation that succeeded. */
function reportsWrite(s: Seen): boolean {
  // A Bulk answer (2.0 or 1.1 form) in which some operation succeeded.
  if (s.body.includes('"Operations":[') && /"status":"2\d\d"/.test(s.body)) return true;
  if (s.status >= 300) return false;
  if (s.method === 'GET' || s.method === 'HEAD' || s.method === 'OPTIONS') return false;
  // A 2xx to POST is a write unless it answered a search (a list: 2.0 ListResponse or the 1.1 form).
  return !(s.method === 'POST' && /^\{"schemas":\[[^\]]*\],"totalResults":\d+,/.test(s.body));
}

async function walk(auth: string, inScope: (path: string) => boolean = () => false): Promise<Seen[]> {
  const seen: Seen[] = [];
  const all = paths();
  // A few requests at a time: enough to finish quickly, few enough to keep the machine responsive.
  for (let i = 0; i < all.length; i += 8) {
    const batch = all.slice(i, i + 8);
    const results = await Promise.all(
      batch.flatMap((path) =>
        METHODS.flatMap((method) =>
          (method === 'GET' || method === 'HEAD' ? [undefined] : BODIES).map((body) =>
            inScope(path) ? Promise.resolve(undefined) : send(auth, method, path, body),
          ),
        ),
      ),
    );
    for (const r of results) if (r) seen.push(r);
  }
  return seen;
}

describe('no write gets through a read-only credential, on any route', () => {
  // Several thousand requests each: generous time for a busy CI machine (this is not a speed test).
  it.each(['readOnlyBasic', 'readOnlyBearer', 'readOnlyJwt', 'readOnlyOAuth'])('%s', { timeout: 180_000 }, async (kind) => {
    const before = await snapshot();
    const seen = await walk(creds[kind] as string);
    expect(seen.length).toBeGreaterThan(4000);
    const writes = seen.filter(reportsWrite).map((s) => `${s.method} ${s.path} → ${s.status} ${s.body.slice(0, 120)}`);
    expect(writes).toEqual([]);
    expect(seen.filter((s) => s.status >= 500).map((s) => `${s.method} ${s.path} → ${s.status}`)).toEqual([]);
    // The credential did read: the walk is not vacuous.
    expect(seen.some((s) => s.method === 'GET' && s.path === '/Users' && s.status === 200)).toBe(true);
    expect(seen.some((s) => s.method === 'POST' && s.path === '/Users/.search' && s.status === 200)).toBe(true);
    expect(await snapshot()).toBe(before);
  });

  it('the same walk with the admin credential does write (the walk can see a write)', async () => {
    const before = await snapshot();
    const seen = [
      await send(basic('gwadmin', 'password'), 'POST', '/other/Bulk', BULK),
      await send(basic('gwadmin', 'password'), 'PATCH', '/other/Users/bjensen', PATCH),
    ];
    expect(seen.filter(reportsWrite)).toHaveLength(2);
    expect(await snapshot()).not.toBe(before);
  });
});

describe('a credential scoped to one tenant reaches no other', () => {
  it('walks every route outside its tenant and changes nothing there', { timeout: 180_000 }, async () => {
    const outside = (path: string) => path.startsWith('/acme/') === false;
    const before = await snapshot();
    const seen = await walk(creds.tenantScoped as string, (p) => !outside(p));
    expect(seen.length).toBeGreaterThan(2500);
    expect(seen.filter((s) => s.status < 300).map((s) => `${s.method} ${s.path} → ${s.status}`)).toEqual([]);
    expect(seen.filter((s) => s.status >= 500)).toEqual([]);
    expect(await snapshot()).toBe(before);
    // …and inside it, it may write.
    expect((await send(creds.tenantScoped as string, 'POST', '/acme/Users', { ...USER, userName: 'acme-new' })).status).toBe(201);
  });
});
