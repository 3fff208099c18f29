/**
 * Connections: SCRAM and TLS against the test server, x509 settings as the driver sends them,
 * outages and failovers answering 503 with Retry-After and recovering without a restart of the
 * gateway, and no secret in any log line. (Only against the test server: these tests stop, restart
 * and inject failures into it.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testContext } from '@scimgw/core/testkit';
import { createScimHandler } from '@scimgw/core/handler';
import { createTestCertificates, type MongoWireServer, startMongoWireServer } from '@scimgw/testing-mongo-wire-server';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  clientOptions,
  configSchema,
  createConnector,
  createMongoConnector,
  type MongoConfigInput,
  redactUrl,
} from '../src/index.js';
import { REAL_URL, uniqueDb } from './helpers/backend.js';

const PASSWORD = 'S3cr3t-pä$$:w@rd';
const suite = REAL_URL ? describe.skip : describe;

function config(input: MongoConfigInput) {
  const r = configSchema.validate(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

suite('SCRAM', () => {
  let srv: MongoWireServer;
  beforeAll(async () => {
    srv = await startMongoWireServer({
      users: [
        { username: 'scim', password: PASSWORD },
        { username: 'legacy', password: PASSWORD, db: 'app', mechanisms: ['SCRAM-SHA-1'] },
      ],
    });
  });
  afterAll(() => srv.stop());

  it('connects with SCRAM-SHA-256 (user and password from the configuration), and never logs the password', async () => {
    const ctx = testContext(
      config({ connection: { url: srv.url, username: 'scim', password: PASSWORD }, database: uniqueDb('scram') }),
    );
    const connector = await createConnector(ctx);
    const h = createScimHandler({ connector });
    const res = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName: 'scram-user' }) });
    expect(res.status).toBe(201);
    await connector.close?.();
    expect(ctx.logs.length).toBeGreaterThan(0);
    expect(JSON.stringify(ctx.logs)).not.toContain(PASSWORD);
    expect(JSON.stringify(srv.calls.all)).not.toContain(PASSWORD);
  });

  it('connects with SCRAM-SHA-1 and an authSource', async () => {
    const ctx = testContext(
      config({
        connection: { url: srv.url, username: 'legacy', password: PASSWORD, authSource: 'app', authMechanism: 'SCRAM-SHA-1' },
        database: uniqueDb('sha1'),
      }),
    );
    const connector = await createConnector(ctx);
    expect((await connector.resources.User!.query!({}, {})).resources).toEqual([]);
    await connector.close?.();
  });

  it('a wrong password fails startup (configuration), with no password in the message or the logs', async () => {
    const wrong = 'not-the-password-42';
    const ctx = testContext(
      config({ connection: { url: srv.url, username: 'scim', password: wrong }, database: uniqueDb('bad') }),
    );
    const err = await createConnector(ctx).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    // Said as what it is, naming where the credentials are configured: not as an index problem.
    expect(err?.message).toMatch(
      /^mongodb: MongoDB refused the credentials of endpoint\.connection \(user "scim"\): check endpoint\.connection\.username, endpoint\.connection\.password and endpoint\.connection\.authSource \(18 AuthenticationFailed\)$/,
    );
    expect(err?.message).not.toMatch(/index/i);
    expect(String(err?.message)).not.toContain(wrong);
    expect(JSON.stringify(ctx.logs)).not.toContain(wrong);
  });

  it("a tenant's own connection refused names that tenant's configuration path", async () => {
    const ctx = testContext(
      config({
        connection: { url: srv.url, username: 'scim', password: PASSWORD },
        database: uniqueDb('good'),
        entity: { acme: { connection: { url: srv.url, username: 'scim', password: 'wrong-for-acme' } } },
      }),
      { tenants: ['acme'] },
    );
    const err = await createConnector(ctx).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(
      /^mongodb: MongoDB refused the credentials of endpoint\.entity\.acme\.connection \(user "scim"\) \(tenant acme\): check endpoint\.entity\.acme\.connection\.username,/,
    );
    expect(String(err?.message)).not.toContain('wrong-for-acme');
  });

  it('credentials inside the connection string: the message points at the URL, without it', async () => {
    const url = srv.connectionString({ username: 'scim', password: 'url-secret-42' });
    const err = await createConnector(testContext(config({ connection: { url }, database: uniqueDb('badurl') }))).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/^mongodb: MongoDB refused the credentials in endpoint\.connection\.url: /);
    expect(String(err?.message)).not.toContain('url-secret-42');
  });

  it('the password inside a connection string is masked in logs', async () => {
    const url = srv.connectionString({ username: 'scim', password: PASSWORD });
    const ctx = testContext(config({ connection: { url }, database: uniqueDb('inurl') }));
    const connector = await createConnector(ctx);
    await connector.close?.();
    const logged = JSON.stringify(ctx.logs);
    expect(logged).toContain('scim:***@');
    expect(logged).not.toContain(encodeURIComponent(PASSWORD));
    expect(redactUrl(`mongodb://u:${PASSWORD}@h1,h2/db?replicaSet=rs0&tlsCertificateKeyFilePassword=kp`)).toBe(
      'mongodb://u:***@h1,h2/db?replicaSet=rs0&tlsCertificateKeyFilePassword=***',
    );
  });
});

suite('TLS', () => {
  let srv: MongoWireServer;
  beforeAll(async () => {
    srv = await startMongoWireServer({ tls: true, users: [{ username: 'scim', password: PASSWORD }] });
  });
  afterAll(() => srv.stop());

  it('connects over TLS with the CA from the configuration', async () => {
    const url = `mongodb://127.0.0.1:${srv.port}/`;
    const ctx = testContext(
      config({
        connection: { url, username: 'scim', password: PASSWORD, tls: { caFile: srv.tls!.caFile! } },
        database: uniqueDb('tls'),
      }),
    );
    const connector = await createConnector(ctx);
    const h = createScimHandler({ connector });
    expect((await h.handle({ method: 'POST', url: '/Groups', body: JSON.stringify({ displayName: 'over tls' }) })).status).toBe(
      201,
    );
    await connector.close?.();
  });

  it('a server certificate it does not trust is refused: the gateway starts, requests answer 503', async () => {
    const url = `mongodb://127.0.0.1:${srv.port}/`;
    const ctx = testContext(
      config({
        connection: { url, username: 'scim', password: PASSWORD, tls: { enabled: true }, timeouts: { serverSelectionMS: 500 } },
        database: uniqueDb('untrusted'),
        retryAfterSeconds: 7,
      }),
    );
    const connector = await createConnector(ctx);
    const h = createScimHandler({ connector });
    const res = await h.handle({ method: 'GET', url: '/Users' });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('7');
    expect(ctx.logs.some((l) => l.level === 'warn' && /not reachable/.test(l.msg))).toBe(true);
    await connector.close?.();
  });
});

suite('x509', () => {
  let srv: MongoWireServer;
  let dir: string;
  beforeAll(async () => {
    srv = await startMongoWireServer({ tls: true });
    dir = mkdtempSync(join(tmpdir(), 'x509-'));
  });
  afterAll(async () => {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends MONGODB-X509 with the client certificate (the test server implements no x509: it refuses)', async () => {
    // A certificate + key pair to present (the test server does not ask for one, MongoDB does).
    const certs = await createTestCertificates();
    const pem = join(dir, 'client.pem');
    writeFileSync(pem, `${certs.cert}\n${certs.key}`);
    const parsed = config({
      connection: {
        url: `mongodb://127.0.0.1:${srv.port}/`,
        authMechanism: 'MONGODB-X509',
        tls: { caFile: srv.tls!.caFile!, certificateKeyFile: 'client.pem' },
        timeouts: { serverSelectionMS: 1000 },
      },
      database: uniqueDb('x509'),
    });
    const options = clientOptions(parsed.connection, (p) => join(dir, p));
    expect(options).toMatchObject({
      authMechanism: 'MONGODB-X509',
      authSource: '$external',
      tls: true,
      tlsCertificateKeyFile: pem,
    });
    srv.calls.clear();
    const ctx = testContext(parsed, { baseDir: dir });
    const started = await createConnector(ctx).then(
      async (c) => {
        await c.close?.();
        return 'started';
      },
      () => 'refused',
    );
    // Whether the refusal fails startup or answers 503 later, the driver must have asked for x509.
    const asked = srv.calls.all.some((c) => JSON.stringify(c.body).includes('MONGODB-X509'));
    expect(asked).toBe(true);
    expect(['started', 'refused']).toContain(started);
    expect(readFileSync(pem, 'utf8')).toContain('BEGIN');
  });
});

suite('outages and failover', () => {
  let srv: MongoWireServer;
  beforeAll(async () => {
    srv = await startMongoWireServer();
  });
  afterAll(() => srv.stop());

  it('a server restart mid-run: 503 with Retry-After while it is down, then recovery without restarting the gateway', async () => {
    const ctx = testContext(
      config({ connection: { url: srv.url, timeouts: { serverSelectionMS: 400 } }, database: uniqueDb('restart') }),
    );
    const connector = await createConnector(ctx);
    const h = createScimHandler({ connector });
    const made = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName: 'survivor' }) });
    expect(made.status).toBe(201);
    await srv.stop();
    for (const req of [
      { method: 'GET', url: '/Users' },
      { method: 'POST', url: '/Users', body: JSON.stringify({ userName: 'during-outage' }) },
      {
        method: 'PATCH',
        url: `/Users/${(made.body as { id: string }).id}`,
        body: JSON.stringify({ Operations: [{ op: 'replace', path: 'title', value: 'x' }] }),
      },
    ]) {
      const res = await h.handle(req);
      expect(res.status, `${req.method} ${JSON.stringify(res.body)}`).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect((res.body as { detail: string }).detail).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    }
    await srv.restart();
    const again = await h.handle({ method: 'GET', url: `/Users?filter=${encodeURIComponent('userName eq "survivor"')}` });
    expect(again.status).toBe(200);
    expect((again.body as { totalResults: number }).totalResults).toBe(1);
    await connector.close?.();
  });

  it('MongoDB down when the gateway starts: 503 until it is up, then requests succeed and the indexes are created', async () => {
    const late = await startMongoWireServer();
    await late.stop();
    const database = uniqueDb('late');
    const ctx = testContext(config({ connection: { url: late.url, timeouts: { serverSelectionMS: 300 } }, database }));
    const connector = await createConnector(ctx);
    try {
      expect(ctx.logs.some((l) => l.level === 'warn' && /not reachable yet/.test(l.msg))).toBe(true);
      const h = createScimHandler({ connector });
      const down = await h.handle({ method: 'GET', url: '/Users' });
      expect(down.status).toBe(503);
      expect(down.headers['retry-after']).toBe('5');
      await late.restart();
      // Polled (the driver may take a moment to see the server), bounded by the timeout.
      await vi.waitFor(
        async () => {
          const res = await h.handle({ method: 'GET', url: '/Users' });
          if (res.status !== 200) throw new Error(`still ${res.status}: ${JSON.stringify(res.body)}`);
        },
        { timeout: 10_000, interval: 50 },
      );
      const made = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName: 'early.bird' }) });
      expect(made.status).toBe(201);
      expect((await h.handle({ method: 'GET', url: `/Users/${(made.body as { id: string }).id}` })).status).toBe(200);
      // The indexes startup could not create were created by the first request that could.
      const admin = new MongoClient(late.url);
      try {
        const names = (await admin.db(database).collection('users').listIndexes().toArray()).map((i) => i.name);
        expect(names).toEqual(expect.arrayContaining(['scim_id', 'scim_userName', 'scim_externalId', 'scim_emails_value']));
      } finally {
        await admin.close();
      }
      expect(ctx.logs.some((l) => l.level === 'info' && l.msg === 'mongodb: connected')).toBe(true);
    } finally {
      await connector.close?.();
      await late.stop();
    }
  });

  it('with pass-through: a caller whose first request found MongoDB down is served once it is up', async () => {
    const late = await startMongoWireServer({ users: [{ username: 'alice', password: 'alice-pw' }] });
    await late.stop();
    const connector = createMongoConnector({
      connection: { url: late.url, timeouts: { serverSelectionMS: 300 } },
      database: uniqueDb('latecaller'),
      passThrough: { enabled: true },
    });
    try {
      await connector.open();
      const ctx = { authorization: `Basic ${Buffer.from('alice:alice-pw').toString('base64')}` };
      const users = connector.resources.User!;
      await expect(users.query!({}, ctx)).rejects.toMatchObject({ status: 503 });
      await late.restart();
      await vi.waitFor(() => users.query!({}, ctx), { timeout: 10_000, interval: 50 });
      expect((await users.create!({ userName: 'alice-made' }, ctx)).userName).toBe('alice-made');
    } finally {
      await connector.close?.();
      await late.stop();
    }
  });

  it('a stepped-down primary answers 503; the next request succeeds', async () => {
    const ctx = testContext(config({ connection: { url: srv.url }, database: uniqueDb('stepdown') }));
    const connector = await createConnector(ctx);
    const h = createScimHandler({ connector });
    srv.failNext('insert', { code: 10107, codeName: 'NotWritablePrimary', errmsg: 'not primary' });
    const failed = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName: 'sd' }) });
    expect(failed.status).toBe(503);
    expect(failed.headers['retry-after']).toBe('5');
    const ok = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName: 'sd' }) });
    expect(ok.status).toBe(201);
    // A server error that is not about availability is a 500 with nothing of the server's message.
    srv.failNext('find', { code: 13, codeName: 'Unauthorized', errmsg: 'not authorized on secretdb to execute command' });
    const denied = await h.handle({ method: 'GET', url: `/Users/${(ok.body as { id: string }).id}` });
    expect(denied.status).toBe(500);
    expect(JSON.stringify(denied.body)).not.toContain('secretdb');
    expect(ctx.logs.some((l) => l.level === 'error' && JSON.stringify(l.data).includes('13 Unauthorized'))).toBe(true);
    await connector.close?.();
  });

  it('on a replica set, a write whose connection drops is retried once by the driver and applied once', async () => {
    const rs = await startMongoWireServer({ replicaSet: 'rs0' });
    try {
      const ctx = testContext(config({ connection: { url: rs.url, replicaSet: 'rs0' }, database: uniqueDb('rs') }));
      const connector = await createConnector(ctx);
      const groups = connector.resources.Group!;
      const g = await groups.create!({ displayName: 'rs-group' }, {});
      rs.failNext('update', { closeConnection: true, afterRunning: true });
      await groups.modify!(g.id as string, [{ op: 'add', path: { attr: 'members' }, value: [{ value: 'm1' }] }], {});
      const after = await groups.get!(g.id as string, {}, {});
      expect(after?.members).toEqual([{ value: 'm1' }]);
      await connector.close?.();
    } finally {
      await rs.stop();
    }
  });
});
