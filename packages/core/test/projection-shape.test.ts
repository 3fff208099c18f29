/** What a projection leaves: no element it emptied, and no extension in `schemas` it left out. */
import { describe, expect, it } from 'vitest';
import { SchemaRegistry, URN } from '../src/index.js';
import { Projection } from '../src/query/projection.js';

const registry = new SchemaRegistry();
const rt = registry.resourceType('User')!;
const user = {
  schemas: [URN.User, URN.EnterpriseUser],
  id: 'u1',
  userName: 'bjensen',
  emails: [{ value: 'a@x', type: 'work' }, { type: 'home' }],
  name: { givenName: 'B' },
  [URN.EnterpriseUser]: { department: 'Ops' },
};
const project = (req: { attributes?: string[]; excludedAttributes?: string[] }) => new Projection(registry, rt, req).apply(user);

describe('projections', () => {
  it('drop the elements they empty, and the attribute when none is left', () => {
    expect(project({ attributes: ['emails.value'] }).emails).toEqual([{ value: 'a@x' }]);
    expect(project({ attributes: ['name.familyName'] }).name).toBeUndefined();
    expect(project({ excludedAttributes: ['name.givenName'] }).name).toBeUndefined();
    expect(project({ excludedAttributes: ['emails.type'] }).emails).toEqual([{ value: 'a@x' }]);
  });

  it('list in schemas only the extensions the answer holds', () => {
    expect(project({ attributes: ['userName'] }).schemas).toEqual([URN.User]);
    expect(project({ excludedAttributes: [URN.EnterpriseUser] }).schemas).toEqual([URN.User]);
    expect(project({ attributes: [`${URN.EnterpriseUser}:department`] }).schemas).toEqual([URN.User, URN.EnterpriseUser]);
    expect(project({}).schemas).toEqual([URN.User, URN.EnterpriseUser]);
  });
});
