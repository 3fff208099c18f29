/**
 * Pass-through authentication, end to end: a real gateway with `auth.passThrough` hands the
 * caller's Basic credentials to the connector, which opens MongoDB as that user, with SCRAM and
 * MongoDB's built-in roles. MongoDB decides: a readWrite user writes, a read user reads and gets
 * 403 on writes, a wrong password is 401; the gateway's own users keep the gateway's account. The
 * callers' clients are bounded and never closed under a running operation (unit tests with counted
 * clients); no caller's password reaches the log.
 *
 * Everything here runs against a real MongoDB too (MONGODB_URL, naming a user allowed to create
 * users): the users are asked for from `startBackend`, which makes them there with `createUser`
 * under names unique to the run (`backend.user(name)`) and drops them afterwards, so no test is
 * skipped there. The test server takes the same path with SCIMGW_MONGODB_TEST_CREATE_USERS=1 (one
 * test, reading the test server's call log, checks that it did).
 */
import { randomBytes } from 'node:crypto';
import { errors } from '@scimgw/core';
import { startTestGateway, type TestGateway } from '@scimgw/testing-kit';
import fc from 'fast-check';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMongoConnector } from '../src/index.js';
import { basicCredentials, CallerClients } from '../src/pass-through.js';
import { type Backend, CREATE_USERS, REAL_URL, startBackend, uniqueDb } from './helpers/backend.js';

// Random per run: on a real server, a run that dies before `stop()` leaves its users behind.
const RUN = randomBytes(6).toString('hex');
const PASSWORDS = {
  gw: `gw-own-S3cret-${RUN}`,
  alice: `alice-Pa55:with:colons-${RUN}`,
  reader: `reader-Pa55-${RUN}`,
  eve: `eve-Pa55-${RUN}`,
};
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
const USERS = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] };

/** What the connector logged (its own logger: the test gateway's console has the gateway's lines). */
const connectorLog: string[] = [];
const log = Object.fromEntries(
  (['debug', 'info', 'warn', 'error'] as const).map((level) => [
    level,
    (msg: string, data?: unknown) => connectorLog.push(`${level} ${msg} ${JSON.stringify(data ?? {})}`),
  ]),
) as never;

/** The Basic credentials of a test's user, by its name on the backend. */
const as = (backend: Backend, user: keyof typeof PASSWORDS) => basic(backend.user(user), PASSWORDS[user]);

/** A gateway with pass-through on, its connector on `db`; `own`: with the account of the user `gw`. */
async function gatewayOn(
  backend: Backend,
  db: string,
  own: boolean,
  passThrough: Record<string, unknown> = {},
): Promise<TestGateway> {
  const connection = {
    // Without credentials in the URL: the gateway's account is `gw` or none, a caller's is the caller's.
    url: backend.bareUrl,
    ...(own ? { username: backend.user('gw'), password: PASSWORDS.gw } : {}),
    timeouts: { serverSelectionMS: 3000 },
  };
  return startTestGateway({
    name: 'connector-mongodb',
    scimgateway: {
      auth: { basic: [{ username: 'gwadmin', password: 'password' }], passThrough: { enabled: true } },
    },
    endpoint: { connection, database: db, passThrough: { enabled: true, ...passThrough } },
    connector: (cfg) => {
      const c = createMongoConnector({ ...(cfg.endpoint as object), connection, tenants: cfg.tenants, log } as never);
      return c;
    },
  });
}

describe('pass-through authentication (SCRAM users with built-in roles)', () => {
  const db = uniqueDb('pt');
  let backend: Backend;
  let gw: TestGateway;

  beforeAll(async () => {
    backend = await startBackend({
      users: [
        // The gateway's own account needs no more than readWrite on its database (no root left behind on a real server).
        { username: 'gw', password: PASSWORDS.gw, roles: [{ role: 'readWrite', db }] },
        { username: 'alice', password: PASSWORDS.alice, roles: [{ role: 'readWrite', db }] },
        { username: 'reader', password: PASSWORDS.reader, roles: [{ role: 'read', db }] },
        { username: 'eve', password: PASSWORDS.eve, roles: [{ role: 'readWrite', db: uniqueDb('elsewhere') }] },
      ],
    });
    gw = await gatewayOn(backend, db, true);
  });
  afterAll(async () => {
    await gw?.stop();
    await backend?.stop();
  });

  it('writes as the caller: a readWrite user creates, reads, patches and deletes', async () => {
    const alice = as(backend, 'alice');
    const created = await gw.call('POST', '/Users', { ...USERS, userName: 'made.by.alice' }, alice);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    expect((await gw.call('GET', `/Users/${id}`, undefined, alice)).body.userName).toBe('made.by.alice');
    const patched = await gw.call(
      'PATCH',
      `/Users/${id}`,
      { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'x' }] },
      alice,
    );
    expect(patched.status).toBe(200);
    expect((await gw.call('DELETE', `/Users/${id}`, undefined, alice)).status).toBe(204);
  });

  it('a read user reads; MongoDB refusing it a write is 403, with a SCIM error', async () => {
    const made = await gw.call('POST', '/Users', { ...USERS, userName: 'seen.by.reader' }, as(backend, 'alice'));
    const reader = as(backend, 'reader');
    const list = await gw.call('GET', `/Users?filter=${encodeURIComponent('userName eq "seen.by.reader"')}`, undefined, reader);
    expect(list.status).toBe(200);
    expect(list.body.totalResults).toBe(1);
    const attempts = [
      gw.call('POST', '/Users', { ...USERS, userName: 'not.allowed' }, reader),
      gw.call('PUT', `/Users/${made.body.id}`, { ...USERS, userName: 'seen.by.reader', title: 'y' }, reader),
      gw.call(
        'PATCH',
        `/Users/${made.body.id}`,
        {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'title', value: 'y' }],
        },
        reader,
      ),
      gw.call('DELETE', `/Users/${made.body.id}`, undefined, reader),
    ];
    for (const r of await Promise.all(attempts)) {
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '403' });
      expect(JSON.stringify(r.body)).not.toMatch(/not authorized on/); // the server's text stays in the log
    }
    // Nothing was written.
    const after = await gw.call('GET', `/Users/${made.body.id}`, undefined, reader);
    expect(after.body.title).toBeUndefined();
    expect((await gw.call('GET', `/Users?filter=${encodeURIComponent('userName eq "not.allowed"')}`)).body.totalResults).toBe(0);
    // A user with rights on another database only: 403 on reads too.
    expect((await gw.call('GET', '/Users', undefined, as(backend, 'eve'))).status).toBe(403);
  });

  it('credentials MongoDB refuses are 401, and the next right ones work', async () => {
    for (const auth of [
      basic(backend.user('alice'), 'wrong'),
      basic(`nobody_${RUN}`, 'x'),
      basic(backend.user('gw'), 'not-its-password'),
    ]) {
      const r = await gw.call('GET', '/Users', undefined, auth);
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
    }
    expect((await gw.call('GET', '/Users', undefined, as(backend, 'alice'))).status).toBe(200);
  });

  it('a credential that is not a MongoDB user name and password is 401', async () => {
    for (const authorization of [
      'Bearer some.jwt.token',
      'Basic',
      'Basic !!!',
      `Basic ${Buffer.from('only-a-user').toString('base64')}`,
      `Basic ${Buffer.from('user:').toString('base64')}`,
    ]) {
      const r = await gw.call('GET', '/Users', undefined, { authorization });
      expect(r.status, authorization).toBe(401);
    }
  });

  it("the gateway's own users keep the gateway's account", async () => {
    const r = await gw.call('POST', '/Users', { ...USERS, userName: 'made.by.gwadmin' });
    expect(r.status).toBe(201);
  });

  // Proof that SCIMGW_MONGODB_TEST_CREATE_USERS took the real-server path; it reads the test server's
  // call log, which a real server does not have.
  it.runIf(CREATE_USERS && !REAL_URL)('its users were made with createUser, under names unique to the run', () => {
    const made = backend.srv?.calls.of('createUser').map((r) => [r.db, r.body.createUser, r.body.pwd]);
    expect(made).toEqual(['gw', 'alice', 'reader', 'eve'].map((u) => ['admin', backend.user(u), '<redacted>']));
    expect(backend.user('alice')).toMatch(new RegExp(`^scimgw_${process.pid}_[0-9a-z]+_alice$`));
  });

  it("never logs a caller's password", async () => {
    const all = `${gw.logs()}\n${connectorLog.join('\n')}`;
    expect(all).toMatch(/pass-through client opened/);
    for (const p of [...Object.values(PASSWORDS), 'not-its-password']) {
      expect(all).not.toContain(p);
      expect(all).not.toContain(Buffer.from(p).toString('base64'));
    }
  });
});

describe('pass-through without an account of the gateway', () => {
  it('starts, and the first caller allowed to creates the indexes; a read user before it still reads', async () => {
    const db = uniqueDb('ptnoacct');
    const backend = await startBackend({
      users: [
        { username: 'alice', password: PASSWORDS.alice, roles: [{ role: 'readWrite', db }] },
        { username: 'reader', password: PASSWORDS.reader, roles: [{ role: 'read', db }] },
      ],
    });
    const gw = await gatewayOn(backend, db, false);
    const admin = new MongoClient(backend.adminUrl);
    try {
      const indexes = async () => (await admin.db(db).collection('users').listIndexes().toArray()).map((i) => i.name).sort();
      const reader = await gw.call('GET', '/Users', undefined, as(backend, 'reader'));
      expect(reader.status).toBe(200);
      expect(reader.body.totalResults).toBe(0);
      expect(connectorLog.join('\n')).toMatch(/may not create the indexes/);
      const alice = await gw.call('POST', '/Users', { ...USERS, userName: 'first' }, as(backend, 'alice'));
      expect(alice.status).toBe(201);
      expect((await indexes()).length).toBeGreaterThan(1);
      // The unique index is in force: a second "first" is a conflict.
      const again = await gw.call('POST', '/Users', { ...USERS, userName: 'FIRST' }, as(backend, 'alice'));
      expect(again.status).toBe(409);
    } finally {
      await admin.close();
      await gw.stop();
      await backend.stop();
    }
  });
});

describe('caller clients', () => {
  /** Counted stand-ins for MongoClient: only `close` is used by CallerClients. */
  function clients(maxClients: number, idleMs = 60_000) {
    let now = 0;
    const opened: { user: string; key: string; closed: number }[] = [];
    const callers = new CallerClients<never>({
      maxClients,
      idleMs,
      log: { debug() {}, info() {}, warn() {}, error() {} },
      now: () => now,
      connect: (c, key) => {
        const rec = { user: c.username, key, closed: 0 };
        opened.push(rec);
        return { close: async () => void (rec.closed += 1) } as never;
      },
    });
    return { callers, opened, tick: (ms: number) => (now += ms) };
  }
  const auth = (u: string, p = 'pw') => basic(u, p).authorization;
  const settle = () => new Promise((r) => setTimeout(r, 0));

  it('one client per caller and connection; the same credentials reuse it', async () => {
    const { callers, opened } = clients(10);
    callers.hold(auth('a'), 'c1').release();
    callers.hold(auth('a'), 'c1').release();
    callers.hold(auth('a', 'other'), 'c1').release();
    callers.hold(auth('a'), 'c2').release();
    expect(opened.map((o) => `${o.user}@${o.key}`)).toEqual(['a@c1', 'a@c1', 'a@c2']);
    expect(callers.size).toBe(3);
    await callers.close();
    expect(opened.every((o) => o.closed === 1)).toBe(true);
  });

  it('beyond maxClients the least recently used closes, but not under a running operation', async () => {
    const { callers, opened } = clients(2);
    callers.hold(auth('a'), 'c').release();
    const b = callers.hold(auth('b'), 'c'); // b is still running
    callers.hold(auth('a'), 'c').release(); // a is now the most recent
    callers.hold(auth('c'), 'c').release(); // b is the oldest: retired, not closed while it runs
    await settle();
    expect(opened.find((o) => o.user === 'b')?.closed).toBe(0);
    b.release();
    await settle();
    expect(opened.find((o) => o.user === 'b')?.closed).toBe(1);
    expect(opened.find((o) => o.user === 'a')?.closed).toBe(0);
    expect(callers.size).toBe(2);
    await callers.close();
  });

  it('idle clients close after idleMs; evicted callers get a new client', async () => {
    const { callers, opened, tick } = clients(10, 1000);
    const held = callers.hold(auth('a'), 'c');
    tick(5000);
    callers.sweep();
    await settle();
    expect(opened[0]?.closed).toBe(0); // in use
    held.release();
    tick(999);
    callers.sweep();
    expect(opened[0]?.closed).toBe(0);
    tick(1);
    callers.sweep();
    await settle();
    expect(opened[0]?.closed).toBe(1);
    const again = callers.hold(auth('a'), 'c');
    callers.evict(again.id);
    again.release();
    await settle();
    expect(opened).toHaveLength(2);
    expect(opened[1]?.closed).toBe(1);
    callers.hold(auth('a'), 'c').release();
    expect(opened).toHaveLength(3);
    await callers.close();
  });

  it('reads any user name and password from Basic, and refuses anything else with 401', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((u) => !u.includes(':')),
        fc.string({ minLength: 1 }),
        (username, password) => {
          const header = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
          const got = basicCredentials(header);
          // A lone surrogate does not survive UTF-8; everything else does.
          const roundTrip = (s: string) => Buffer.from(s, 'utf8').toString('utf8');
          expect(got).toEqual({ username: roundTrip(username), password: roundTrip(password) });
        },
      ),
    );
    fc.assert(
      fc.property(fc.string(), (junk) => {
        fc.pre(!/^Basic[ \t]+[A-Za-z0-9+/]+={0,2}[ \t]*$/i.test(junk));
        expect(() => basicCredentials(junk)).toThrow(errors.UnauthorizedError);
      }),
    );
  });
});
