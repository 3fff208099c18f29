/** Malformed tool input gets a clear error; no input makes a tool crash or hang. */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACME, customRegistry, structured, type TestHost, testHost } from './host.js';

let h: TestHost;
beforeAll(async () => {
  h = await testHost({
    registry: customRegistry(),
    config: { destructiveTools: true, rateLimit: false },
    service: { maxArgumentBytes: 4096 },
  });
});

const errorOf = async (name: string, args: unknown) => {
  const r = await h.service.callTool(h.session, name, args);
  expect(r.isError, JSON.stringify(r)).toBe(true);
  return structured(r) as { error: string; status: number; problems?: string[] };
};

describe('malformed tool input', () => {
  it.each([
    ['create_user', { user: {} }, /user\.userName: is required/],
    ['create_user', { user: { userName: 5 } }, /user\.userName: expected string, got number 5/],
    ['create_user', { user: { userName: 'x', usrName: 'y' } }, /user\.usrName: unknown key \(did you mean "userName"\?\)/],
    ['create_user', { user: { userName: 'x', emails: 'a@b.c' } }, /user\.emails: expected array/],
    ['create_user', { user: { userName: 'x', emails: [{ value: 1 }] } }, /user\.emails\[0\]\.value: expected string/],
    ['create_user', { user: { userName: 'x', [ACME]: { badgeNumber: 1.5 } } }, /badgeNumber: expected int/],
    ['create_user', { user: { userName: 'x' }, dryRun: 'yes' }, /dryRun: expected boolean/],
    ['get_user', {}, /id: is required/],
    ['get_user', { id: '' }, /id: must have at least 1 character/],
    ['search_users', { count: -1 }, /count: must be at least 0/],
    ['search_users', { count: 201 }, /count: must be at most 200/],
    ['search_users', { startIndex: 0 }, /startIndex: must be at least 1/],
    ['search_users', { sortOrder: 'up' }, /sortOrder: must be one of "ascending", "descending"/],
    [
      'update_user',
      { id: 'x', operations: [{ op: 'move', path: 'title' }] },
      /operations\[0\]\.op: must be one of "add", "remove", "replace"/,
    ],
    ['add_group_members', { id: 'g', members: [] }, /members: must have at least 1 item/],
    ['add_group_members', { id: 'g', members: 'u1' }, /members: expected array/],
  ])('%s %j', async (name, args, message) => {
    const e = await errorOf(name, args);
    expect(e.status).toBe(400);
    expect(e.error).toMatch(new RegExp(`^invalid arguments for ${name}: `));
    expect(e.error).toMatch(message);
  });

  it('names every problem at once', async () => {
    const e = await errorOf('create_user', { user: { userName: 1, title: 2 }, extra: true });
    expect(e.problems).toHaveLength(3);
  });

  it('refuses arguments past the size limit before validating them', async () => {
    const e = await errorOf('create_user', { user: { userName: 'x', title: 'y'.repeat(5000) } });
    expect(e).toMatchObject({ status: 413 });
    expect(e.error).toMatch(/arguments too large: \d+ bytes, at most 4096/);
  });

  it('an unknown tool is a JSON-RPC invalid-params error naming the tools there are', async () => {
    const client = await h.client();
    const err = await client.callTool({ name: 'drop_database', arguments: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).code).toBe(-32602);
    expect((err as McpError).message).toMatch(/Unknown tool "drop_database"; this server has search_users, /);
  });
});

describe('any input', () => {
  it('gets a result or a clean error from every tool, never a crash', async () => {
    const names = (await h.service.toolSet(h.session)).tools.map((t) => t.name);
    const before = await h.snapshot();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), fc.jsonValue({ maxDepth: 4 }), async (name, args) => {
        // dryRun forced where the input is an object: the property is about answers, not about the store.
        const input = typeof args === 'object' && args !== null && !Array.isArray(args) ? { ...args, dryRun: true } : args;
        const r = await h.service.callTool(h.session, name, input);
        expect(Array.isArray(r.content)).toBe(true);
        if (r.isError) expect(typeof structured(r).error).toBe('string');
      }),
      { numRuns: 300 },
    );
    expect(await h.snapshot()).toEqual(before);
  });

  it('filters of any text get a result or a SCIM error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (filter) => {
        const r = await h.service.callTool(h.session, 'search_users', { filter, count: 1 });
        if (r.isError) expect(structured(r).status).toBe(400);
        else expect(structured(r).totalResults).toBeTypeOf('number');
      }),
      { numRuns: 300 },
    );
  });
});
