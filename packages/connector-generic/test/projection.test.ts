/** What the target is asked to return for a client's attributes/excludedAttributes (pure). */
import { createMapper } from '@scimgw/mapper';
import { describe, expect, it } from 'vitest';
import { supportFor } from '../src/config.js';
import { projectionCache, targetProjection } from '../src/projection.js';
import { DEFAULT_MAP } from '../src/index.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const users = createMapper(DEFAULT_MAP, { resourceType: 'User' });
const groups = createMapper(DEFAULT_MAP, { resourceType: 'Group' });
const v20 = supportFor('2.0', undefined);
const v11 = supportFor('1.1', undefined);
const list = (s: string | undefined) => (s ?? '').split(',').filter(Boolean);

describe('targetProjection', () => {
  it('sends nothing without a projection', () => {
    expect(targetProjection(groups, {}, '2.0', v20)).toEqual({});
    expect(targetProjection(groups, { attributes: [], excludedAttributes: [' '] }, '2.0', v20)).toEqual({});
  });

  it('excludes what the client excludes, in the target names', () => {
    expect(targetProjection(groups, { excludedAttributes: ['members'] }, '2.0', v20)).toEqual({ excludedAttributes: 'members' });
    expect(targetProjection(groups, { excludedAttributes: ['MEMBERS'] }, '2.0', v20)).toEqual({ excludedAttributes: 'members' });
    // A sub-attribute does not exclude the whole attribute that holds it.
    expect(targetProjection(users, { excludedAttributes: ['name.givenName'] }, '2.0', v20)).toEqual({});
    // A whole extension, by its URN.
    const ext = list(targetProjection(users, { excludedAttributes: [ENT] }, '2.0', v20).excludedAttributes);
    expect(ext.length).toBeGreaterThan(0);
    expect(ext.every((k) => k.startsWith(`${ENT}:`))).toBe(true);
  });

  it('never leaves out id, meta, or what the connector needs itself', () => {
    expect(targetProjection(groups, { excludedAttributes: ['id', 'meta'] }, '2.0', v20)).toEqual({});
    const asked = list(targetProjection(users, { attributes: ['emails'] }, '2.0', v20, [{ attr: 'title' }]).attributes);
    expect(asked).toEqual(expect.arrayContaining(['id', 'emails', 'title', 'meta.created', 'meta.lastModified']));
    expect(asked).not.toContain('userName');
  });

  it('keeps the attributes that decide visibility under an allowlist', () => {
    const allow = createMapper(
      {
        group: {
          id: { mapTo: 'id' },
          externalId: { mapTo: 'externalId' },
          displayName: { mapTo: 'displayName', valueMap: { A: 'B' } },
          members: { mapTo: 'members', type: 'complexArray' },
        },
      },
      { resourceType: 'Group' },
    );
    expect(targetProjection(allow, { excludedAttributes: ['displayName', 'members'] }, '2.0', v20)).toEqual({
      excludedAttributes: 'members',
    });
    expect(list(targetProjection(allow, { attributes: ['members'] }, '2.0', v20).attributes).sort()).toEqual([
      'displayName',
      'id',
      'members',
    ]);
  });

  it('asks a 1.1 target for everything else instead (it has no excludedAttributes), in 1.1 names', () => {
    const p = targetProjection(users, { excludedAttributes: ['emails'] }, '1.1', v11);
    expect(p.excludedAttributes).toBeUndefined();
    const asked = list(p.attributes);
    expect(asked).toContain('userName');
    expect(asked).not.toContain('emails');
    expect(asked).toContain('urn:scim:schemas:extension:enterprise:1.0:employeeNumber');
  });

  it('sends nothing when the target supports neither parameter, or the path is not one', () => {
    const none = supportFor('2.0', { attributes: false, excludedAttributes: false });
    expect(targetProjection(groups, { excludedAttributes: ['members'] }, '2.0', none)).toEqual({});
    expect(targetProjection(groups, { attributes: ['displayName'] }, '2.0', none)).toEqual({});
    expect(targetProjection(groups, { excludedAttributes: ['not a path'] }, '2.0', v20)).toEqual({});
  });
});

describe('projectionCache', () => {
  const cases = [
    { excludedAttributes: ['members'] },
    { excludedAttributes: ['MEMBERS', 'displayName'] },
    { attributes: ['displayName'] },
    { attributes: ['members.value'] },
    { excludedAttributes: ['id'] },
    {},
  ];

  it('answers what targetProjection answers, for 2.0 and 1.1', () => {
    const projection = projectionCache(groups);
    for (const c of cases) {
      for (const [version, support] of [
        ['2.0', v20],
        ['1.1', v11],
      ] as const) {
        // Twice: the second answer comes from the cache.
        expect(projection(c, version, support)).toEqual(targetProjection(groups, c, version, support));
        expect(projection(c, version, support)).toEqual(targetProjection(groups, c, version, support));
      }
    }
  });

  it('works a projection out once and shares the (frozen) answer', () => {
    const projection = projectionCache(groups);
    const a = projection({ excludedAttributes: ['members'] }, '2.0', v20);
    expect(projection({ excludedAttributes: ['members'] }, '2.0', v20)).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    // A different projection, version or support is a different entry.
    expect(projection({ attributes: ['members'] }, '2.0', v20)).not.toBe(a);
    expect(projection({ excludedAttributes: ['members'] }, '1.1', v11)).not.toEqual(a);
    const noExclusions = supportFor('2.0', { excludedAttributes: false });
    expect(projection({ excludedAttributes: ['members'] }, '2.0', noExclusions)).toEqual(
      targetProjection(groups, { excludedAttributes: ['members'] }, '2.0', noExclusions),
    );
  });

  it('does not cache what the connector must keep for itself', () => {
    const projection = projectionCache(users);
    const keep = [{ attr: 'title' }];
    expect(list(projection({ attributes: ['emails'] }, '2.0', v20, keep).attributes)).toContain('title');
    expect(list(projection({ attributes: ['emails'] }, '2.0', v20).attributes)).not.toContain('title');
  });

  it('stays right once more projections than it keeps were asked for', () => {
    const projection = projectionCache(users);
    for (let i = 0; i < 500; i++) {
      const p = projection({ attributes: [`name.givenName`, `x${i}`] }, '2.0', v20);
      expect(p).toEqual(targetProjection(users, { attributes: ['name.givenName', `x${i}`] }, '2.0', v20));
    }
  });
});
