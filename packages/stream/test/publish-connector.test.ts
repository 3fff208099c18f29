/**
 * The publisher decorator around a real connector, with a publisher that records what it is given:
 * what gets published for each write, that the client waits for it, that a failed publish is a 503,
 * and that one resource's writes are published in the order they were applied.
 */
import { errors, SchemaRegistry, type ScimResource } from '@scimgw/core';
import { createScimHandler } from '@scimgw/core/handler';
import { describe, expect, it } from 'vitest';
import { ChangeKeptError, createPublishOnlyConnector, type PublishRequest, withStreamPublisher } from '../src/index.js';
import { lokiHandler } from './helpers.js';

function recorder(fail?: (req: PublishRequest) => boolean, delay = 0) {
  const published: PublishRequest[] = [];
  return {
    published,
    publishes: (tenant: string | undefined) => tenant !== 'unpublished',
    async publish(req: PublishRequest) {
      if (delay) await new Promise((r) => setTimeout(r, delay * Math.random()));
      if (fail?.(req)) throw new errors.ServiceUnavailableError('The change was not published to the stream: down', 5);
      published.push(structuredClone(req));
    },
  };
}

async function setup(fail?: (req: PublishRequest) => boolean, delay = 0) {
  const { connector } = await lokiHandler();
  const pub = recorder(fail, delay);
  const wrapped = withStreamPublisher(connector, pub);
  return { pub, scim: createScimHandler({ connector: wrapped, registry: wrapped.registry ?? new SchemaRegistry() }) };
}

describe('the publisher decorator', () => {
  it('publishes each write with its data, after the connector applied it', async () => {
    const { pub, scim } = await setup();
    const created = await scim.handle({
      method: 'POST',
      url: '/Users',
      body: { userName: 'bjensen', password: 'Secret-1', title: 'x' },
    });
    expect(created.status).toBe(201);
    const id = (created.body as ScimResource).id as string;
    await scim.handle({
      method: 'PATCH',
      url: `/Users/${id}`,
      body: { Operations: [{ op: 'replace', path: 'title', value: 'CEO' }] },
    });
    await scim.handle({
      method: 'PATCH',
      url: `/Users/${id}`,
      body: { Operations: [{ op: 'replace', path: 'password', value: 'Secret-2' }] },
    });
    await scim.handle({ method: 'PUT', url: `/Users/${id}`, body: { userName: 'bjensen', displayName: 'B' } });
    const g = await scim.handle({ method: 'POST', url: '/Groups', body: { displayName: 'Admins', members: [{ value: id }] } });
    const gid = (g.body as ScimResource).id as string;
    await scim.handle({
      method: 'PATCH',
      url: `/Groups/${gid}`,
      body: { Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }] },
    });
    await scim.handle({ method: 'DELETE', url: `/Users/${id}` });

    expect(pub.published.map((p) => `${p.operation} ${p.resourceType}`)).toEqual([
      'create User',
      'modify User',
      'replace User',
      'create Group',
      'modify Group',
      'delete User',
    ]);
    const [create, modify, replace, gcreate, gmodify, del] = pub.published as [
      PublishRequest,
      PublishRequest,
      PublishRequest,
      PublishRequest,
      PublishRequest,
      PublishRequest,
    ];
    expect(create.resourceId).toBe(id);
    expect(create.data.resource).toMatchObject({ id, userName: 'bjensen', title: 'x' });
    expect(create.data.resource).not.toHaveProperty('meta');
    expect(create.data.key).toEqual({ userName: 'bjensen' });
    expect(modify.data.changes).toEqual([{ op: 'replace', path: { attr: 'title' }, value: 'CEO' }]);
    expect(replace.data.resource).toMatchObject({ id, userName: 'bjensen', displayName: 'B' });
    expect(gcreate.data.resource?.members).toEqual([expect.objectContaining({ value: id })]);
    expect(gmodify.data.changes).toEqual([{ op: 'remove', path: { attr: 'members' }, value: [{ value: id }] }]);
    expect(gmodify.data.resource ?? {}).not.toHaveProperty('members');
    expect(del.data).toEqual({ key: { userName: 'bjensen' } });
    expect(JSON.stringify(pub.published)).not.toMatch(/Secret-/);
  });

  it('answers 503 when the change could not be published (after the connector applied it)', async () => {
    const { pub, scim } = await setup((req) => req.operation === 'modify');
    const created = await scim.handle({ method: 'POST', url: '/Users', body: { userName: 'x' } });
    const id = (created.body as ScimResource).id as string;
    const res = await scim.handle({
      method: 'PATCH',
      url: `/Users/${id}`,
      body: { Operations: [{ op: 'replace', path: 'title', value: 'T' }] },
    });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(pub.published).toHaveLength(1);
  });

  it('does not publish for tenants without a subject', async () => {
    const { pub, scim } = await setup();
    // The decorator asks the publisher; the handler passes the tenant through the context.
    await scim.handle({ method: 'POST', url: '/Users', body: { userName: 'y' }, context: { tenant: 'unpublished' } });
    expect(pub.published).toHaveLength(0);
  });

  it('publishes one resource’s concurrent writes in the order the connector applied them', async () => {
    const { pub, scim } = await setup(undefined, 5);
    const g = await scim.handle({ method: 'POST', url: '/Groups', body: { displayName: 'Big' } });
    const gid = (g.body as ScimResource).id as string;
    const n = 40;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        scim.handle({
          method: 'PATCH',
          url: `/Groups/${gid}`,
          body: { Operations: [{ op: 'replace', path: 'displayName', value: `name-${i}` }] },
        }),
      ),
    );
    const names = pub.published.filter((p) => p.operation === 'modify').map((p) => (p.data.changes?.[0]?.value as string) ?? '');
    expect(names).toHaveLength(n);
    const final = (await scim.handle({ method: 'GET', url: `/Groups/${gid}` })).body as ScimResource;
    // The last message published is the state the connector ended in.
    expect(names.at(-1)).toBe(final.displayName);
  });
});

/**
 * A publisher that keeps the messages `keep` picks, as the real one does when JetStream does not
 * acknowledge in time; `publishKept()` publishes them (NATS is back).
 */
function keeping(keep: (req: PublishRequest) => boolean) {
  const published: PublishRequest[] = [];
  const kept: { req: PublishRequest; publish: () => void }[] = [];
  let up = true;
  return {
    published,
    kept,
    set up(v: boolean) {
      up = v;
    },
    publishes: () => true,
    async ready() {
      if (!up) throw new errors.ServiceUnavailableError('NATS is down: nothing was changed', 5);
    },
    async publish(req: PublishRequest) {
      if (!keep(req)) {
        published.push(structuredClone(req));
        return;
      }
      let publish = () => {};
      const outcome = new Promise<boolean>((resolve) => {
        publish = () => {
          published.push(structuredClone(req));
          resolve(true);
        };
      });
      kept.push({ req, publish });
      throw new ChangeKeptError('applied here, kept', `m-${kept.length}`, outcome, 50);
    },
    publishKept() {
      for (const k of kept.splice(0)) k.publish();
    },
  };
}

describe('writes the stream cannot take', () => {
  it('are refused before the connector sees them while the publisher is not ready', async () => {
    const { connector } = await lokiHandler();
    const pub = keeping(() => false);
    const scim = createScimHandler({ connector: withStreamPublisher(connector, pub), registry: connector.registry });
    const raw = createScimHandler({ connector, registry: connector.registry });
    const u = (await scim.handle({ method: 'POST', url: '/Users', body: { userName: 'kept' } })).body as ScimResource;
    pub.up = false;
    expect((await scim.handle({ method: 'POST', url: '/Users', body: { userName: 'new' } })).status).toBe(503);
    expect((await scim.handle({ method: 'DELETE', url: `/Users/${u.id}` })).status).toBe(503);
    const patch = { Operations: [{ op: 'replace', path: 'title', value: 'T' }] };
    expect((await scim.handle({ method: 'PATCH', url: `/Users/${u.id}`, body: patch })).status).toBe(503);
    expect((await scim.handle({ method: 'PUT', url: `/Users/${u.id}`, body: { userName: 'kept', title: 'T' } })).status).toBe(
      503,
    );
    const now = (await raw.handle({ method: 'GET', url: '/Users' })).body as { Resources: ScimResource[] };
    expect(now.Resources.map((r) => [r.userName, r.title])).toEqual([['kept', undefined]]);
    // A password change publishes nothing, so it does not need the stream.
    const pw = { Operations: [{ op: 'replace', path: 'password', value: 'Secret-1' }] };
    expect((await scim.handle({ method: 'PATCH', url: `/Users/${u.id}`, body: pw })).status).toBe(200);
    expect(pub.published.map((p) => p.operation)).toEqual(['create']);
  });

  it('a retried POST or DELETE whose change was kept is answered as that change once it is published, and not applied twice', async () => {
    const { connector } = await lokiHandler();
    let creates = 0;
    const counted = {
      ...connector,
      resources: {
        ...connector.resources,
        User: {
          ...connector.resources.User,
          create: async (r: ScimResource, ctx: object) => {
            const created = await connector.resources.User!.create!(r, ctx as never);
            creates++;
            return created;
          },
        },
      },
    } as typeof connector;
    const pub = keeping((req) => req.operation !== 'modify');
    const scim = createScimHandler({ connector: withStreamPublisher(counted, pub), registry: connector.registry });
    const body = { userName: 'np1', title: 'T', password: 'Secret-1' };
    const first = await scim.handle({ method: 'POST', url: '/Users', body });
    expect(first.status).toBe(503);
    const id = (await connector.resources.User!.query!({}, {} as never)).resources[0]?.id;
    // Still kept: the retry hears so again, and nothing is applied.
    expect((await scim.handle({ method: 'POST', url: '/Users', body })).status).toBe(503);
    pub.publishKept();
    const retry = await scim.handle({ method: 'POST', url: '/Users', body });
    expect(retry.status).toBe(201);
    expect((retry.body as ScimResource).id).toBe(id);
    expect(creates).toBe(1);
    // Another body is another request: the resource exists.
    expect((await scim.handle({ method: 'POST', url: '/Users', body: { userName: 'np1' } })).status).toBe(409);

    expect((await scim.handle({ method: 'DELETE', url: `/Users/${id}` })).status).toBe(503);
    expect((await scim.handle({ method: 'DELETE', url: `/Users/${id}` })).status).toBe(503);
    pub.publishKept();
    expect((await scim.handle({ method: 'DELETE', url: `/Users/${id}` })).status).toBe(204);
    expect(pub.published.map((p) => p.operation)).toEqual(['create', 'delete']);
    // Deleted since: the same body makes a new user.
    pub.publishKept();
    const again = await scim.handle({ method: 'POST', url: '/Users', body });
    expect(again.status).toBe(503);
    expect(creates).toBe(2);
  });

  it('in publish-only mode, a retried POST whose change was kept is the same resource (the same id), not a second one', async () => {
    const registry = new SchemaRegistry();
    const pub = keeping(() => true);
    const scim = createScimHandler({ connector: withStreamPublisher(createPublishOnlyConnector(registry), pub), registry });
    expect((await scim.handle({ method: 'POST', url: '/Users', body: { userName: 'np1' } })).status).toBe(503);
    pub.publishKept();
    const retry = await scim.handle({ method: 'POST', url: '/Users', body: { userName: 'np1' } });
    expect(retry.status).toBe(201);
    expect(pub.published.map((p) => [p.operation, p.resourceId])).toEqual([['create', (retry.body as ScimResource).id]]);
  });
});

describe('publish-only mode', () => {
  it('stores nothing: writes succeed once published, reads find nothing', async () => {
    const pub = recorder();
    const registry = new SchemaRegistry();
    const connector = withStreamPublisher(createPublishOnlyConnector(registry), pub);
    const scim = createScimHandler({ connector, registry });
    const created = await scim.handle({ method: 'POST', url: '/Users', body: { userName: 'bjensen' } });
    expect(created.status).toBe(201);
    const id = (created.body as ScimResource).id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const patched = await scim.handle({
      method: 'PATCH',
      url: `/Users/${id}`,
      body: { Operations: [{ op: 'replace', path: 'title', value: 'T' }] },
    });
    expect(patched.status).toBe(200);
    expect((patched.body as ScimResource).title).toBe('T');
    expect((await scim.handle({ method: 'DELETE', url: `/Users/${id}` })).status).toBe(204);
    expect((await scim.handle({ method: 'GET', url: `/Users/${id}` })).status).toBe(404);
    expect(
      ((await scim.handle({ method: 'GET', url: '/Users?filter=userName eq "bjensen"' })).body as { totalResults: number })
        .totalResults,
    ).toBe(0);
    expect(pub.published.map((p) => p.operation)).toEqual(['create', 'modify', 'delete']);
    expect(pub.published[0]?.resourceId).toBe(id);

    const failing = withStreamPublisher(
      createPublishOnlyConnector(registry),
      recorder(() => true),
    );
    const res = await createScimHandler({ connector: failing, registry }).handle({
      method: 'POST',
      url: '/Users',
      body: { userName: 'z' },
    });
    expect(res.status).toBe(503);
  });
});
