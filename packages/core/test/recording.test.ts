import { describe, expect, it } from 'vitest';
import { createScimHandler } from '../src/handler/index.js';
import {
  fillReplayVars as fillVars,
  idpTraffic,
  type RecordedExchange,
  REPLAY_BULK,
  type ReplayHandle,
  type ReplayStep as Step,
  replayFromRecording,
  runReplay,
} from '../src/testkit/index.js';
import { type MemoryConnectorOptions, memoryConnector } from './fixtures/memory-connector.js';
import { recordingHandle } from './fixtures/record.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** A core handler over a fresh memory store. */
function target(opts: MemoryConnectorOptions = {}): ReplayHandle {
  const h = createScimHandler({ connector: memoryConnector({ withModify: true, ...opts }), bulk: REPLAY_BULK });
  return (req) => h.handle(req);
}

/** A fresh store whose ids are not the ones a fresh store gives (one user made and deleted first). */
async function shiftedTarget(opts: MemoryConnectorOptions = {}): Promise<ReplayHandle> {
  const handle = target(opts);
  const made = await handle({ method: 'POST', url: '/Users', headers: {}, body: JSON.stringify({ userName: 'shift' }) });
  await handle({ method: 'DELETE', url: `/Users/${(made.body as { id: string }).id}`, headers: {} });
  return handle;
}

/** `steps` run against a fresh store, recorded. */
async function record(steps: readonly Step[], opts: MemoryConnectorOptions = {}) {
  const rec = recordingHandle(target(opts));
  await runReplay(rec.handle, steps);
  return rec;
}

const firstCreated = (xs: readonly RecordedExchange[]) =>
  (xs.find((x) => x.status === 201)?.response as { id?: string } | undefined)?.id;

describe('replayFromRecording: a recorded IdP sequence replays', () => {
  it.each([
    ['Okta', idpTraffic.okta],
    ['Entra ID without the flag', idpTraffic.entraNoFlag],
    ['Entra ID with the flag', idpTraffic.entraFlag],
    ['JumpCloud', idpTraffic.jumpCloud],
    ['One Identity', idpTraffic.oneIdentity],
  ])('%s: against a fresh store, and against one that gives other ids', async (_name, steps) => {
    const rec = await record(steps);
    const replay = replayFromRecording(rec.jsonl());
    expect(replay.steps).toHaveLength(steps.length);
    expect(replay.unknownIds).toEqual([]);
    expect(replay.steps.some((s) => s.url.includes('{{user1:uri}}'))).toBe(true);
    await runReplay(target(), replay.steps, {}, replay.vars);
    const vars = await runReplay(await shiftedTarget(), replay.steps, {}, replay.vars);
    expect(vars.user1).toMatch(/^user-\d+$/);
    expect(vars.user1).not.toBe(firstCreated(rec.exchanges));
  });

  it('names steps by arrival number, method and path; a masked password gets a fresh strong secret', async () => {
    const rec = await record(idpTraffic.okta);
    const replay = replayFromRecording(rec.jsonl());
    expect(replay.steps.slice(0, 4).map((s) => s.name)).toEqual([
      '#1 GET /Users',
      '#2 POST /Users',
      '#3 POST /Users',
      '#4 PUT /Users/{{user1}}',
    ]);
    expect(replay.steps[1]).toMatchObject({ capture: { user1: 'id' }, body: { password: '{{secret}}' } });
    expect(replay.steps[3]?.body).toMatchObject({ id: '{{user1}}' });
    expect(replay.vars.secret).toMatch(/^Rp-[0-9a-f]{24}aZ9!$/);
    expect(replayFromRecording(rec.jsonl()).vars.secret).not.toBe(replay.vars.secret);
    const sent: string[] = [];
    const handle = target();
    await runReplay(
      (req) => {
        sent.push(req.body ?? '');
        return handle(req);
      },
      replay.steps,
      {},
      replay.vars,
    );
    expect(JSON.parse(sent[1] as string).password).toBe(replay.vars.secret);
  });

  it('ids quoted in a PATCH path and in a filter query, and ids as values, are variables', async () => {
    const rec = await record(idpTraffic.sailPointBurst);
    const replay = replayFromRecording(rec.jsonl());
    const text = JSON.stringify(replay.steps);
    for (const x of rec.exchanges) {
      const id = (x.response as { id?: string } | undefined)?.id;
      if (x.status === 201 && id) expect(text).not.toContain(`"${id}"`);
    }
    expect(text).toMatch(/members\[value eq \\"\{\{user\d+\}\}\\"\]/);
    await runReplay(await shiftedTarget(), replay.steps, {}, replay.vars);
  });

  it('parallel requests become groups and replay whichever of the identical creates wins', async () => {
    const rec = await record(idpTraffic.sailPointBurst);
    const replay = replayFromRecording(rec.jsonl());
    const groups = new Map<string, number>();
    for (const s of replay.steps) if (s.group) groups.set(s.group, (groups.get(s.group) ?? 0) + 1);
    expect([...groups.values()]).toEqual([8, 6, 8, 4]);
    for (let i = 0; i < 5; i++) await runReplay(await shiftedTarget(), replay.steps, {}, replay.vars);
  });

  it('entity tags an answer gave are variables in If-Match', async () => {
    const steps: Step[] = [
      {
        name: 'create',
        method: 'POST',
        url: '/Users',
        body: { userName: 'etag' },
        status: 201,
        capture: { u: 'id', v: '/meta/version' },
      },
      {
        name: 'conditional change',
        method: 'PATCH',
        url: '/Users/{{u}}',
        headers: { 'if-match': '{{v}}' },
        body: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'title', value: 'x' }],
        },
        status: 200,
      },
    ];
    const rec = await record(steps, { keepsVersions: true });
    const replay = replayFromRecording(rec.exchanges);
    expect(replay.steps[0]?.capture).toEqual({ user1: 'id', etag_1: '/meta/version' });
    expect(replay.steps[1]?.headers).toEqual({ 'if-match': '{{etag_1}}' });
    await runReplay(await shiftedTarget({ keepsVersions: true }), replay.steps, {}, replay.vars);
  });
});

describe('replayFromRecording: a replay that differs fails', () => {
  it('a recorded 201 edited to 409 fails, naming the step', async () => {
    const rec = await record(idpTraffic.okta);
    const edited = rec.exchanges.map((x) => (x.seq === 2 ? { ...x, status: 409 } : x));
    const replay = replayFromRecording(edited);
    await expect(runReplay(target(), replay.steps, {}, replay.vars)).rejects.toThrow(/^#2 POST \/Users: expected 409, got 201/);
  });

  it('a recorded totalResults edited fails, naming the step', async () => {
    const rec = await record(idpTraffic.okta);
    const edited = rec.exchanges.map((x) =>
      x.seq === 1 ? { ...x, response: { ...(x.response as object), totalResults: 1 } } : x,
    );
    const replay = replayFromRecording(edited);
    await expect(runReplay(target(), replay.steps, {}, replay.vars)).rejects.toThrow(
      /^#1 GET \/Users: totalResults: expected 1 as recorded, got 0/,
    );
  });

  it('a target that answers a filter wrongly fails, naming the step', async () => {
    const rec = await record(idpTraffic.entraNoFlag);
    const replay = replayFromRecording(rec.jsonl());
    const right = target();
    const filterIgnored: ReplayHandle = (req) => right({ ...req, url: req.url.replace(/([?&])filter=[^&]*/, '$1') });
    await expect(runReplay(filterIgnored, replay.steps, {}, replay.vars)).rejects.toThrow(
      /^#4 GET \/Users: totalResults: expected 1 as recorded, got 2/,
    );
  });
});

describe('replayFromRecording: ids', () => {
  const exchange = (seq: number, x: Partial<RecordedExchange> & Pick<RecordedExchange, 'method' | 'url' | 'status'>) => ({
    seq,
    at: seq * 10,
    ms: 1,
    ...x,
  });

  it('lists ids a request used in a path that no answer gave (not ones only ever answered 404)', () => {
    const replay = replayFromRecording([
      exchange(1, {
        method: 'PATCH',
        url: '/Users/CN%3DAnn%20Lee%2COU%3DUsers',
        body: { Operations: [{ op: 'replace', path: 'title', value: 'x' }] },
        status: 200,
        response: { id: 'CN=Ann Lee,OU=Users', meta: { resourceType: 'User' } },
      }),
      exchange(2, { method: 'GET', url: '/Groups/gone', status: 404 }),
      exchange(3, {
        method: 'POST',
        url: '/Users',
        body: { userName: 'new' },
        status: 201,
        response: { id: 'u 9', meta: { resourceType: 'User' } },
      }),
      exchange(4, {
        method: 'PATCH',
        url: '/t1/scim/v2/Groups/g1',
        body: { Operations: [{ op: 'add', path: 'members', value: [{ value: 'u 9' }, { value: 'CN=Ann Lee,OU=Users' }] }] },
        status: 204,
      }),
      exchange(5, { method: 'DELETE', url: '/Users/u%209', status: 204 }),
      exchange(6, { method: 'DELETE', url: '/Users/CN%3DAnn%20Lee%2COU%3DUsers', status: 204 }),
    ]);
    expect(replay.unknownIds).toEqual(['CN=Ann Lee,OU=Users', 'g1']);
    expect(replay.steps[0]?.capture).toBeUndefined();
    expect(replay.steps[2]?.capture).toEqual({ user1: 'id' });
    expect(replay.steps[3]?.body).toEqual({
      Operations: [{ op: 'add', path: 'members', value: [{ value: '{{user1}}' }, { value: 'CN=Ann Lee,OU=Users' }] }],
    });
    expect(replay.steps.map((s) => s.url).slice(4)).toEqual(['/Users/{{user1:uri}}', '/Users/CN%3DAnn%20Lee%2COU%3DUsers']);
    expect(fillVars(replay.steps[4]?.url, { user1: 'u 9' })).toBe('/Users/u%209');
  });

  it('ids first seen in a list are captured by JSON Pointer and named by resource type', () => {
    const list = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 2,
      Resources: [
        { id: 'a', meta: { resourceType: 'User' } },
        { id: 'b', meta: { resourceType: 'Group' } },
      ],
    };
    const replay = replayFromRecording([
      exchange(1, { method: 'GET', url: '/Users', status: 200, response: list }),
      exchange(2, { method: 'GET', url: '/Users/a', status: 200, response: { id: 'a', meta: { resourceType: 'User' } } }),
      exchange(3, { method: 'POST', url: '/Widgets', status: 201, response: { id: 'w' } }),
      exchange(4, {
        method: 'GET',
        url: `/Groups?filter=${encodeURIComponent('id eq "b" and displayName eq "a b"')}`,
        status: 200,
      }),
      exchange(5, { method: 'POST', url: '/Users/.search', body: { filter: 'id eq "w"' }, status: 200 }),
    ]);
    expect(replay.steps[0]?.capture).toEqual({ user1: '/Resources/0/id', group1: '/Resources/1/id' });
    expect(replay.steps[0]?.check).toBeTypeOf('function');
    expect(replay.steps[1]).toMatchObject({ url: '/Users/{{user1:uri}}' });
    expect(replay.steps[1]?.capture).toBeUndefined();
    expect(replay.steps[2]?.capture).toEqual({ resource1: 'id' });
    expect(replay.steps[3]?.url).toBe(`/Groups?filter=id%20eq%20%22{{group1:uri}}%22%20and%20displayName%20eq%20%22a%20b%22`);
    expect(replay.steps[4]?.body).toEqual({ filter: 'id eq "{{resource1}}"' });
  });

  it('a quoted id holding a quote is the longer id; a Bulk operation’s path is a URL', () => {
    const created = (seq: number, id: string) =>
      exchange(seq, { method: 'POST', url: '/Users', status: 201, response: { id, meta: { resourceType: 'User' } } });
    const replay = replayFromRecording([
      created(1, 'a'),
      created(2, 'a"b'),
      exchange(3, {
        method: 'POST',
        url: '/Bulk',
        body: {
          Operations: [
            { method: 'PATCH', path: '/Users/a%22b', data: { Operations: [{ op: 'remove', path: 'x[value eq "a"b"]' }] } },
          ],
        },
        status: 200,
      }),
    ]);
    expect(replay.steps[2]?.body).toEqual({
      Operations: [
        {
          method: 'PATCH',
          path: '/Users/{{user2:uri}}',
          data: { Operations: [{ op: 'remove', path: 'x[value eq "{{user2}}"]' }] },
        },
      ],
    });
  });

  it('ids in discovery answers (resource type names, schema URNs) are no variables', () => {
    const list = (ids: string[]) => ({ totalResults: ids.length, Resources: ids.map((id) => ({ id })) });
    const replay = replayFromRecording([
      exchange(1, { method: 'GET', url: '/ResourceTypes', status: 200, response: list(['User', 'Group']) }),
      exchange(2, { method: 'GET', url: '/scim/v2/Schemas', status: 200, response: list([USER]) }),
      exchange(3, { method: 'POST', url: '/Users', body: { schemas: [USER], meta: { resourceType: 'User' } }, status: 201 }),
    ]);
    expect(replay.steps.map((s) => s.capture)).toEqual([undefined, undefined, undefined]);
    expect(replay.steps[2]?.body).toEqual({ schemas: [USER], meta: { resourceType: 'User' } });
  });

  it('never replaces part of a word or an unquoted occurrence', () => {
    const replay = replayFromRecording([
      exchange(1, { method: 'POST', url: '/Users', status: 201, response: { id: 'ann', meta: { resourceType: 'User' } } }),
      exchange(2, {
        method: 'PATCH',
        url: '/annex/Users/annie?filter=userName%20eq%20annie',
        body: { displayName: 'ann lee', nickName: 'joann', Operations: [{ path: 'emails[value eq "ann@x"]' }] },
        status: 404,
      }),
    ]);
    expect(replay.steps[1]).toMatchObject({
      url: '/annex/Users/annie?filter=userName%20eq%20annie',
      body: { displayName: 'ann lee', nickName: 'joann', Operations: [{ path: 'emails[value eq "ann@x"]' }] },
    });
  });
});

describe('replayFromRecording: bursts', () => {
  const created = { id: 'rec-1', userName: 'burst@example.com', meta: { resourceType: 'User' } };
  const conflict = { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '409', scimType: 'uniqueness' };
  const burst = (statuses: number[]): RecordedExchange[] => [
    ...statuses.map((status, i) => ({
      seq: i + 1,
      at: i * 0.2,
      ms: 4,
      method: 'POST',
      url: '/Users',
      headers: { 'content-type': 'application/scim+json' },
      body: { schemas: [USER], userName: 'burst@example.com' },
      status,
      response: status === 201 ? { ...created, id: `rec-${i}` } : conflict,
    })),
    { seq: 7, at: 50, ms: 1, method: 'GET', url: `/Users/rec-${statuses.indexOf(201)}`, status: 200, response: created },
  ];

  it.each([0, 1, 2, 3, 4, 5])('six identical creates at once (the one recorded 201 at %i) replay green', async (winner) => {
    const statuses = [409, 409, 409, 409, 409, 409];
    statuses[winner] = 201;
    const replay = replayFromRecording(burst(statuses));
    expect(new Set(replay.steps.slice(0, 6).map((s) => s.group)).size).toBe(1);
    expect(replay.steps[6]?.group).toBeUndefined();
    const vars = await runReplay(await shiftedTarget(), replay.steps, {}, replay.vars);
    expect(vars.user1).toBe('user-2');
  });

  it('a group whose statuses differ as a multiset fails, naming its steps and the statuses', async () => {
    const replay = replayFromRecording(burst([201, 409, 201, 409, 409, 409]));
    await expect(runReplay(target(), replay.steps, {}, replay.vars)).rejects.toThrow(
      /^group "burst from #1 POST \/Users" \(#1 POST \/Users; #2 POST \/Users;.*\): expected statuses \{"201":2,"409":4\}, got \{"201":1,"409":5\}/,
    );
  });

  it('a request that uses what a parallel one captured starts a new group', () => {
    const replay = replayFromRecording([
      {
        seq: 1,
        at: 0,
        ms: 10,
        method: 'POST',
        url: '/Users',
        status: 201,
        response: { id: 'x', meta: { resourceType: 'User' } },
      },
      {
        seq: 2,
        at: 1,
        ms: 10,
        method: 'POST',
        url: '/Groups',
        status: 201,
        response: { id: 'g', meta: { resourceType: 'Group' } },
      },
      { seq: 3, at: 2, ms: 10, method: 'GET', url: '/Users/x', status: 200 },
      { seq: 4, at: 3, ms: 10, method: 'GET', url: '/Users/x', status: 200 },
      { seq: 5, at: 30, ms: 10, method: 'GET', url: '/Groups/g', status: 200 },
    ]);
    expect(replay.steps.map((s) => s.group)).toEqual([
      'burst from #1 POST /Users',
      'burst from #1 POST /Users',
      'burst from #3 GET /Users/{{user1}}',
      'burst from #3 GET /Users/{{user1}}',
      undefined,
    ]);
  });
});

describe('replayFromRecording: reading the file', () => {
  const header = JSON.stringify({ recording: 'scimgw/1', started: '2025-01-01T00:00:00.000Z', pseudonymized: true });
  const line = JSON.stringify({ seq: 1, at: 0, ms: 1, method: 'GET', url: '/Users', status: 200 });

  it('skips blank lines and reads CRLF', () => {
    expect(replayFromRecording(`${header}\r\n\r\n${line}\r\n\n`).steps).toHaveLength(1);
    expect(replayFromRecording(line).steps).toHaveLength(1);
  });
  it.each([
    [`${header}\n\n{nope`, /^line 3: not JSON/],
    [`${line}\n${header}`, /^line 2: a recording header after the first line/],
    [
      `${header}\n${JSON.stringify({ seq: 1, at: 0, ms: 1, method: 'GET', url: '/Users' })}`,
      /^line 2: not a recorded exchange \("status"/,
    ],
    [`${header}\n[1]`, /^line 2: not a recorded exchange \(not an object\)/],
    [
      JSON.stringify({ recording: 'scimgw/2', started: 'x', pseudonymized: false }),
      /^line 1: unsupported recording format "scimgw\/2"/,
    ],
  ])('%j fails naming the line', (text, message) => {
    expect(() => replayFromRecording(text)).toThrow(message);
  });
  it('an array entry that is not an exchange fails naming the entry', () => {
    expect(() => replayFromRecording([JSON.parse(line), { seq: 2 } as never])).toThrow(/^entry 2: not a recorded exchange/);
  });
});
