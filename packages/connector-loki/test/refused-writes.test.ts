/**
 * A write the store refuses leaves no trace: a failure is injected at each step of every kind of
 * write (serializing the journal records, writing them, syncing them) and afterwards reads,
 * listings, the uniqueness index and a restart all show the store exactly as before.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScimHandler, type ScimResponse } from '@scimgw/core/handler';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createLokiConnector } from '../src/index.js';
import { crashCopy } from './store-helpers.js';

type Step = 'serialize' | 'write' | 'sync';

/** Which journal step fails once, after how many successful ones. */
const fault: { step: Step | undefined; skip: number } = { step: undefined, skip: 0 };
function hits(): boolean {
  if (fault.skip-- > 0) return false;
  fault.step = undefined;
  return true;
}

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const eio = () => Object.assign(new Error('EIO: i/o error (injected)'), { code: 'EIO' });
  return {
    ...fs,
    writeSync: ((...args: Parameters<typeof fs.writeSync>) => {
      // Batches only: the zero-filled space the journal keeps ahead is written separately.
      const data = args[1] as unknown as Uint8Array;
      if (fault.step === 'write' && data[0] !== 0 && hits()) throw eio();
      return (fs.writeSync as (...a: unknown[]) => number)(...args);
    }) as typeof fs.writeSync,
    fdatasync: ((fd: number, cb: (e: Error | null) => void) => {
      if (fault.step === 'sync' && hits()) {
        setImmediate(() => cb(eio()));
        return;
      }
      fs.fdatasync(fd, cb);
    }) as typeof fs.fdatasync,
  };
});

const realStringify = JSON.stringify;
const isJournalRecord = (v: unknown) =>
  typeof v === 'object' && v !== null && ['put', 'del', 'madd', 'mdel', 'mset'].includes((v as { k?: string }).k ?? '');
/** A document as the store serializes it (`id` first, with `meta`): a put record's text is this text. */
const isStoredDocument = (v: unknown) => typeof v === 'object' && v !== null && Object.keys(v)[0] === 'id' && 'meta' in v;
vi.spyOn(JSON, 'stringify').mockImplementation(((value: unknown, ...rest: unknown[]) => {
  if (fault.step === 'serialize' && (isJournalRecord(value) || isStoredDocument(value)) && hits())
    throw new RangeError('Maximum call stack size exceeded');
  return (realStringify as (...a: unknown[]) => string)(value, ...rest);
}) as typeof JSON.stringify);

const root = mkdtempSync(join(tmpdir(), 'loki-refused-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  fault.step = undefined;
  fault.skip = 0;
});

const ctx = { requestId: 't', principal: { name: 'test', method: 'basic' } };
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH], Operations });

async function open(directory: string) {
  const connector = createLokiConnector({ directory, exampleData: false, newId: counterIds() });
  const scim = createScimHandler({ connector, bulk: { maxOperations: 10 } });
  const call = (method: string, url: string, body?: unknown): Promise<ScimResponse> =>
    scim.handle({ method, url, body: body === undefined ? undefined : realStringify(body), origin: 'http://x', context: ctx });
  return { connector, call };
}
type Gateway = Awaited<ReturnType<typeof open>>;

function counterIds() {
  let n = 0;
  return () => `id-${++n}-${Math.random().toString(36).slice(2, 6)}`;
}

/** Everything a client can observe: listings, single reads, lookups by the indexed names. */
async function observe(gw: Gateway) {
  const body = (r: ScimResponse) => r.body as { Resources?: Record<string, unknown>[] } & Record<string, unknown>;
  const sortMembers = (g: Record<string, unknown>) => ({
    ...g,
    ...(Array.isArray(g.members)
      ? { members: [...(g.members as { value: string }[])].sort((a, b) => a.value.localeCompare(b.value)) }
      : {}),
  });
  const users = body(await gw.call('GET', '/Users?count=1000&sortBy=userName')).Resources ?? [];
  const groups = (body(await gw.call('GET', '/Groups?count=1000&sortBy=displayName')).Resources ?? []).map(sortMembers) as {
    id: string;
  }[];
  const one = await Promise.all([
    ...users.map(async (u) => body(await gw.call('GET', `/Users/${u.id as string}`))),
    ...groups.map(async (g) => sortMembers(body(await gw.call('GET', `/Groups/${g.id as string}`)))),
  ]);
  const byName = await Promise.all(
    users.map(async (u) => {
      const f = encodeURIComponent(`userName eq "${u.userName as string}"`);
      return (body(await gw.call('GET', `/Users?filter=${f}`)).Resources ?? []).map((r) => r.id);
    }),
  );
  return { users, groups, one, byName };
}

interface World {
  alice: string;
  bob: string;
  carol: string;
  crew: string;
}

async function seed(gw: Gateway): Promise<World> {
  const id = async (r: Promise<ScimResponse>) => {
    const res = await r;
    expect(res.status).toBe(201);
    return (res.body as { id: string }).id;
  };
  const alice = await id(gw.call('POST', '/Users', { userName: 'alice', name: { givenName: 'A' } }));
  const bob = await id(gw.call('POST', '/Users', { userName: 'bob' }));
  const carol = await id(gw.call('POST', '/Users', { userName: 'carol', externalId: 'c-1' }));
  const crew = await id(
    gw.call('POST', '/Groups', {
      displayName: 'crew',
      members: [{ value: alice }, { value: bob }],
    }),
  );
  return { alice, bob, carol, crew };
}

/** Every kind of write, as a client sends it. */
const WRITES: { name: string; run(gw: Gateway, w: World): Promise<ScimResponse> }[] = [
  { name: 'create user', run: (gw) => gw.call('POST', '/Users', { userName: 'dave' }) },
  {
    name: 'replace user (rename)',
    run: (gw, w) => gw.call('PUT', `/Users/${w.alice}`, { userName: 'alice2', name: { givenName: 'Al' } }),
  },
  {
    name: 'modify user (rename + deactivate)',
    run: (gw, w) => gw.call('PATCH', `/Users/${w.bob}`, patch({ op: 'replace', value: { userName: 'bobby', active: false } })),
  },
  { name: 'delete user who is a member', run: (gw, w) => gw.call('DELETE', `/Users/${w.alice}`) },
  {
    name: 'create group with members',
    run: (gw, w) => gw.call('POST', '/Groups', { displayName: 'new', members: [{ value: w.carol }] }),
  },
  {
    name: 'add a member',
    run: (gw, w) => gw.call('PATCH', `/Groups/${w.crew}`, patch({ op: 'add', path: 'members', value: [{ value: w.carol }] })),
  },
  {
    name: 'remove a member (Entra form)',
    run: (gw, w) => gw.call('PATCH', `/Groups/${w.crew}`, patch({ op: 'Remove', path: 'members', value: [{ value: w.alice }] })),
  },
  {
    name: 'remove a member by filter, rename and add in one request',
    run: (gw, w) =>
      gw.call(
        'PATCH',
        `/Groups/${w.crew}`,
        patch(
          { op: 'remove', path: `members[value eq "${w.bob}"]` },
          { op: 'replace', path: 'displayName', value: 'crew2' },
          { op: 'add', path: 'members', value: [{ value: w.carol }] },
        ),
      ),
  },
  {
    name: 'replace all members',
    run: (gw, w) => gw.call('PATCH', `/Groups/${w.crew}`, patch({ op: 'replace', path: 'members', value: [{ value: w.carol }] })),
  },
  { name: 'replace group', run: (gw, w) => gw.call('PUT', `/Groups/${w.crew}`, { displayName: 'crew3', members: [] }) },
  { name: 'delete group', run: (gw, w) => gw.call('DELETE', `/Groups/${w.crew}`) },
];

const STEPS: { step: Step; status: number }[] = [
  // Serializing fails the same way every time: a client error, nothing to retry.
  { step: 'serialize', status: 400 },
  { step: 'write', status: 503 },
  { step: 'sync', status: 503 },
];

let n = 0;
describe.each(STEPS)('a write whose journal $step fails', ({ step, status }) => {
  it.each(WRITES)('$name: answered, and no trace in memory or after a restart', async (write) => {
    const dir = join(root, `s${++n}`);
    const gw = await open(dir);
    const world = await seed(gw);
    const before = await observe(gw);
    fault.step = step;
    const res = await write.run(gw, world);
    expect(fault.step).toBeUndefined(); // the fault fired
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ status: String(status) });
    if (status === 503) expect(res.headers['retry-after']).toBe('30');
    expect(await observe(gw)).toEqual(before);
    // A restart from what is on disk (no clean close: that would write memory out as a snapshot).
    const again = await open(crashCopy(dir));
    expect(await observe(again)).toEqual(before);
    // And the store still takes writes afterwards.
    const ok = await write.run(gw, world);
    expect(ok.status).toBeLessThan(300);
    await again.connector.close?.();
    await gw.connector.close?.();
  });
});

describe('Bulk: an operation refused by the journal leaves no trace; the others stand', () => {
  it.each(['write', 'sync'] as const)('%s fails for the second operation only', async (step) => {
    const dir = join(root, `bulk-${step}`);
    const gw = await open(dir);
    await gw.call('GET', '/Users'); // opens the store (and writes its first snapshot) before the fault is armed
    fault.step = step;
    fault.skip = 1;
    const res = await gw.call('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: ['one', 'two', 'three'].map((u, i) => ({
        method: 'POST',
        path: '/Users',
        bulkId: `b${i}`,
        data: { userName: u },
      })),
    });
    expect(fault.step).toBeUndefined();
    const ops = (res.body as { Operations: { status: string }[] }).Operations;
    expect(ops.map((o) => o.status)).toEqual(['201', '503', '201']);
    const names = async (g: Gateway) => ((await observe(g)).users as { userName: string }[]).map((u) => u.userName).sort();
    expect(await names(gw)).toEqual(['one', 'three']);
    const again = await open(crashCopy(dir));
    expect(await names(again)).toEqual(['one', 'three']);
    await again.connector.close?.();
    await gw.connector.close?.();
  });
});
