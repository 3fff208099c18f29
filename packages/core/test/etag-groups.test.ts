/**
 * ETags of users whose connector keeps versions while `groups` is computed from the groups: a
 * change of membership changes the user as served, so it must change the ETag clients see, while
 * the connector goes on comparing its own versions for conditional writes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PreconditionFailedError } from '../src/errors.js';
import { connectorTags, servedVersion } from '../src/handler/shape.js';
import { createScimHandler } from '../src/handler/index.js';
import { type Change, defineConnector, etagMatches, type RequestContext, type ScimResource } from '../src/index.js';
import { applyChanges } from '../src/patch/index.js';

/** Users with versions of their own; `groups` computed from a membership map, as stores do. */
function versionedUsers() {
  const users = new Map<string, ScimResource>();
  const memberOf = new Map<string, { value: string; display: string }[]>();
  const seenIfMatch: (string | undefined)[] = [];
  let writes = 0;
  const view = (u: ScimResource): ScimResource => {
    const groups = memberOf.get(String(u.id)) ?? [];
    return groups.length ? { ...u, groups } : { ...u };
  };
  const connector = defineConnector({
    name: 'versioned',
    coreVersion: '^1.0.0',
    resources: {
      User: {
        capabilities: { etag: true, filter: { operators: ['eq'], attributes: ['userName'] } },
        async query() {
          return { resources: [...users.values()].map(view) };
        },
        async get(id: string) {
          const u = users.get(id);
          return u ? view(u) : undefined;
        },
        async create(r: ScimResource) {
          const id = `u${users.size + 1}`;
          const u = { ...r, id, meta: { version: `W/"v${++writes}"` } };
          users.set(id, u);
          return view(u);
        },
        async modify(id: string, changes: Change[], ctx?: RequestContext) {
          const cur = users.get(id);
          if (!cur) return undefined;
          seenIfMatch.push(ctx?.ifMatch);
          if (ctx?.ifMatch !== undefined && !etagMatches(ctx.ifMatch, (cur.meta as { version: string }).version))
            throw new PreconditionFailedError();
          const next = { ...applyChanges(cur, changes).resource, meta: { version: `W/"v${++writes}"` } };
          users.set(id, next);
          return view(next);
        },
      },
    },
  });
  const h = createScimHandler({ connector });
  const call = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
    h.handle({ method, url, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { call, memberOf, seenIfMatch };
}

const patchTitle = (value: string) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'replace', path: 'title', value }],
});

describe('ETags of users with computed groups', () => {
  it('a membership change gives a new ETag: If-None-Match with the old one reads the new groups', async () => {
    const { call, memberOf } = versionedUsers();
    const created = await call('POST', '/Users', { userName: 'ada' });
    const id = String((created.body as ScimResource).id);
    const before = String(created.headers.etag);
    expect((await call('GET', `/Users/${id}`, undefined, { 'if-none-match': before })).status).toBe(304);

    memberOf.set(id, [{ value: 'g1', display: 'Admins' }]);
    const read = await call('GET', `/Users/${id}`, undefined, { 'if-none-match': before });
    expect(read.status).toBe(200);
    expect((read.body as ScimResource).groups).toEqual([{ value: 'g1', display: 'Admins' }]);
    const withGroups = String(read.headers.etag);
    expect(withGroups).not.toBe(before);
    expect(((read.body as ScimResource).meta as { version: string }).version).toBe(withGroups);
    expect((await call('GET', `/Users/${id}`, undefined, { 'if-none-match': withGroups })).status).toBe(304);

    // A renamed group changes the user as served too.
    memberOf.set(id, [{ value: 'g1', display: 'Administrators' }]);
    const renamed = await call('GET', `/Users/${id}`, undefined, { 'if-none-match': withGroups });
    expect(renamed.status).toBe(200);
    expect(renamed.headers.etag).not.toBe(withGroups);

    // Lists carry the same version as the read by id.
    const list = await call('GET', '/Users');
    const listed = (list.body as { Resources: ScimResource[] }).Resources[0] as ScimResource;
    expect((listed.meta as { version: string }).version).toBe(renamed.headers.etag);
  });

  it('conditional writes compare the connector’s own version: groups alone never fail them, a stale user does', async () => {
    const { call, memberOf, seenIfMatch } = versionedUsers();
    const id = String(((await call('POST', '/Users', { userName: 'bob' })).body as ScimResource).id);
    memberOf.set(id, [{ value: 'g1', display: 'Staff' }]);
    const etag = String((await call('GET', `/Users/${id}`)).headers.etag);
    memberOf.set(id, [
      { value: 'g1', display: 'Staff' },
      { value: 'g2', display: 'Ops' },
    ]);
    const ok = await call('PATCH', `/Users/${id}`, patchTitle('one'), { 'if-match': etag });
    expect(ok.status).toBe(200);
    expect(seenIfMatch.at(-1)).toBe('W/"v1"');
    // The tag of the user before that write is stale, with or without its groups part.
    expect((await call('PATCH', `/Users/${id}`, patchTitle('two'), { 'if-match': etag })).status).toBe(412);
    expect((await call('PATCH', `/Users/${id}`, patchTitle('two'), { 'if-match': 'W/"v1"' })).status).toBe(412);
    // A list of tags is checked by the core against the current user, the same way.
    const now = String(ok.headers.etag);
    expect((await call('PATCH', `/Users/${id}`, patchTitle('three'), { 'if-match': `W/"nope", ${now}` })).status).toBe(200);
    expect((await call('PATCH', `/Users/${id}`, patchTitle('four'), { 'if-match': `W/"nope", ${now}` })).status).toBe(412);
  });
});

describe('servedVersion and connectorTags', () => {
  const version = fc
    .string({ minLength: 1, maxLength: 20 })
    .filter((s) => !s.includes('"') && !s.includes(',') && !s.includes('~') && s.trim() === s)
    .chain((inner) => fc.constantFrom(`W/"${inner}"`, `"${inner}"`, inner));
  const groups = fc.array(fc.record({ value: fc.string(), display: fc.string() }), { maxLength: 4 });

  it('the connector’s version comes back from any served version (property)', () => {
    fc.assert(
      fc.property(version, groups, (v, g) => {
        expect(connectorTags(servedVersion(v, g))).toBe(v);
        expect(connectorTags(v)).toBe(v);
      }),
    );
  });

  it('different groups give different served versions; none give the connector’s own (property)', () => {
    fc.assert(
      fc.property(version, groups, groups, (v, a, b) => {
        if (a.length === 0) expect(servedVersion(v, a)).toBe(v);
        else expect(servedVersion(v, a)).not.toBe(v);
        if (JSON.stringify(a) !== JSON.stringify(b)) expect(servedVersion(v, a)).not.toBe(servedVersion(v, b));
      }),
    );
  });

  it('strips the groups part of each tag of a list and of a layered version (a front before a gateway)', () => {
    const g = [{ value: 'g1' }];
    const layered = servedVersion(servedVersion('W/"x"', g), [{ value: 'g2' }]);
    expect(connectorTags(layered)).toBe(servedVersion('W/"x"', g));
    expect(connectorTags(`${servedVersion('W/"a"', g)}, ${servedVersion('"b"', g)}`)).toBe('W/"a", "b"');
    expect(connectorTags('*')).toBe('*');
  });
});
