import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './helpers.js';

const SECRETS = {
  userPassword: 'Pw-User-7c1f9e',
  patchPassword: 'Pw-Patch-88aa21',
  bearer: 'tok-bearer-5d4e3c2b1a',
  clientSecret: 'cs-oauth-0f9e8d7c',
  wrongBasic: 'Pw-Wrong-123abc',
  queryToken: 'tok-query-4b3a2918',
  filterPassword: 'Pw-Filter-6e5d4c',
};

let t: TestGateway;
let streamText = '';
let streamAbort: AbortController;

beforeAll(async () => {
  t = await startGateway(
    {
      log: { loglevel: { console: 'debug', file: 'debug', push: 'debug' }, colorize: false, logDirectory: 'logs' },
      auth: {
        basic: [
          { username: 'gwadmin', password: 'password' },
          { username: 'acme-only', password: 'acme-pass', baseEntities: ['acme'] },
        ],
        bearerToken: [{ token: SECRETS.bearer }],
        bearerOAuth: [{ clientId: 'client-1', clientSecret: SECRETS.clientSecret }],
      },
    },
    { entity: { acme: {}, other: {} } },
  );
  streamAbort = new AbortController();
  const res = await fetch(`${t.base}/logger`, {
    headers: { authorization: `Bearer ${SECRETS.bearer}` },
    signal: streamAbort.signal,
  });
  const reader = res.body!.getReader();
  (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        streamText += Buffer.from(value).toString();
      }
    } catch {}
  })();
  await new Promise((r) => setTimeout(r, 100));
});
afterAll(async () => {
  streamAbort.abort();
  await t.stop();
});

describe('secrets never reach a log sink', () => {
  it('sends known secrets through every route, then greps console, file and live stream', async () => {
    const u = await t.call('POST', '/Users', { userName: 'secretive', password: SECRETS.userPassword });
    expect(u.status).toBe(201);
    await t.call('PATCH', `/Users/${u.body.id}`, {
      Operations: [{ op: 'replace', path: 'password', value: SECRETS.patchPassword }],
    });
    await t.call('PATCH', `/Users/${u.body.id}`, { Operations: [{ op: 'replace', value: { password: SECRETS.patchPassword } }] });
    await fetch(`${t.base}/Users`, { headers: { authorization: `Bearer ${SECRETS.bearer}` } });
    await fetch(`${t.base}/Users`, {
      headers: { authorization: `Basic ${Buffer.from(`gwadmin:${SECRETS.wrongBasic}`).toString('base64')}` },
    });
    const tok = await fetch(`${t.base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=client-1&client_secret=${SECRETS.clientSecret}`,
    });
    expect(tok.status).toBe(200);
    const accessToken = ((await tok.json()) as { access_token: string }).access_token;
    const viaOAuth = await fetch(`${t.base}/Users/${u.body.id}`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(viaOAuth.status).toBe(200);
    // Request lines show the query (decoded): secrets in it are masked.
    await t.call('GET', `/Users?access_token=${SECRETS.queryToken}&filter=${encodeURIComponent('userName eq "query-marker"')}`);
    await t.call('GET', `/Users?filter=${encodeURIComponent(`password eq "${SECRETS.filterPassword}"`)}`);
    await new Promise((r) => setTimeout(r, 300));

    const logDir = join(t.dir, 'logs');
    const files = readdirSync(logDir)
      .map((f) => readFileSync(join(logDir, f), 'utf8'))
      .join('\n');
    const sinks = { console: t.logs(), file: files, stream: streamText };
    for (const [sink, text] of Object.entries(sinks)) {
      expect(text.length, `${sink} captured nothing`).toBeGreaterThan(100);
      for (const [name, secret] of Object.entries({ ...SECRETS, accessToken })) {
        expect(text.includes(secret), `${name} leaked into ${sink}`).toBe(false);
      }
    }
    // The lines are there, just masked: the request log carries the body at debug level, and the query.
    expect(sinks.console).toContain('secretive');
    expect(sinks.stream).toContain('secretive');
    expect(sinks.console).toMatch(/"path":"\/Users\?access_token=\*+&filter=userName eq \\"query-marker\\""/);
  });
});

describe('tenant-scoped credentials', () => {
  const acme = `Basic ${Buffer.from('acme-only:acme-pass').toString('base64')}`;
  it('reach their tenant only', async () => {
    expect((await fetch(`${t.base}/acme/Users`, { headers: { authorization: acme } })).status).toBe(200);
    expect((await fetch(`${t.base}/other/Users`, { headers: { authorization: acme } })).status).toBe(403);
    expect((await fetch(`${t.base}/Users`, { headers: { authorization: acme } })).status).toBe(403);
    expect((await fetch(`${t.base}/logger`, { headers: { authorization: acme } })).status).toBe(403);
  });

  it('see only their tenant on /<baseEntity>/logger', async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${t.base}/acme/logger`, { headers: { authorization: acme }, signal: ctrl.signal });
    expect(res.status).toBe(200);
    let text = '';
    const reader = res.body!.getReader();
    const pump = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          text += Buffer.from(value).toString();
        }
      } catch {}
    })();
    await t.call('GET', '/other/Users?filter=userName%20eq%20%22other-tenant-marker%22');
    await t.call('GET', '/acme/Users?filter=userName%20eq%20%22acme-tenant-marker%22');
    await new Promise((r) => setTimeout(r, 300));
    ctrl.abort();
    await pump;
    expect(text).toContain('/acme/Users');
    expect(text).not.toContain('/other/Users');
  });
});

describe('client media types', () => {
  it('accepts application/json bodies (Google Workspace) and answers scim+json', async () => {
    const r = await fetch(`${t.base}/Users`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${SECRETS.bearer}`,
        'content-type': 'application/json',
        'user-agent': 'Google-Auto-Provisioning',
        accept: 'application/json',
      },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'google.user@example.com',
        name: { givenName: 'G', familyName: 'U' },
      }),
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('content-type')).toMatch(/application\/scim\+json/);
  });

  it('GET /auth validates a credential without side effects', async () => {
    const ok = await fetch(`${t.base}/auth`, { headers: { authorization: `Bearer ${SECRETS.bearer}` } });
    expect(ok.status).toBe(200);
    const bad = await fetch(`${t.base}/auth`, { headers: { authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/Bearer/);
  });
});
