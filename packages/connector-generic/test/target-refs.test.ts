import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withoutTargetRefs } from '../src/resources.js';

const TARGET = 'https://target.example.com/scim/v2';

describe('withoutTargetRefs', () => {
  it("drops the target's $refs and keeps everything else", () => {
    const group = {
      id: 'g1',
      displayName: 'G',
      members: [{ value: 'u1', type: 'User', display: 'U', $ref: `${TARGET}/Users/u1` }, { value: 'u2' }],
    };
    expect(withoutTargetRefs(group)).toEqual({
      id: 'g1',
      displayName: 'G',
      members: [{ value: 'u1', type: 'User', display: 'U' }, { value: 'u2' }],
    });
    // The input is not changed.
    expect(group.members[0]?.$ref).toBe(`${TARGET}/Users/u1`);
    const user = { id: 'u1', groups: [{ value: 'g1', $ref: `${TARGET}/Groups/g1` }] };
    expect(withoutTargetRefs(user)).toEqual({ id: 'u1', groups: [{ value: 'g1' }] });
  });

  it('returns the resource itself when it has no $ref', () => {
    const r = { id: 'g1', members: [{ value: 'u1', type: 'User' }] };
    expect(withoutTargetRefs(r)).toBe(r);
    expect(withoutTargetRefs(undefined)).toBeUndefined();
  });

  it('gives a member without a type the type its $ref names, so this gateway can give it a $ref of its own', () => {
    const r = withoutTargetRefs({
      id: 'g1',
      members: [
        { value: 'u1', $ref: `${TARGET}/Users/u1` },
        { value: 'g2', $ref: `${TARGET}/Groups/g2/` },
        { value: 'u3', $ref: '/scim/v2/Users/u3?attributes=id' },
        { value: 'x', $ref: `${TARGET}/Devices/x` },
        { value: 'y', $ref: `${TARGET}/Users` },
        { value: 'z', $ref: null },
        { value: 'g4', type: 'Group', $ref: `${TARGET}/Users/g4` },
      ],
    });
    expect(r.members).toEqual([
      { value: 'u1', type: 'User' },
      { value: 'g2', type: 'Group' },
      { value: 'u3', type: 'User' },
      { value: 'x' },
      { value: 'y' },
      { value: 'z' },
      // A type the target gave is the target's word.
      { value: 'g4', type: 'Group' },
    ]);
  });

  it("never adds a type to a user's groups (the core implies Group there)", () => {
    expect(withoutTargetRefs({ id: 'u1', groups: [{ value: 'g1', $ref: `${TARGET}/Groups/g1` }] }).groups).toEqual([
      { value: 'g1' },
    ]);
  });

  it('leaves no $ref anywhere in members or groups, whatever the elements hold', () => {
    const element = fc.oneof(
      fc.constant(null),
      fc.string(),
      fc.record(
        {
          value: fc.string(),
          type: fc.constantFrom('User', 'Group', undefined),
          $ref: fc.oneof(fc.string(), fc.constant(null), fc.constantFrom(`${TARGET}/Users/a`, `${TARGET}/Groups/b`)),
        },
        { requiredKeys: ['value'] },
      ),
    );
    fc.assert(
      fc.property(fc.array(element), fc.array(element), (members, groups) => {
        const out = withoutTargetRefs({ id: 'x', members, groups });
        for (const list of [out.members, out.groups]) {
          for (const e of list as unknown[]) if (e !== null && typeof e === 'object') expect('$ref' in e).toBe(false);
        }
        expect((out.members as unknown[]).length).toBe(members.length);
        expect((out.groups as unknown[]).length).toBe(groups.length);
      }),
    );
  });
});
