import { type Change, SchemaRegistry } from '@scimgw/core';
import { patchToChanges } from '@scimgw/core/patch';
import { describe, expect, it } from 'vitest';
import { changePathToString, toPatchOp } from '../src/index.js';

const registry = new SchemaRegistry();
const user = registry.resourceType('User')!;
const group = registry.resourceType('Group')!;
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Changes as the core produces them; PATCH bodies made of them must normalize back to them. */
const userChanges: Change[] = [
  { op: 'replace', path: { attr: 'displayName' }, value: 'Babs' },
  { op: 'replace', path: { attr: 'name', sub: 'givenName' }, value: 'Barbara' },
  { op: 'add', path: { attr: 'emails' }, value: [{ value: 'b@example.com', type: 'work' }] },
  { op: 'remove', path: { attr: 'emails' }, value: [{ value: 'old@example.com' }] },
  { op: 'remove', path: { attr: 'phoneNumbers' } },
  { op: 'replace', path: { attr: 'active' }, value: false },
  { op: 'replace', path: { extension: ENT, attr: 'department' }, value: 'R&D' },
  { op: 'replace', path: { extension: ENT, attr: 'manager', sub: 'value' }, value: '26118915' },
  {
    op: 'replace',
    path: { attr: 'emails', where: { type: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' }, sub: 'value' },
    value: 'w@example.com',
  },
];

const groupChanges: Change[] = [
  { op: 'add', path: { attr: 'members' }, value: [{ value: 'u1' }, { value: 'u2' }] },
  { op: 'remove', path: { attr: 'members' }, value: [{ value: 'u3' }] },
  { op: 'replace', path: { attr: 'members' }, value: [] },
  { op: 'replace', path: { attr: 'displayName' }, value: 'Admins' },
];

describe('change lists as PATCH requests', () => {
  it('formats change paths as PATCH paths', () => {
    expect(changePathToString({ attr: 'name', sub: 'givenName' })).toBe('name.givenName');
    expect(changePathToString({ extension: ENT, attr: 'manager', sub: 'value' })).toBe(`${ENT}:manager.value`);
    expect(
      changePathToString({ attr: 'emails', where: { type: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' } }),
    ).toBe('emails[type eq "work"]');
  });

  it('a PATCH built from changes normalizes back to the same changes', () => {
    expect(patchToChanges(registry, user, toPatchOp(userChanges))).toEqual(userChanges);
    expect(patchToChanges(registry, group, toPatchOp(groupChanges))).toEqual(groupChanges);
  });

  it('a removal by value list stays a removal of exactly those values', () => {
    const body = toPatchOp([{ op: 'remove', path: { attr: 'members' }, value: [{ value: 'u3' }] }]);
    expect(body.Operations).toEqual([{ op: 'remove', path: 'members', value: [{ value: 'u3' }] }]);
  });
});
