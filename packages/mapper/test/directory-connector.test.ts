/**
 * The mapper as a connector author uses it: an in-memory "directory" with
 * LDAP-style attribute names behind the core contract kit and handler.
 */
import { type Connector, defineConnector, errors, type ResourceHandler, SchemaRegistry, type ScimResource } from '@scimgw/core';
import { matchesFilter } from '@scimgw/core/filter';
import { createScimHandler } from '@scimgw/core/handler';
import { connectorContractCases } from '@scimgw/core/testkit';
import { describe, expect, it } from 'vitest';
import { connectorSchemas, createMappers, type EndpointChanges, type Mapper } from '../src/index.js';

const map = {
  user: {
    'x-agent-schema': { instructions: 'Create users with a unique sAMAccountName' },
    uid: { mapTo: 'id' },
    sAMAccountName: { mapTo: 'userName', 'x-agent-schema': { example: 'bjensen' } },
    givenName: { mapTo: 'name.givenName' },
    sn: { mapTo: 'name.familyName' },
    displayName: { mapTo: 'displayName' },
    title: { mapTo: 'title' },
    mail: { mapTo: 'emails.work.value' },
    enabled: { mapTo: 'active', type: 'string' },
  },
  group: {
    gid: { mapTo: 'id' },
    cn: { mapTo: 'displayName' },
    member: { mapTo: 'members.value', type: 'array' },
  },
};

type Rec = Record<string, unknown>;

function applyEndpointChanges(rec: Rec, ch: EndpointChanges): void {
  for (const k of ch.clear) delete rec[k];
  for (const [k, vals] of Object.entries(ch.remove)) {
    const cur = rec[k];
    if (Array.isArray(cur)) rec[k] = cur.filter((v) => !vals.includes(v));
    else if (vals.includes(cur)) delete rec[k];
  }
  Object.assign(rec, ch.set);
  for (const [k, vals] of Object.entries(ch.add)) {
    const cur = Array.isArray(rec[k]) ? (rec[k] as unknown[]) : [];
    rec[k] = [...cur, ...vals.filter((v) => !cur.includes(v))];
  }
}

function directoryConnector(): { connector: Connector; store: Record<'User' | 'Group', Map<string, Rec>> } {
  const mappers = createMappers(map);
  const store = { User: new Map<string, Rec>(), Group: new Map<string, Rec>() };
  let seq = 0;
  const ops = (rt: 'User' | 'Group', m: Mapper, idKey: string, unique?: string): ResourceHandler => {
    const recs = store[rt];
    const view = (r: Rec) => m.toScim(r);
    const assertUnique = (r: Rec, self?: string) => {
      if (!unique) return;
      const v = String(r[unique] ?? '').toLowerCase();
      for (const [id, o] of recs)
        if (id !== self && String(o[unique]).toLowerCase() === v) throw new errors.UniquenessError(`${v} exists`);
    };
    return {
      capabilities: {
        filter: {
          operators: ['eq', 'ne', 'co', 'sw', 'ew', 'pr'],
          attributes: m.scimPaths(),
          logical: ['and', 'or', 'not'],
          valuePath: true,
        },
      },
      async query(req) {
        const t = m.translateFilter(req.filter);
        if (t.kind === 'none') return { resources: [] };
        const out: ScimResource[] = [];
        for (const r of recs.values()) {
          // The endpoint evaluates its own filter, on its own attribute names…
          if (t.kind === 'filter' && !matchesFilter(t.filter, r)) continue;
          const s = view(r);
          if (!s) continue;
          // …and inexact translations are checked again in SCIM terms.
          if (!t.exact && req.filter && !matchesFilter(req.filter, s)) continue;
          out.push(s);
        }
        return { resources: out };
      },
      async get(id) {
        const r = recs.get(id);
        return r ? view(r) : undefined;
      },
      async create(resource) {
        const r = { ...m.toEndpoint(resource), [idKey]: `${rt[0]}${++seq}` };
        assertUnique(r);
        recs.set(r[idKey] as string, r);
        return view(r) as ScimResource;
      },
      async modify(id, changes) {
        const r = recs.get(id);
        if (!r) throw new errors.NotFoundError(`${rt} ${id} not found`);
        const mod = m.changesToEndpoint(changes, m.needsCurrent(changes) ? { current: view(r) } : {});
        const next = structuredClone(r);
        applyEndpointChanges(next, mod);
        assertUnique(next, id);
        recs.set(id, next);
        return view(next);
      },
      async replace(id, resource) {
        if (!recs.has(id)) throw new errors.NotFoundError(`${rt} ${id} not found`);
        const next = { ...m.toEndpoint(resource), [idKey]: id };
        assertUnique(next, id);
        recs.set(id, next);
        return view(next) as ScimResource;
      },
      async delete(id) {
        if (!recs.delete(id)) throw new errors.NotFoundError(`${rt} ${id} not found`);
        // The directory keeps its references whole, as LDAP's referential integrity does.
        for (const g of store.Group.values()) {
          if (Array.isArray(g.member)) g.member = g.member.filter((v) => v !== id);
        }
      },
    };
  };
  const users = mappers.User as Mapper;
  const groups = mappers.Group as Mapper;
  const connector = defineConnector({
    name: 'connector-test-directory',
    coreVersion: '^1.0.0',
    registry: new SchemaRegistry().extend(connectorSchemas([users, groups])),
    resources: { User: ops('User', users, 'uid', 'sAMAccountName'), Group: ops('Group', groups, 'gid') },
  });
  return { connector, store };
}

describe('a mapper-based connector passes the Connector contract kit', () => {
  for (const c of connectorContractCases({ connector: () => directoryConnector().connector })) it(c.name, c.run);
});

describe('generated schemas through the core handler', () => {
  const { connector, store } = directoryConnector();
  const h = createScimHandler({ connector });

  it('serves /Schemas with only mapped attributes and agent hints', async () => {
    const res = await h.handle({ method: 'GET', url: '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User' });
    expect(res.status).toBe(200);
    const body = res.body as { attributes: Record<string, unknown>[]; 'x-agent-schema'?: unknown };
    expect(body.attributes.map((a) => a.name)).toEqual(['userName', 'name', 'displayName', 'title', 'emails', 'active']);
    expect(body.attributes[0]?.['x-agent-schema']).toEqual({ example: 'bjensen' });
    expect(connector.registry?.schema('urn:ietf:params:scim:schemas:core:2.0:User')).toMatchObject({
      'x-agent-schema': { instructions: 'Create users with a unique sAMAccountName' },
    });
    const emails = body.attributes.find((a) => a.name === 'emails') as {
      subAttributes: { name: string; canonicalValues?: string[] }[];
    };
    expect(emails.subAttributes.map((s) => s.name)).toEqual(['value', 'type']);
    expect(emails.subAttributes[1]?.canonicalValues).toEqual(['work']);
  });

  it('stores endpoint names and answers SCIM', async () => {
    const created = await h.handle({
      method: 'POST',
      url: '/Users',
      body: JSON.stringify({ userName: 'alice', emails: [{ type: 'work', value: 'a@x' }], active: true, nickName: 'dropped' }),
    });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    expect(store.User.get(id)).toEqual({ uid: id, sAMAccountName: 'alice', mail: 'a@x', enabled: 'true' });
    const got = await h.handle({
      method: 'GET',
      url: `/Users?filter=${encodeURIComponent('emails[type eq "work"].value eq "a@x"')}`,
    });
    expect((got.body as { totalResults: number }).totalResults).toBe(1);
    const patched = await h.handle({
      method: 'PATCH',
      url: `/Users/${id}`,
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'alice@x' }],
      }),
    });
    expect(patched.status).toBe(200);
    expect((patched.body as { emails: unknown }).emails).toEqual([{ type: 'work', value: 'alice@x' }]);
    expect(store.User.get(id)?.mail).toBe('alice@x');
    expect(h.registry.schema('urn:ietf:params:scim:schemas:core:2.0:User')?.attributes).toHaveLength(6);
  });
});
