/**
 * User management as MongoDB documents it (`createUser`, `dropUser`, `usersInfo`), through the
 * official driver: a created user authenticates with SCRAM like a user given at startup and gets
 * exactly its roles; duplicates are 51003, unknown users 11, unknown roles 31; only `userAdmin`
 * (on the database), `userAdminAnyDatabase` and `root` may manage users (13 otherwise); a dropped
 * user can no longer authenticate, and its open connections lose their rights.
 */
import { type Document, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type MongoWireServer, startMongoWireServer } from '../src/index.js';
import { serverError, withClient } from './helpers.js';

let srv: MongoWireServer;
const PASSWORDS: Record<string, string> = {
  admin: 'pw-admin',
  writer: 'pw-writer',
  hrAdmin: 'pw-hr-admin',
  anyAdmin: 'pw-any-admin',
};

beforeAll(async () => {
  srv = await startMongoWireServer({
    users: [
      { username: 'admin', password: PASSWORDS.admin! },
      { username: 'writer', password: PASSWORDS.writer!, roles: [{ role: 'readWrite', db: 'hr' }] },
      { username: 'hrAdmin', password: PASSWORDS.hrAdmin!, roles: [{ role: 'userAdmin', db: 'hr' }] },
      { username: 'anyAdmin', password: PASSWORDS.anyAdmin!, roles: [{ role: 'userAdminAnyDatabase', db: 'admin' }] },
    ],
  });
  await as('admin', (c) => c.db('hr').collection('users').insertOne({ userName: 'bjensen' }));
  await as('admin', (c) => c.db('other').collection('users').insertOne({ userName: 'jsmith' }));
});
afterAll(async () => {
  await srv.stop();
  expect(srv.internalErrors).toEqual([]);
});

/** Runs `fn` with a client authenticated as a startup user (on `admin`). */
async function as<T>(user: string, fn: (client: MongoClient) => Promise<T>): Promise<T> {
  return withClient(srv.connectionString({ username: user, password: PASSWORDS[user]! }), fn);
}

/** A client as a created user, optionally with one mechanism. */
function url(username: string, password: string, authSource: string, authMechanism?: string): string {
  return srv.connectionString({ username, password, authSource }, authMechanism ? { authMechanism } : {});
}

const run = (c: MongoClient, db: string, command: Document) => c.db(db).command(command);

describe('createUser', () => {
  test('creates a user on $db that authenticates with both SCRAM mechanisms and gets exactly its roles', async () => {
    await as('admin', (c) => run(c, 'hr', { createUser: 'alice', pwd: 'alice-pä$$:w0rd', roles: ['readWrite'] }));
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-1']) {
      await withClient(url('alice', 'alice-pä$$:w0rd', 'hr', mechanism), async (c) => {
        const status = await run(c, 'admin', { connectionStatus: 1 });
        expect(status['authInfo']).toEqual({
          authenticatedUsers: [{ user: 'alice', db: 'hr' }],
          authenticatedUserRoles: [{ role: 'readWrite', db: 'hr' }],
        });
        const users = c.db('hr').collection('users');
        await users.insertOne({ userName: `by-alice-${mechanism}` });
        expect(await users.countDocuments({ userName: /^by-alice/ })).toBeGreaterThan(0);
        // Nothing beyond its role: another database is 13, and so is managing users.
        expect((await serverError(() => c.db('other').collection('users').findOne({}))).code).toBe(13);
        expect((await serverError(() => run(c, 'hr', { createUser: 'x', pwd: 'x', roles: [] }))).code).toBe(13);
      });
    }
    // The user lives on hr: authenticating against admin is 18, as is a wrong password.
    for (const wrong of [url('alice', 'alice-pä$$:w0rd', 'admin'), url('alice', 'wrong', 'hr')]) {
      const e = await serverError(() => withClient(wrong, (c) => run(c, 'hr', { ping: 1 })));
      expect([e.code, e.message]).toEqual([18, 'Authentication failed.']);
    }
  });

  test('roles as { role, db } on other databases; a read role refuses writes with 13', async () => {
    await as('admin', (c) =>
      run(c, 'hr', {
        createUser: 'auditor',
        pwd: 'pw-auditor',
        roles: [{ role: 'read', db: 'other' }],
        customData: { team: 'audit' },
      }),
    );
    await withClient(url('auditor', 'pw-auditor', 'hr'), async (c) => {
      expect(
        await c
          .db('other')
          .collection('users')
          .findOne({}, { projection: { _id: 0 } }),
      ).toEqual({ userName: 'jsmith' });
      const e = await serverError(() => c.db('other').collection('users').insertOne({ a: 1 }));
      expect([e.code, e.codeName, e.message]).toEqual([
        13,
        'Unauthorized',
        'not authorized on other to execute command { insert: "users" }',
      ]);
      // A role on another database grants nothing on the user's own.
      expect((await serverError(() => c.db('hr').collection('users').findOne({}))).code).toBe(13);
    });
  });

  test('mechanisms limits how the user may authenticate; the handshake offers only those', async () => {
    await as('admin', (c) =>
      run(c, 'hr', { createUser: 'modern', pwd: 'pw-modern', roles: ['read'], mechanisms: ['SCRAM-SHA-256'] }),
    );
    await withClient(url('modern', 'pw-modern', 'hr', 'SCRAM-SHA-256'), (c) => c.db('hr').collection('users').findOne({}));
    const e = await serverError(() =>
      withClient(url('modern', 'pw-modern', 'hr', 'SCRAM-SHA-1'), (c) => run(c, 'hr', { ping: 1 })),
    );
    expect(e.code).toBe(18);
    srv.calls.clear();
    await withClient(url('modern', 'pw-modern', 'hr'), (c) => run(c, 'hr', { ping: 1 }));
    const hello = srv.calls.all.find((r) => r.body['saslSupportedMechs'] === 'hr.modern');
    expect(hello).toBeDefined();
  });

  test('a user that exists is 51003 and stays as it was', async () => {
    await as('admin', (c) => run(c, 'hr', { createUser: 'dup', pwd: 'first', roles: ['read'] }));
    const e = await serverError(() =>
      as('admin', (c) => run(c, 'hr', { createUser: 'dup', pwd: 'second', roles: ['readWrite'] })),
    );
    expect([e.code, e.codeName, e.message]).toEqual([51003, 'Location51003', 'User "dup@hr" already exists']);
    await withClient(url('dup', 'first', 'hr'), async (c) => {
      expect((await run(c, 'admin', { connectionStatus: 1 }))['authInfo'].authenticatedUserRoles).toEqual([
        { role: 'read', db: 'hr' },
      ]);
    });
    // The same name on another database is another user.
    await as('admin', (c) => run(c, 'other', { createUser: 'dup', pwd: 'third', roles: [] }));
    await withClient(url('dup', 'third', 'other'), (c) => run(c, 'other', { connectionStatus: 1 }));
  });

  test('ten clients creating one user at once: exactly one succeeds, the others get 51003', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => as('admin', (c) => run(c, 'race', { createUser: 'once', pwd: `pw-${i}`, roles: [] }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code: number }).code] : []));
    expect(codes).toEqual(Array(9).fill(51003));
    // The winner's password is the one that works.
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    await withClient(url('once', `pw-${winner}`, 'race'), (c) => run(c, 'race', { connectionStatus: 1 }));
  });

  test('unknown roles are 31 RoleNotFound (admin-only roles too, on another database); nothing is created', async () => {
    for (const [roles, missing] of [
      [['nosuchrole'], 'nosuchrole@hr'],
      [[{ role: 'root', db: 'hr' }], 'root@hr'],
      [[{ role: 'clusterAdmin', db: 'hr' }], 'clusterAdmin@hr'],
      [['read', { role: 'readWriteAnyDatabase', db: 'other' }], 'readWriteAnyDatabase@other'],
    ] as const) {
      const e = await serverError(() => as('admin', (c) => run(c, 'hr', { createUser: 'ghost', pwd: 'pw', roles })));
      expect([e.code, e.codeName, e.message]).toEqual([31, 'RoleNotFound', `Could not find role: ${missing}`]);
    }
    expect((await as('admin', (c) => run(c, 'hr', { usersInfo: 'ghost' })))['users']).toEqual([]);
    // A real built-in role this server does not implement is refused as unsupported, never ignored.
    const e = await serverError(() => as('admin', (c) => run(c, 'hr', { createUser: 'ghost', pwd: 'pw', roles: ['dbOwner'] })));
    expect(e.code).toBe(115);
  });

  test('malformed requests get mongod’s codes', async () => {
    const cases: [Document, number][] = [
      [{ createUser: 'm', pwd: 'pw' }, 40414], // roles is required
      [{ createUser: 'm', roles: [] }, 2], // so is pwd
      [{ createUser: 'm', pwd: '', roles: [] }, 2],
      [{ createUser: 'm', pwd: 'pw', roles: [], mechanisms: [] }, 2],
      [{ createUser: 'm', pwd: 'pw', roles: [], mechanisms: ['MONGODB-CR'] }, 2],
      [{ createUser: 'm', pwd: 'pw', roles: [], digestPassword: false }, 2],
      [{ createUser: 'm', pwd: 'pw', roles: 'read' }, 14],
      [{ createUser: 'm', pwd: 'pw', roles: [{ role: 'read' }] }, 40414],
      [{ createUser: 'm', pwd: 'pw', roles: [], bogus: 1 }, 40415],
      [{ createUser: 'm', pwd: 'pw\u0007', roles: [] }, 2], // SASLprep refuses a control character
    ];
    for (const [command, code] of cases) {
      const e = await serverError(() => as('admin', (c) => run(c, 'hr', command)));
      expect(e.code, JSON.stringify(command)).toBe(code);
    }
    const local = await serverError(() => as('admin', (c) => run(c, 'local', { createUser: 'm', pwd: 'pw', roles: [] })));
    expect([local.code, local.message]).toEqual([2, 'Cannot create users in the local database']);
  });

  test('the password never reaches the call log', async () => {
    srv.calls.clear();
    await as('admin', (c) => run(c, 'hr', { createUser: 'quiet', pwd: 'never-logged-S3cret', roles: [] }));
    const [record] = srv.calls.of('createUser');
    expect(record?.body['pwd']).toBe('<redacted>');
    expect(JSON.stringify(srv.calls.all)).not.toContain('never-logged-S3cret');
  });
});

describe('who may manage users', () => {
  test('a user without userAdmin is 13 for createUser and dropUser; unauthenticated, 13 "requires authentication"', async () => {
    await as('writer', async (c) => {
      for (const command of [{ createUser: 'x', pwd: 'pw', roles: [] }, { dropUser: 'alice' }]) {
        const e = await serverError(() => run(c, 'hr', command));
        expect([e.code, e.codeName]).toEqual([13, 'Unauthorized']);
        expect(e.message).toMatch(/^not authorized on hr to execute command \{ (createUser: "x"|dropUser: "alice") \}$/);
      }
    });
    await withClient(srv.url, async (c) => {
      const e = await serverError(() => run(c, 'hr', { createUser: 'x', pwd: 'pw', roles: [] }));
      expect([e.code, e.message]).toEqual([13, 'Command createUser requires authentication']);
    });
  });

  test('userAdmin manages the users of its database only, grants only roles there, and reads no data', async () => {
    await as('hrAdmin', async (c) => {
      await run(c, 'hr', { createUser: 'hired', pwd: 'pw-hired', roles: ['read'] });
      // Granting a role on another database takes userAdmin there.
      const elsewhere = await serverError(() =>
        run(c, 'hr', { createUser: 'x', pwd: 'pw', roles: [{ role: 'read', db: 'other' }] }),
      );
      expect(elsewhere.code).toBe(13);
      expect((await serverError(() => run(c, 'other', { createUser: 'x', pwd: 'pw', roles: [] }))).code).toBe(13);
      expect((await serverError(() => c.db('hr').collection('users').findOne({}))).code).toBe(13);
      expect((await run(c, 'hr', { usersInfo: 'hired' }))['users']).toHaveLength(1);
      await run(c, 'hr', { dropUser: 'hired' });
    });
  });

  test('userAdminAnyDatabase manages users everywhere, and reads no data', async () => {
    await as('anyAdmin', async (c) => {
      await run(c, 'other', { createUser: 'remote', pwd: 'pw-remote', roles: ['read', { role: 'readWrite', db: 'hr' }] });
      expect((await serverError(() => c.db('other').collection('users').findOne({}))).code).toBe(13);
      await run(c, 'other', { dropUser: 'remote' });
    });
  });
});

describe('usersInfo', () => {
  test('one user by name or { user, db }, all of a database, all databases; unknown users are simply absent', async () => {
    await as('admin', (c) => run(c, 'info', { createUser: 'ann', pwd: 'pw', roles: ['read'], customData: { n: 1 } }));
    await as('admin', (c) => run(c, 'info', { createUser: 'bob', pwd: 'pw', roles: [], mechanisms: ['SCRAM-SHA-256'] }));
    await as('admin', async (c) => {
      const [ann] = (await run(c, 'info', { usersInfo: 'ann' }))['users'];
      expect(ann).toMatchObject({
        _id: 'info.ann',
        user: 'ann',
        db: 'info',
        mechanisms: ['SCRAM-SHA-1', 'SCRAM-SHA-256'],
        customData: { n: 1 },
        roles: [{ role: 'read', db: 'info' }],
      });
      expect(ann.userId.sub_type).toBe(4); // a UUID
      const names = async (command: Document) => ((await run(c, 'admin', command))['users'] as Document[]).map((u) => u['_id']);
      expect(await names({ usersInfo: { user: 'bob', db: 'info' } })).toEqual(['info.bob']);
      expect(await names({ usersInfo: [{ user: 'bob', db: 'info' }, 'admin', { user: 'nobody', db: 'info' }] })).toEqual([
        'info.bob',
        'admin.admin',
      ]);
      expect(((await run(c, 'info', { usersInfo: 1 }))['users'] as Document[]).map((u) => u['user'])).toEqual(['ann', 'bob']);
      expect(await names({ usersInfo: { forAllDBs: true }, filter: { db: 'info' } })).toEqual(['info.ann', 'info.bob']);
      expect((await run(c, 'info', { usersInfo: 'ann', showCustomData: false }))['users'][0].customData).toBeUndefined();
      expect((await run(c, 'info', { usersInfo: 'nobody' }))['users']).toEqual([]);
    });
  });

  test('users may always look themselves up, and others only with userAdmin on their database', async () => {
    await as('writer', async (c) => {
      const [me] = (await run(c, 'admin', { usersInfo: 'writer' }))['users'];
      expect(me.roles).toEqual([{ role: 'readWrite', db: 'hr' }]);
      for (const command of [{ usersInfo: 'admin' }, { usersInfo: 1 }, { usersInfo: { forAllDBs: true } }]) {
        expect((await serverError(() => run(c, 'admin', command))).code).toBe(13);
      }
    });
    await as('hrAdmin', async (c) => {
      expect((await run(c, 'hr', { usersInfo: 1 }))['users'].length).toBeGreaterThan(0);
      expect((await serverError(() => run(c, 'admin', { usersInfo: 'admin' }))).code).toBe(13);
    });
  });
});

describe('dropUser', () => {
  test('an unknown user is 11 UserNotFound', async () => {
    const e = await serverError(() => as('admin', (c) => run(c, 'hr', { dropUser: 'nobody' })));
    expect([e.code, e.codeName, e.message]).toEqual([11, 'UserNotFound', "User 'nobody@hr' not found"]);
  });

  test('a dropped user can no longer authenticate, and its open connections lose their rights', async () => {
    await as('admin', (c) => run(c, 'hr', { createUser: 'leaver', pwd: 'pw-leaver', roles: ['readWrite'] }));
    const leaver = new MongoClient(url('leaver', 'pw-leaver', 'hr'), { serverSelectionTimeoutMS: 3000, maxPoolSize: 1 });
    try {
      await leaver.db('hr').collection('users').findOne({});
      await as('admin', (c) => run(c, 'hr', { dropUser: 'leaver' }));
      const open = await serverError(() => leaver.db('hr').collection('users').findOne({}));
      expect([open.code, open.message]).toEqual([13, 'Command find requires authentication']);
    } finally {
      await leaver.close();
    }
    const e = await serverError(() => withClient(url('leaver', 'pw-leaver', 'hr'), (c) => run(c, 'hr', { ping: 1 })));
    expect(e.code).toBe(18);
    expect((await serverError(() => as('admin', (c) => run(c, 'hr', { dropUser: 'leaver' })))).code).toBe(11);
    // Created again, with another password: the new one works, the old one does not.
    await as('admin', (c) => run(c, 'hr', { createUser: 'leaver', pwd: 'pw-back', roles: ['read'] }));
    await withClient(url('leaver', 'pw-back', 'hr'), (c) => c.db('hr').collection('users').findOne({}));
    expect((await serverError(() => withClient(url('leaver', 'pw-leaver', 'hr'), (c) => run(c, 'hr', { ping: 1 })))).code).toBe(
      18,
    );
  });
});

describe('without access control, and after reset()', () => {
  test('a server started without users lets anyone create users, which then authenticate (as mongod without --auth)', async () => {
    const open = await startMongoWireServer();
    try {
      await withClient(open.url, (c) => run(c, 'app', { createUser: 'svc', pwd: 'pw-svc', roles: ['read'] }));
      const status = await withClient(open.connectionString({ username: 'svc', password: 'pw-svc', authSource: 'app' }), (c) =>
        run(c, 'admin', { connectionStatus: 1 }),
      );
      expect(status['authInfo'].authenticatedUsers).toEqual([{ user: 'svc', db: 'app' }]);
      // Unauthenticated clients still do everything: access control stays off.
      await withClient(open.url, (c) => c.db('app').collection('x').insertOne({ a: 1 }));
    } finally {
      await open.stop();
      expect(open.internalErrors).toEqual([]);
    }
  });

  test('reset() and restart({ keepData: false }) bring back the users given at startup', async () => {
    const own = await startMongoWireServer({ users: [{ username: 'root', password: 'pw-root' }] });
    const rootUrl = own.connectionString({ username: 'root', password: 'pw-root' });
    const exists = async () =>
      (await withClient(rootUrl, (c) => run(c, 'admin', { usersInfo: { forAllDBs: true } })))['users'].map(
        (u: Document) => u['_id'],
      );
    try {
      await withClient(rootUrl, (c) => run(c, 'app', { createUser: 'temp', pwd: 'pw', roles: [] }));
      await own.restart();
      expect(await exists()).toEqual(['admin.root', 'app.temp']);
      own.reset();
      expect(await exists()).toEqual(['admin.root']);
      await withClient(rootUrl, (c) => run(c, 'app', { createUser: 'temp', pwd: 'pw', roles: [] }));
      await own.restart({ keepData: false });
      expect(await exists()).toEqual(['admin.root']);
    } finally {
      await own.stop();
      expect(own.internalErrors).toEqual([]);
    }
  });
});
