/**
 * A PUT that leaves out a write-only attribute (`password`) keeps it: no client can send back what
 * it never reads (Okta's custom apps send PUT for every profile change). For a connector with only
 * `modify`, the core's diff of the PUT names no removal of it; one that is sent is written.
 */
import { describe, expect, it } from 'vitest';
import { type Change, defineConnector, type ScimResource } from '../src/index.js';
import { createScimHandler } from '../src/handler/index.js';

function modifyOnly() {
  const seen: Change[][] = [];
  const stored: ScimResource = { id: 'u1', userName: 'a', displayName: 'A', password: 'kept-secret', title: 'T' };
  const connector = defineConnector({
    name: 'modify-only',
    coreVersion: '^1.0.0',
    resources: {
      User: {
        async get() {
          return { ...stored };
        },
        async modify(_id, changes) {
          seen.push(changes);
          return { ...stored };
        },
      },
    },
  });
  return { connector, seen };
}

describe('PUT and write-only attributes, for a connector with only modify', () => {
  it('a PUT without the password changes the rest and does not remove it', async () => {
    const { connector, seen } = modifyOnly();
    const h = createScimHandler({ connector });
    const res = await h.handle({ method: 'PUT', url: '/Users/u1', body: JSON.stringify({ userName: 'a', displayName: 'B' }) });
    expect(res.status).toBe(200);
    const changes = seen[0] ?? [];
    expect(changes.map((c) => `${c.op} ${c.path.attr}`).sort()).toEqual(['remove title', 'replace displayName']);
  });

  it('a PUT with a password writes it', async () => {
    const { connector, seen } = modifyOnly();
    const h = createScimHandler({ connector });
    await h.handle({
      method: 'PUT',
      url: '/Users/u1',
      body: JSON.stringify({ userName: 'a', displayName: 'A', title: 'T', password: 'new' }),
    });
    expect(seen[0]).toEqual([{ op: 'replace', path: { attr: 'password' }, value: 'new' }]);
  });
});
