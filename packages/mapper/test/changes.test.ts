import { type Change, errors, SchemaRegistry } from '@scimgw/core';
import { type FilterNode, parseFilter } from '@scimgw/core/filter';
import { patchToChanges } from '@scimgw/core/patch';
import { describe, expect, it } from 'vitest';
import { connectorSchemas, createMapper } from '../src/index.js';
import { directoryMap, ENT } from './fixtures.js';

const users = createMapper(directoryMap, { resourceType: 'User' });
const groups = createMapper(directoryMap, { resourceType: 'Group' });
const generic = createMapper(
  {
    user: {
      userName: { mapTo: 'userName' },
      name: { mapTo: 'name', type: 'complexObject' },
      emails: { mapTo: 'emails', type: 'complexArray' },
    },
    group: { displayName: { mapTo: 'displayName' }, members: { mapTo: 'members', type: 'complexArray' } },
  },
  { resourceType: 'Group' },
);
const genericUsers = createMapper(
  {
    user: {
      userName: { mapTo: 'userName' },
      name: { mapTo: 'name', type: 'complexObject' },
      emails: { mapTo: 'emails', type: 'complexArray' },
    },
  },
  { resourceType: 'User' },
);

// Changes are produced by the core from real PATCH bodies, against the generated schemas.
const registry = new SchemaRegistry(connectorSchemas([users, groups]));
const genericRegistry = new SchemaRegistry(connectorSchemas([genericUsers, generic]));
const patch = (ops: unknown[], rt = 'User', reg = registry): Change[] =>
  patchToChanges(reg, reg.resourceType(rt)!, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops });
const where = (f: string): FilterNode => parseFilter(f);

describe('changesToEndpoint', () => {
  it('replaces single-valued attributes with converted values', () => {
    const ch = patch([
      { op: 'replace', path: 'active', value: false },
      { op: 'Replace', value: { 'name.givenName': 'Babs', title: 'CEO' } },
      { op: 'replace', path: `${ENT}:employeeNumber`, value: '7' },
    ]);
    expect(users.changesToEndpoint(ch)).toEqual({
      set: { enabled: 'false', givenName: 'Babs', title: 'CEO', employeeID: 7 },
      add: {},
      remove: {},
      clear: [],
    });
  });

  it('removes (clears) attributes', () => {
    expect(
      users.changesToEndpoint(
        patch([
          { op: 'remove', path: 'title' },
          { op: 'remove', path: 'name.familyName' },
        ]),
      ),
    ).toEqual({
      set: {},
      add: {},
      remove: {},
      clear: ['title', 'sn'],
    });
  });

  it('adds and removes group members per value, never the whole list', () => {
    const ch = patch(
      [
        { op: 'add', path: 'members', value: [{ value: 'u2' }, { value: 'u3' }] },
        { op: 'Remove', path: 'members', value: [{ value: 'u1' }] },
        { op: 'remove', path: 'members[value eq "u4"]' },
      ],
      'Group',
    );
    expect(groups.needsCurrent(ch)).toBe(false);
    expect(groups.changesToEndpoint(ch)).toEqual({
      set: {},
      add: { member: ['u2', 'u3'] },
      remove: { member: ['u1', 'u4'] },
      clear: [],
    });
  });

  it('folds operations on one key in order (add then remove cancels, replace [] then add)', () => {
    const a = patch(
      [
        { op: 'add', path: 'members', value: [{ value: 'u2' }] },
        { op: 'remove', path: 'members', value: [{ value: 'u2' }] },
      ],
      'Group',
    );
    expect(groups.changesToEndpoint(a)).toEqual({ set: {}, add: {}, remove: { member: ['u2'] }, clear: [] });
    const b = patch(
      [
        { op: 'replace', path: 'members', value: [] },
        { op: 'add', path: 'members', value: [{ value: 'u5' }] },
      ],
      'Group',
    );
    expect(groups.changesToEndpoint(b)).toEqual({ set: { member: ['u5'] }, add: {}, remove: {}, clear: [] });
  });

  it('maps type-keyed PATCH forms (Entra ID emails[type eq "work"].value)', () => {
    const ch = patch([
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'new@x' },
      {
        op: 'add',
        path: 'phoneNumbers',
        value: [
          { type: 'mobile', value: '+1' },
          { type: 'fax', value: '+2' },
        ],
      },
      { op: 'remove', path: 'emails[type eq "home"]' },
    ]);
    expect(users.needsCurrent(ch)).toBe(false);
    expect(users.changesToEndpoint(ch)).toEqual({
      set: { mail: 'new@x', mobile: '+1' },
      add: {},
      remove: {},
      clear: ['homeMail'],
    });
  });

  it('replacing a whole multi-valued attribute sets each type and clears types left out', () => {
    const ch = patch([{ op: 'replace', path: 'emails', value: [{ type: 'home', value: 'h@x' }] }]);
    expect(users.changesToEndpoint(ch)).toEqual({ set: { homeMail: 'h@x' }, add: {}, remove: {}, clear: ['mail'] });
  });

  it('valueMap: writes of unlisted values are rejected, removals of them ignored', () => {
    expect(() => groups.changesToEndpoint(patch([{ op: 'replace', path: 'displayName', value: 'Nope' }], 'Group'))).toThrow(
      errors.InvalidValueError,
    );
    expect(groups.changesToEndpoint(patch([{ op: 'replace', path: 'displayName', value: 'admins' }], 'Group')).set).toEqual({
      cn: 'Employees',
    });
    const rm = patch([{ op: 'remove', path: 'badges', value: ['Red', 'Purple'] }]);
    expect(users.changesToEndpoint(rm).remove).toEqual({ badges: ['B2'] });
  });

  it('read-only targets are never written', () => {
    const ch: Change[] = [{ op: 'replace', path: { attr: 'groups' }, value: [{ value: 'g' }] }];
    expect(users.changesToEndpoint(ch)).toEqual({ set: {}, add: {}, remove: {}, clear: [] });
  });

  it('pass-through objects: sub-attribute changes go to the nested endpoint key', () => {
    const ch = patch(
      [
        { op: 'replace', path: 'name.givenName', value: 'X' },
        { op: 'remove', path: 'name.familyName' },
      ],
      'User',
      genericRegistry,
    );
    expect(genericUsers.changesToEndpoint(ch)).toEqual({
      set: { 'name.givenName': 'X' },
      add: {},
      remove: {},
      clear: ['name.familyName'],
    });
  });

  it('pass-through lists: selector removal keeps the selector as the element', () => {
    const ch = patch([{ op: 'remove', path: 'emails[type eq "work"]' }], 'User', genericRegistry);
    expect(genericUsers.changesToEndpoint(ch)).toEqual({ set: {}, add: {}, remove: { emails: [{ type: 'work' }] }, clear: [] });
  });

  it('needs the current resource only for changes it cannot express per key', () => {
    const ch = patch([{ op: 'replace', path: 'emails[type eq "work"].value', value: 'n@x' }], 'User', genericRegistry);
    expect(genericUsers.needsCurrent(ch)).toBe(true);
    expect(() => genericUsers.changesToEndpoint(ch)).toThrow(/need the current resource/);
    const current = {
      userName: 'u',
      emails: [
        { type: 'work', value: 'old@x' },
        { type: 'home', value: 'h@x' },
      ],
    };
    expect(genericUsers.changesToEndpoint(ch, { current })).toEqual({
      set: {
        emails: [
          { type: 'work', value: 'n@x' },
          { type: 'home', value: 'h@x' },
        ],
      },
      add: {},
      remove: {},
      clear: [],
    });
  });

  it('a selector on an unmapped sub-attribute needs the current resource', () => {
    const ch: Change[] = [{ op: 'remove', path: { attr: 'members', where: where('display eq "x"') } }];
    expect(groups.needsCurrent(ch)).toBe(true);
    const current = { displayName: 'Admins', members: [{ value: 'a', display: 'x' }, { value: 'b' }] };
    expect(groups.changesToEndpoint(ch, { current })).toEqual({ set: { member: ['b'] }, add: {}, remove: {}, clear: [] });
  });
});
