/**
 * SCIM Stream between real gateways over the shared NATS JetStream server: a publishing gateway's
 * clients write over HTTP, a subscribing gateway ends up with the same resources; a publish-only
 * gateway; `/readyz`; secrets out of the logs. Streams and buckets are the test's own, deleted after.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/index.js';
import { startTestGateway, TEST_BASIC_AUTH as BASIC, type TestGateway } from '../src/testing.js';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NATS = process.env.SCIMGW_TEST_NATS ?? 'nats://127.0.0.1:4222';
const run = `${process.pid}_${Date.now().toString(36)}`;
const STREAM = `SCIMGW_GW_${run}`;
const SECRET = `nats-Pw-${run}`;
const streams = [STREAM];

let publisher: TestGateway;
let subscriber: TestGateway;
let publishOnly: TestGateway;

/** A subscriber tenant entry for subject `subject`. */
function subscribed(subject: string, extra: Record<string, unknown> = {}) {
  return { nats: { tenant: STREAM, subject, user: 'svc', password: SECRET }, skipConvertRolesToGroups: true, ...extra };
}

function recordStream(durable: string, tenantKey: string) {
  return `KV_scimgw-${STREAM}-${durable}-${tenantKey}`;
}

async function until<T>(fn: () => Promise<T>, what: string, ms = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
}

/** The subscriber status of `/readyz`, by tenant key. */
async function subscriberStatus(gw: TestGateway): Promise<Record<string, Record<string, number>>> {
  const r = await fetch(`${gw.base}/readyz`);
  const body = (await r.json()) as { stream?: { subscriber?: Record<string, number | string>[] } };
  return Object.fromEntries((body.stream?.subscriber ?? []).map((s) => [s.tenant as string, s as Record<string, number>]));
}

async function settled(gw: TestGateway, tenant: string, count: number) {
  await until(async () => {
    const s = (await subscriberStatus(gw))[tenant];
    return s && (s.applied ?? 0) + (s.skipped ?? 0) + (s.duplicates ?? 0) + (s.parked ?? 0) >= count && s.lag === 0;
  }, `${count} messages applied by tenant ${tenant}`);
}

beforeAll(async () => {
  publisher = await startTestGateway({
    scimgateway: {
      stream: {
        baseUrls: [NATS],
        publisher: {
          enabled: true,
          entity: {
            undefined: { nats: { tenant: STREAM, subject: `gwtest.${run}.main`, user: 'svc', password: SECRET } },
            clientA: { nats: { tenant: STREAM, subject: `gwtest.${run}.a`, user: 'svc', password: SECRET } },
          },
        },
      },
    },
    endpoint: { persistence: false, exampleData: false, entity: { undefined: {}, clientA: {} } },
  });
  subscriber = await startTestGateway({
    scimgateway: {
      stream: {
        baseUrls: [NATS],
        subscriber: {
          enabled: true,
          durable: 'e2e',
          lagLogInterval: 1,
          entity: {
            undefined: subscribed(`gwtest.${run}.main`),
            // The publisher's tenant clientA lands in this gateway's tenant target-a.
            'target-a': subscribed(`gwtest.${run}.a`, { replaceDomains: [{ from: 'example.com', to: 'example.net' }] }),
          },
        },
      },
    },
    endpoint: { persistence: false, exampleData: false, entity: { undefined: {}, 'target-a': {} } },
  });
  streams.push(recordStream('e2e', 'default'), recordStream('e2e', 'target-a'));
  await until(async () => (await fetch(`${publisher.base}/readyz`)).status === 200, 'publisher ready');
});

afterAll(async () => {
  await publisher?.stop();
  await subscriber?.stop();
  await publishOnly?.stop();
  const nc = await connect({ servers: NATS });
  const jsm = await jetstreamManager(nc);
  for (const s of streams) await jsm.streams.delete(s).catch(() => {});
  await nc.close();
});

describe('SCIM Stream between two gateways', () => {
  it('what the publisher’s clients write (Entra-style requests included) reaches the subscriber', async () => {
    const call = publisher.call;
    const bj = await call('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'bjensen@example.com',
      active: true,
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      emails: [{ primary: true, type: 'work', value: 'bjensen@example.com' }],
    });
    expect(bj.status).toBe(201);
    const js = await call('POST', '/Users', { userName: 'jsmith@example.com' });
    const group = await call('POST', '/Groups', { displayName: 'Sales', members: [{ value: bj.body.id }] });
    // Entra ID: capitalised op, booleans as strings, member added by PATCH.
    expect(
      (
        await call('PATCH', `/Users/${bj.body.id}`, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [
            { op: 'Replace', path: 'active', value: 'False' },
            { op: 'Add', path: 'title', value: 'Manager' },
          ],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call('PATCH', `/Groups/${group.body.id}`, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'Add', path: 'members', value: [{ value: js.body.id }] }],
        })
      ).status,
    ).toBe(204);
    // Bulk: one message per operation.
    const bulk = await call('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'b1', data: { userName: 'bulk1' } },
        { method: 'POST', path: '/Users', bulkId: 'b2', data: { userName: 'bulk2' } },
      ],
    });
    expect(bulk.status).toBe(200);
    expect((await call('DELETE', `/Users/${js.body.id}`)).status).toBe(204);
    await settled(subscriber, 'undefined', 8);

    const users = (await subscriber.call('GET', '/Users')).body.Resources as Record<string, unknown>[];
    const names = users.map((u) => u.userName).sort();
    expect(names).toEqual(['bjensen@example.com', 'bulk1', 'bulk2']);
    const b = users.find((u) => u.userName === 'bjensen@example.com') as Record<string, unknown>;
    expect(b).toMatchObject({ active: false, title: 'Manager', name: { givenName: 'Barbara', familyName: 'Jensen' } });
    expect(b.id).not.toBe(bj.body.id);
    const groups = (await subscriber.call('GET', '/Groups')).body.Resources as {
      displayName: string;
      members: { value: string }[];
    }[];
    expect(groups).toHaveLength(1);
    expect(groups[0]?.members.map((m) => m.value)).toEqual([b.id]);
  });

  it('tenants: the publisher’s tenant goes to the subscriber tenant that subscribes to its subject, with its options', async () => {
    const r = await publisher.call('POST', '/clientA/Users', {
      userName: 'a1@example.com',
      emails: [{ value: 'a1@example.com' }],
    });
    expect(r.status).toBe(201);
    await settled(subscriber, 'target-a', 1);
    const got = (await subscriber.call('GET', '/target-a/Users')).body.Resources as Record<string, unknown>[];
    expect(got.map((u) => u.userName)).toEqual(['a1@example.net']);
    expect((await subscriber.call('GET', '/Users?filter=userName sw "a1"')).body.totalResults).toBe(0);
  });

  it('/readyz shows the publisher’s connection and the subscriber’s lag and counts; a log line shows the lag', async () => {
    const pub = (await (await fetch(`${publisher.base}/readyz`)).json()) as {
      status: string;
      stream: { ready: boolean; publisher: Record<string, unknown>[] };
    };
    expect(pub.status).toBe('ready');
    expect(pub.stream.publisher.find((p) => p.tenant === 'undefined')).toMatchObject({ connected: true, failed: 0 });
    const sub = await subscriberStatus(subscriber);
    expect(sub.undefined).toMatchObject({ connected: true, lag: 0, parked: 0 });
    expect(sub.undefined?.applied).toBeGreaterThanOrEqual(8);
    await until(async () => subscriber.logs().includes('stream: subscriber status'), 'a status log line');
    expect(subscriber.logs()).toMatch(/"lag":0/);
    // The same lag on /metrics, per subscribed tenant (the default tenant's label is empty).
    const metrics = await (await fetch(`${subscriber.base}/metrics`, { headers: { authorization: BASIC } })).text();
    expect(metrics).toMatch(/^scimgw_stream_lag_messages\{[^}]*tenant=""[^}]*\} 0$/m);
    expect(metrics).toMatch(/^scimgw_stream_lag_messages\{[^}]*tenant="target-a"[^}]*\} 0$/m);
  });

  it('a gateway without a connector only publishes: the JetStream acknowledgement is the success', async () => {
    publishOnly = await startTestGateway({
      name: 'front-publisher',
      scimgateway: {
        stream: {
          baseUrls: [NATS],
          publisher: {
            enabled: true,
            entity: { undefined: { nats: { tenant: STREAM, subject: `gwtest.${run}.main`, user: 'svc', password: SECRET } } },
          },
        },
      },
    });
    await until(async () => (await fetch(`${publishOnly.base}/readyz`)).status === 200, 'publish-only ready');
    const before = (await subscriberStatus(subscriber)).undefined?.applied ?? 0;
    const created = await publishOnly.call('POST', '/Users', { userName: 'from-the-front' });
    expect(created.status).toBe(201);
    expect((await publishOnly.call('GET', `/Users/${created.body.id}`)).status).toBe(404);
    await settled(subscriber, 'undefined', before + 1);
    const found = await subscriber.call('GET', '/Users?filter=userName eq "from-the-front"');
    expect(found.body.totalResults).toBe(1);
  });

  it('signed messages (Security Event Tokens) with keys named in the configuration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimgw-stream-keys-'));
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(join(dir, 'signing.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }));
    writeFileSync(join(dir, 'verify.pem'), publicKey.export({ format: 'pem', type: 'spki' }));
    const subject = `gwtest.${run}.signed`;
    const nats = { tenant: STREAM, subject };
    const signer = await startTestGateway({
      scimgateway: {
        stream: {
          baseUrls: [NATS],
          publisher: {
            enabled: true,
            entity: { undefined: { nats } },
            set: { keyFile: join(dir, 'signing.pem'), issuer: 'signer' },
          },
        },
      },
      endpoint: { persistence: false, exampleData: false },
    });
    const verifier = await startTestGateway({
      scimgateway: {
        stream: {
          baseUrls: [NATS],
          subscriber: {
            enabled: true,
            durable: 'signed',
            entity: { undefined: { nats, skipConvertRolesToGroups: true } },
            set: { keyFile: join(dir, 'verify.pem'), issuer: 'signer' },
          },
        },
      },
      endpoint: { persistence: false, exampleData: false },
    });
    streams.push(recordStream('signed', 'default'));
    try {
      await until(async () => (await fetch(`${signer.base}/readyz`)).status === 200, 'signer ready');
      expect((await signer.call('POST', '/Users', { userName: 'signed-user' })).status).toBe(201);
      await settled(verifier, 'undefined', 1);
      expect((await verifier.call('GET', '/Users?filter=userName eq "signed-user"')).body.totalResults).toBe(1);
      expect((await subscriberStatus(verifier)).undefined?.parked).toBe(0);
    } finally {
      await signer.stop();
      await verifier.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('no NATS secret in any log line', () => {
    for (const gw of [publisher, subscriber, publishOnly]) {
      expect(gw.logs().length).toBeGreaterThan(0);
      expect(gw.logs()).not.toContain(SECRET);
    }
  });
});

describe('check-config', () => {
  it('checks the stream section and the files it names, as start does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimgw-stream-cfg-'));
    try {
      mkdirSync(join(dir, 'config'));
      const file = join(dir, 'config', 'connector-loki.json');
      writeFileSync(
        file,
        JSON.stringify({
          scimgateway: {
            port: 0,
            auth: { basic: [{ username: 'a', password: 'b' }] },
            stream: {
              baseUrls: ['tls://nats.example:4222'],
              certificate: { ca: 'missing-ca.pem' },
              subscriber: { enabled: true, entity: { undefined: { nats: { tenant: 'T', subject: 'GW.A' } } } },
            },
          },
        }),
      );
      const err: string[] = [];
      expect(await runCli(['check-config', '--config', file], { out: () => {}, err: (s) => err.push(s), cwd: dir })).toBe(1);
      expect(err.join('\n')).toMatch(/scimgateway\.stream\.certificate\.ca: cannot read .*missing-ca\.pem/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
