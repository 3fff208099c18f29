/**
 * A group's members are serialized once and their bytes reused while the membership is unchanged
 * (the embedded store hands out one frozen array; @scimgw/server caches its JSON). Every change must
 * show in the next read, by every route that returns the group.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './helpers.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startGateway({}, { exampleData: false });
});
afterAll(() => t.stop());

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
type Member = { value: string; display?: string };

describe('big group reads after changes', () => {
  it('shows every membership change in the next read (single resource, list, .search)', async () => {
    const members: Member[] = Array.from({ length: 100 }, (_, i) => ({ value: `m${i}`, display: `Member ${i}` }));
    const c = await t.call('POST', '/Groups', { displayName: 'big-bytes', members });
    expect(c.status).toBe(201);
    const id = c.body.id as string;
    const read = async () => {
      const one = await t.call('GET', `/Groups/${id}`);
      const list = await t.call('GET', `/Groups?filter=${encodeURIComponent('displayName eq "big-bytes"')}`);
      const search = await t.call('POST', '/Groups/.search', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        filter: 'displayName eq "big-bytes"',
      });
      expect(list.body.Resources[0].members).toEqual(one.body.members);
      expect(search.body.Resources[0].members).toEqual(one.body.members);
      return one.body.members as Member[];
    };
    const patch = async (Operations: unknown[]) =>
      expect((await t.call('PATCH', `/Groups/${id}`, { schemas: [PATCH], Operations })).status).toBeLessThan(300);

    expect(await read()).toEqual(members);
    expect(await read()).toEqual(members); // the cached bytes

    await patch([{ op: 'add', path: 'members', value: [{ value: 'new' }] }]);
    expect((await read()).map((m) => m.value)).toContain('new');

    // The same member again with another display: a changed element.
    await patch([{ op: 'add', path: 'members', value: [{ value: 'm3', display: 'Renamed' }] }]);
    expect((await read()).find((m) => m.value === 'm3')?.display).toBe('Renamed');

    // A filtered remove (applied on a copy of the members).
    await patch([{ op: 'remove', path: 'members[value eq "m4"]' }]);
    expect((await read()).map((m) => m.value)).not.toContain('m4');

    await patch([{ op: 'remove', path: 'members[value eq "m0"]' }]);
    expect((await read()).some((m) => m.value === 'm0')).toBe(false);

    // A refused write (unknown attribute in the same request) leaves the members as they were.
    const before = await read();
    const bad = await t.call('PATCH', `/Groups/${id}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: 'refused' }] },
        { op: 'replace', path: 'id', value: 'x' },
      ],
    });
    if (bad.status >= 400) expect(await read()).toEqual(before);

    await patch([{ op: 'replace', path: 'members', value: [{ value: 'only' }] }]);
    expect(await read()).toEqual([{ value: 'only' }]);
  });
});
