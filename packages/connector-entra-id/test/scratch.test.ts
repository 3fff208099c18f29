import { it } from 'vitest';
import { createMapper, connectorSchemas } from '@scimgw/mapper';
import { SchemaRegistry } from '@scimgw/core';
import { DEFAULT_MAP } from '../src/mapping.js';
it("x", () => {
const reg = new SchemaRegistry();
const m = createMapper(DEFAULT_MAP, { resourceType: 'User', registry: reg });
const g = createMapper(DEFAULT_MAP, { resourceType: 'Group', registry: reg });
console.log(m.extensionUrns(), m.scimPaths().length);
const rec = m.toEndpoint({ userName: 'a@b', emails: [{type:'work', value:'w@x'},{type:'other', value:'o@x'}], phoneNumbers:[{type:'work', value:'1'}], password: 'P', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { costCenter: 'cc', employeeNumber: '7'}, active: true });
console.log(JSON.stringify(rec));
console.log(JSON.stringify(m.toScim({ id: '1', userPrincipalName: 'a@b', otherMails: ['x@y','z@y'], businessPhones: [], employeeOrgData: { costCenter: 'c' }, accountEnabled: false, passwordProfile: null, createdDateTime: '2024-01-01T00:00:00Z' })));
console.log(JSON.stringify(m.translateFilter({ type: 'compare', path: { attr: 'emails', sub: 'value' }, op: 'eq', value: 'q' })));
console.log(JSON.stringify(m.changesToEndpoint([{ op: 'remove', path: { attr: 'emails' }, value: [{ value: 'o@x' }] }, { op: 'add', path: { attr: 'emails' }, value: [{ value: 'n@x', type: 'work' }] }, {op:'replace', path:{attr:'name', sub:'familyName'}, value:'F'}])));
const reg2 = reg.extend(connectorSchemas([m,g]));
console.log(reg2.schemas().map(s=>s.id));
});
