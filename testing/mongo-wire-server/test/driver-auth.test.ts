import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type MongoWireServer, startMongoWireServer } from '../src/index.js';
import { serverError } from './helpers.js';

const PASSWORD = 'pä$$w0rd:with,odd=chars';
const SHA1_ONLY_PASSWORD = 's3cret-sha1';
let srv: MongoWireServer;

beforeAll(async () => {
  srv = await startMongoWireServer({
    users: [
      { username: 'scim', password: PASSWORD },
      { username: 'legacy', password: SHA1_ONLY_PASSWORD, db: 'app', mechanisms: ['SCRAM-SHA-1'] },
    ],
  });
});
afterAll(async () => {
  await srv.stop();
  expect(srv.internalErrors).toEqual([]);
});

async function withClient<T>(url: string, fn: (client: MongoClient) => Promise<T>): Promise<T> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 3000 });
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.close();
  }
}

describe('SCRAM', () => {
  test('SCRAM-SHA-256 with the right password works, speculatively in the handshake', async () => {
    srv.calls.clear();
    const url = srv.connectionString({ username: 'scim', password: PASSWORD });
    const n = await withClient(url, async (client) => {
      await client.db('t').collection('x').insertOne({ a: 1 });
      return client.db('t').collection('x').countDocuments();
    });
    expect(n).toBe(1);
    // Monitoring connections do not authenticate; pooled connections do.
    const handshake = srv.calls.all.find(
      (r) => (r.command === 'ismaster' || r.command === 'hello') && r.body['saslSupportedMechs'],
    );
    expect(handshake?.body['saslSupportedMechs']).toBe('admin.scim');
    expect(handshake?.body['speculativeAuthenticate']).toBe('<redacted>');
    // Speculative authentication leaves one saslContinue per connection and no saslStart.
    expect(srv.calls.count('saslStart')).toBe(0);
    expect(srv.calls.count('saslContinue')).toBeGreaterThan(0);
  });

  test('an explicit SCRAM-SHA-256 mechanism and SCRAM-SHA-1 both work', async () => {
    const sha256 = srv.connectionString({ username: 'scim', password: PASSWORD }, { authMechanism: 'SCRAM-SHA-256' });
    await withClient(sha256, (client) => client.db('t').command({ ping: 1 }));
    const sha1 = srv.connectionString({ username: 'legacy', password: SHA1_ONLY_PASSWORD, authSource: 'app' });
    const status = await withClient(sha1, (client) => client.db('admin').command({ connectionStatus: 1 }));
    expect(status['authInfo'].authenticatedUsers).toEqual([{ user: 'legacy', db: 'app' }]);
  });

  test('a wrong password is AuthenticationFailed (18)', async () => {
    const url = srv.connectionString({ username: 'scim', password: 'wrong' });
    const error = await serverError(() => withClient(url, (client) => client.db('t').command({ ping: 1 })));
    expect([error.code, error.codeName, error.message]).toEqual([18, 'AuthenticationFailed', 'Authentication failed.']);
  });

  test('an unknown user and a wrong authSource fail the same way', async () => {
    for (const url of [
      srv.connectionString({ username: 'nobody', password: 'x' }),
      srv.connectionString({ username: 'scim', password: PASSWORD, authSource: 'other' }),
    ]) {
      const error = await serverError(() => withClient(url, (client) => client.db('t').command({ ping: 1 })));
      expect(error.code).toBe(18);
    }
  });

  test('a mechanism the user lacks is refused', async () => {
    const url = srv.connectionString(
      { username: 'legacy', password: SHA1_ONLY_PASSWORD, authSource: 'app' },
      { authMechanism: 'SCRAM-SHA-256' },
    );
    const error = await serverError(() => withClient(url, (client) => client.db('t').command({ ping: 1 })));
    expect(error.code).toBe(18);
  });

  test('without authentication, data commands are Unauthorized (13); hello and ping are allowed', async () => {
    await withClient(srv.url, async (client) => {
      await client.db('admin').command({ ping: 1 });
      const error = await serverError(() => client.db('t').collection('x').findOne({}));
      expect([error.code, error.codeName, error.message]).toEqual([13, 'Unauthorized', 'Command find requires authentication']);
    });
  });

  test('nothing the server writes to stdout or stderr contains the password', async () => {
    const written: string[] = [];
    const spies = [process.stdout, process.stderr].map((stream) => {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        written.push(String(chunk));
        return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      return () => {
        stream.write = original;
      };
    });
    try {
      await withClient(srv.connectionString({ username: 'scim', password: PASSWORD }), (client) =>
        client.db('t').command({ ping: 1 }),
      );
      await serverError(() =>
        withClient(srv.connectionString({ username: 'scim', password: `${PASSWORD}x` }), (client) =>
          client.db('t').command({ ping: 1 }),
        ),
      );
    } finally {
      for (const restore of spies) restore();
    }
    expect(written.join('')).not.toContain(PASSWORD);
  });

  test('the password never appears in what the server recorded', async () => {
    const recorded = JSON.stringify(srv.calls.all.map((r) => r.body));
    expect(recorded).not.toContain(PASSWORD);
    expect(recorded).not.toContain(SHA1_ONLY_PASSWORD);
    expect(recorded).not.toMatch(/p=[A-Za-z0-9+/=]{20,}/);
  });
});
