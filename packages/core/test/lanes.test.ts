/**
 * The core's own read-modify-write paths (PATCH to a replace-only connector, PUT to a modify-only
 * one, PUT with usePutSoftSync) are ordered per resource, so parallel writes to one resource all
 * land; writes the connector applies itself are not held back.
 */
import { describe, expect, it } from 'vitest';
import { createScimHandler } from '../src/handler/index.js';
import { ResourceLanes } from '../src/handler/lanes.js';
import { memoryConnector } from './fixtures/memory-connector.js';

const tick = () => new Promise((r) => setTimeout(r, 1));
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('ResourceLanes', () => {
  it('runs the work of one key in order, one at a time, and forgets the key when idle', async () => {
    const lanes = new ResourceLanes();
    const log: string[] = [];
    let running = 0;
    const job = (name: string) => async () => {
      running++;
      expect(running).toBe(1);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      running--;
      return name;
    };
    const done = await Promise.all([lanes.run('k', job('a')), lanes.run('k', job('b')), lanes.run('k', job('c'))]);
    expect(done).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    await tick();
    expect(lanes.size).toBe(0);
  });

  it('runs different keys side by side', async () => {
    const lanes = new ResourceLanes();
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const first = lanes.run('x', () => held.then(() => 'x'));
    const other = await lanes.run('y', async () => 'y');
    expect(other).toBe('y');
    release();
    expect(await first).toBe('x');
  });

  it('a failed write answers its own error and does not hold the next one back', async () => {
    const lanes = new ResourceLanes();
    const failed = lanes.run('k', async () => {
      await tick();
      throw new Error('backend down');
    });
    const next = lanes.run('k', async () => 'next');
    await expect(failed).rejects.toThrow('backend down');
    expect(await next).toBe('next');
  });
});

/** The memory connector, with every call to the backend taking a turn of the event loop. */
function slowConnector(withModify: boolean) {
  const connector = memoryConnector({ withModify });
  const inFlight = { now: 0, most: 0 };
  for (const ops of Object.values(connector.resources)) {
    for (const name of ['get', 'replace', 'modify'] as const) {
      const fn = (ops as Record<string, unknown>)[name] as ((...a: unknown[]) => Promise<unknown>) | undefined;
      if (!fn) continue;
      (ops as Record<string, unknown>)[name] = async (...args: unknown[]) => {
        inFlight.now++;
        inFlight.most = Math.max(inFlight.most, inFlight.now);
        await tick();
        try {
          return await fn.apply(ops, args);
        } finally {
          inFlight.now--;
        }
      };
    }
  }
  return { connector, inFlight };
}

async function groupWithUsers(h: ReturnType<typeof createScimHandler>, n: number) {
  const users: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName: `lane.${i}` }) });
    users.push((r.body as { id: string }).id);
  }
  const g = await h.handle({ method: 'POST', url: '/Groups', body: JSON.stringify({ displayName: 'lanes' }) });
  return { users, group: (g.body as { id: string }).id };
}

const addMember = (group: string, user: string) => ({
  method: 'PATCH',
  url: `/Groups/${group}`,
  body: JSON.stringify({ schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: user }] }] }),
});

const memberIds = async (h: ReturnType<typeof createScimHandler>, group: string) => {
  const r = await h.handle({ method: 'GET', url: `/Groups/${group}` });
  return ((r.body as { members?: { value: string }[] }).members ?? []).map((m) => m.value).sort();
};

describe('read-modify-write in the core', () => {
  it('parallel PATCHes to a replace-only connector all land', async () => {
    const { connector } = slowConnector(false);
    const h = createScimHandler({ connector });
    const { users, group } = await groupWithUsers(h, 12);
    const answers = await Promise.all(users.map((u) => h.handle(addMember(group, u))));
    expect(answers.map((a) => a.status)).toEqual(users.map(() => 204));
    expect(await memberIds(h, group)).toEqual([...users].sort());
  });

  it('a PUT with usePutSoftSync and parallel PATCHes to the same group all land', async () => {
    const { connector } = slowConnector(false);
    const h = createScimHandler({ connector, usePutSoftSync: true });
    const { users, group } = await groupWithUsers(h, 6);
    const put = { method: 'PUT', url: `/Groups/${group}`, body: JSON.stringify({ displayName: 'lanes renamed' }) };
    const answers = await Promise.all([...users.map((u) => h.handle(addMember(group, u))), h.handle(put)]);
    expect(answers.map((a) => a.status)).toEqual([...users.map(() => 204), 200]);
    expect(await memberIds(h, group)).toEqual([...users].sort());
    const g = await h.handle({ method: 'GET', url: `/Groups/${group}` });
    expect((g.body as { displayName: string }).displayName).toBe('lanes renamed');
  });

  it('two handlers of one connector (the gateway and a stream subscriber) share its lanes', async () => {
    const { connector } = slowConnector(false);
    const a = createScimHandler({ connector });
    const b = createScimHandler({ connector });
    const { users, group } = await groupWithUsers(a, 8);
    const answers = await Promise.all(users.map((u, i) => (i % 2 ? a : b).handle(addMember(group, u))));
    expect(answers.map((r) => r.status)).toEqual(users.map(() => 204));
    expect(await memberIds(a, group)).toEqual([...users].sort());
  });

  it('writes a connector applies itself (modify) are not held back', async () => {
    const { connector, inFlight } = slowConnector(true);
    const h = createScimHandler({ connector });
    const { users, group } = await groupWithUsers(h, 4);
    inFlight.most = 0;
    await Promise.all(users.map((u) => h.handle(addMember(group, u))));
    expect(inFlight.most).toBe(users.length);
  });

  it('an If-Match on a replace-only connector is checked inside the lane: the second of two same-tag PATCHes is 412', async () => {
    const connector = memoryConnector({ withModify: false, keepsVersions: true });
    const h = createScimHandler({ connector });
    const { users, group } = await groupWithUsers(h, 2);
    const read = await h.handle({ method: 'GET', url: `/Groups/${group}` });
    const etag = (read.headers as Record<string, string>).etag as string;
    expect(etag).toMatch(/^W\//);
    const [a, b] = await Promise.all(users.map((u) => h.handle({ ...addMember(group, u), headers: { 'if-match': etag } })));
    expect([a?.status, b?.status].sort()).toEqual([204, 412]);
  });
});
