import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './helpers.js';
import { type HttpTarget, httpCases } from './http-suite.js';
import { strictProblems } from './strict-responses.js';

let t: TestGateway;
let checked: HttpTarget;
const problems: string[] = [];
const kinds = new Set<string>();
beforeAll(async () => {
  t = await startGateway({ mcp: { enabled: true } });
  checked = {
    base: t.base,
    async call(method, path, body, headers) {
      const r = await t.call(method, path, body, headers);
      problems.push(...strictProblems(r.body, `${method} ${path}`));
      for (const s of r.body?.schemas ?? []) kinds.add(s);
      for (const x of r.body?.Resources ?? []) for (const s of x?.schemas ?? []) kinds.add(s);
      return r;
    },
  };
});
afterAll(() => t.stop());

describe('HTTP suite in-process (Node)', () => {
  for (const c of httpCases) it(c.name, () => c.run(checked));
  it('every answer of the suite conforms to the strict RFC 7643 model', () => {
    expect(problems).toEqual([]);
    // The suite reached resources, lists, errors and discovery, so the model saw each kind.
    expect([...kinds]).toEqual(
      expect.arrayContaining([
        'urn:ietf:params:scim:schemas:core:2.0:User',
        'urn:ietf:params:scim:schemas:core:2.0:Group',
        'urn:ietf:params:scim:api:messages:2.0:ListResponse',
        'urn:ietf:params:scim:api:messages:2.0:Error',
        'urn:ietf:params:scim:schemas:core:2.0:Schema',
        'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
        'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
      ]),
    );
  });
});
