/**
 * `replayFromRecording(input, { seed: true })`: a recording made against a target that already held
 * users and groups replays on an empty one, the resources it used created first by `seed`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScimHandler } from '../src/handler/index.js';
import {
  type RecordedExchange,
  REPLAY_BULK,
  type ReplayHandle,
  type ReplayStep as Step,
  replayFromRecording,
  runReplay,
} from '../src/testkit/index.js';
import { memoryConnector } from './fixtures/memory-connector.js';
import { recordingHandle } from './fixtures/record.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const q = (filter: string) => encodeURIComponent(filter);
const promote = { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'Lead' }] };

/** A core handler over a fresh memory store. */
function target(): ReplayHandle {
  const h = createScimHandler({ connector: memoryConnector({ withModify: true }), bulk: REPLAY_BULK });
  return (req) => h.handle(req);
}

/** An empty store whose ids are none of the populated store's (ten users made and deleted first). */
async function emptyTarget(): Promise<ReplayHandle> {
  const handle = target();
  for (let i = 0; i < 10; i++) {
    const made = await send(handle, 'POST', '/Users', { userName: `shift${i}` });
    await handle({ method: 'DELETE', url: `/Users/${made.id}`, headers: {} });
  }
  return handle;
}

/** Sends one request; the answer's body. */
async function send(handle: ReplayHandle, method: string, url: string, body?: unknown) {
  const res = await handle({ method, url, headers: {}, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; [k: string]: unknown };
}

/**
 * A store holding users ann, bob, cid, dee and the groups ops (cid and the group staff) and staff
 * (ann, bob), made directly (not recorded). ops is made before staff, so a group that is a member
 * of another was made after it.
 */
async function populated() {
  const handle = target();
  const ids: Record<string, string> = {};
  for (const userName of ['ann', 'bob', 'cid', 'dee'])
    ids[userName] = (await send(handle, 'POST', '/Users', { userName, title: 'Clerk', externalId: `x-${userName}` })).id;
  const user = (name: string) => ({ value: ids[name], type: 'User' });
  ids.ops = (await send(handle, 'POST', '/Groups', { displayName: 'ops', members: [user('cid')] })).id;
  ids.staff = (await send(handle, 'POST', '/Groups', { displayName: 'staff', members: [user('ann'), user('bob')] })).id;
  const add = { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: ids.staff, type: 'Group' }] }] };
  await handle({ method: 'PATCH', url: `/Groups/${ids.ops}`, headers: {}, body: JSON.stringify(add) });
  return { handle, ids };
}

const lookup = (name: string, endpoint: string, filter: string, total: number, capture?: string): Step => ({
  name,
  method: 'GET',
  url: `/${endpoint}?${filter}`,
  status: 200,
  check: (body) => expect(body.totalResults).toBe(total),
  ...(capture ? { capture: { [capture]: '/Resources/0/id' } } : {}),
});

/** What an Entra-like client does against the populated store (`dee` it knows by id from an earlier cycle). */
function client(deeId: string): Step[] {
  const replace = (path: string, value: unknown) => ({ schemas: [PATCH], Operations: [{ op: 'replace', path, value }] });
  return [
    lookup('find ann', 'Users', `filter=${q('userName eq "ann"')}`, 1, 'ann'),
    { name: 'ann is promoted', method: 'PATCH', url: '/Users/{{ann}}', body: promote, status: 200 },
    lookup('find eve', 'Users', `filter=${q('userName eq "eve"')}`, 0),
    { name: 'create eve', method: 'POST', url: '/Users', body: { userName: 'eve' }, status: 201, capture: { eve: 'id' } },
    lookup('find ops', 'Groups', `filter=${q('displayName eq "ops"')}`, 1, 'ops'),
    lookup('find staff', 'Groups', `filter=${q('displayName eq "staff"')}&excludedAttributes=members`, 1, 'staff'),
    lookup('find cid', 'Users', `filter=${q('userName eq "cid"')}`, 1, 'cid'),
    {
      name: 'cid and eve join staff',
      method: 'PATCH',
      url: '/Groups/{{staff}}',
      body: {
        schemas: [PATCH],
        Operations: [{ op: 'add', path: 'members', value: [{ value: '{{cid}}' }, { value: '{{eve}}' }] }],
      },
      status: 204,
    },
    { name: 'read staff', method: 'GET', url: '/Groups/{{staff}}', status: 200 },
    { name: 'dee is renamed', method: 'PATCH', url: `/Users/${deeId}`, body: replace('displayName', 'Dee D'), status: 200 },
    { name: 'read ops', method: 'GET', url: '/Groups/{{ops}}', status: 200 },
  ];
}

/** The client's traffic against the populated store, recorded. */
async function recording() {
  const { handle, ids } = await populated();
  const rec = recordingHandle(handle);
  await runReplay(rec.handle, client(ids.dee as string));
  return { ...rec, ids };
}

describe('replayFromRecording with seed: a recording made against a populated target', () => {
  it('does not replay on an empty target without seed: the first lookup finds nothing', async () => {
    const rec = await recording();
    const replay = replayFromRecording(rec.jsonl());
    expect(replay.seed).toBeUndefined();
    expect(replay.unknownIds).toEqual([rec.ids.dee]);
    await expect(runReplay(await emptyTarget(), replay.steps, {}, replay.vars)).rejects.toThrow(
      /^#1 GET \/Users: totalResults: expected 1 as recorded, got 0/,
    );
  });

  it('replays on an empty target with seed first, every later step naming the seeded resource', async () => {
    const rec = await recording();
    const replay = replayFromRecording(rec.jsonl(), { seed: true });
    expect(replay.unknownIds).toEqual([]);
    const fresh = await emptyTarget();
    const vars = await runReplay(fresh, [...replay.seed, ...replay.steps], {}, replay.vars);
    // The seeded users got the target's ids, and the recorded writes reached them.
    expect(vars.user1).not.toBe(rec.ids.ann);
    expect(await send(fresh, 'GET', `/Users/${vars.user1}`)).toMatchObject({ userName: 'ann', title: 'Lead' });
    const staff = await send(fresh, 'GET', `/Groups/${vars.group2}`);
    // staff was only shown without members before the recording added cid (seeded) and eve (created).
    expect((staff.members as { value: string }[]).map((m) => m.value).sort()).toEqual([vars.user3, vars.user2].sort());
    const ops = await send(fresh, 'GET', `/Groups/${vars.group1}`);
    expect((ops.members as { value: string }[]).map((m) => m.value)).toEqual([vars.user3, vars.group2]);
  });

  it('creates users first, then groups, a group that is a member of another before it', async () => {
    const rec = await recording();
    const { seed, steps } = replayFromRecording(rec.jsonl(), { seed: true });
    expect(seed.map((s) => s.name)).toEqual([
      'seed user1 (as #1 GET /Users showed it)',
      'seed user3 (as #7 GET /Users showed it)',
      'seed user4 (as #10 PATCH /Users/{{user4}} left it)',
      'seed group2 (as #6 GET /Groups showed it)',
      'seed group1 (as #5 GET /Groups showed it)',
    ]);
    expect(seed.map((s) => [s.method, s.url, s.status, s.capture])).toEqual([
      ['POST', '/Users', 201, { user1: 'id' }],
      ['POST', '/Users', 201, { user3: 'id' }],
      ['POST', '/Users', 201, { user4: 'id' }],
      ['POST', '/Groups', 201, { group2: 'id' }],
      ['POST', '/Groups', 201, { group1: 'id' }],
    ]);
    // ops holds cid and staff, both seeded before it; staff was shown without members (excludedAttributes).
    expect(seed[4]?.body).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'ops',
      members: [
        { value: '{{user3}}', type: 'User' },
        { value: '{{group2}}', type: 'Group' },
      ],
    });
    expect(seed[3]?.body).toEqual({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'staff' });
    // Read-only attributes are left out; no password is made up.
    expect(seed[0]?.body).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'ann',
      title: 'Clerk',
      externalId: 'x-ann',
    });
    // dee was only ever shown after the recording's PATCH changed it: seeded as it left it.
    expect(seed[2]?.body).toMatchObject({ userName: 'dee', displayName: 'Dee D' });
    // The lookups that found a seeded resource no longer capture it (its seed step did); created ones still do.
    expect(steps[0]?.capture).toBeUndefined();
    expect(steps[3]?.capture).toEqual({ user2: 'id' });
    expect(steps[7]?.url).toBe('/Groups/{{group2:uri}}');
    expect(steps[7]?.body).toMatchObject({ Operations: [{ value: [{ value: '{{user3}}' }, { value: '{{user2}}' }] }] });
    expect(steps[9]?.url).toBe('/Users/{{user4:uri}}');
  });

  it('a seeded user keeps its variable when a later list shows the seeded users in another order', async () => {
    const { handle } = await populated();
    const rec = recordingHandle(handle);
    await runReplay(rec.handle, [
      lookup('find bob', 'Users', `filter=${q('userName eq "bob"')}`, 1),
      { ...lookup('list all', 'Users', 'count=10', 4), capture: { ann: '/Resources/0/id' } },
      { name: 'ann is promoted', method: 'PATCH', url: '/Users/{{ann}}', body: promote, status: 200 },
    ]);
    const replay = replayFromRecording(rec.jsonl(), { seed: true });
    expect(replay.steps[1]?.capture).toBeUndefined();
    const fresh = await emptyTarget();
    const vars = await runReplay(fresh, [...replay.seed, ...replay.steps], {}, replay.vars);
    // bob was seeded first, so the target lists him first; ann's variable still names ann.
    expect(await send(fresh, 'GET', `/Users/${vars.user2}`)).toMatchObject({ userName: 'ann', title: 'Lead' });
    expect(await send(fresh, 'GET', `/Users/${vars.user1}`)).toMatchObject({ userName: 'bob', title: 'Clerk' });
  });

  it('a group that is a member of one shown earlier is created first, a reference closing a cycle left out', () => {
    const group = (id: string, members: string[]) => ({
      id,
      displayName: id,
      members: members.map((value) => ({ value, type: 'Group' })),
      meta: { resourceType: 'Group' },
    });
    const list = (...resources: unknown[]) => ({ totalResults: resources.length, Resources: resources });
    const { seed } = replayFromRecording(
      [
        {
          seq: 1,
          at: 0,
          ms: 1,
          method: 'GET',
          url: '/t1/scim/v2/Groups',
          status: 200,
          response: list(group('a', ['b']), group('b', ['a'])),
        },
        { seq: 2, at: 5, ms: 1, method: 'GET', url: '/Groups', status: 200, response: list(group('c', ['a'])) },
      ],
      { seed: true },
    );
    expect(seed.map((s) => [s.name, s.url, (s.body as { members?: unknown }).members])).toEqual([
      ['seed group2 (as #1 GET /t1/scim/v2/Groups showed it)', '/t1/scim/v2/Groups', undefined],
      ['seed group1 (as #1 GET /t1/scim/v2/Groups showed it)', '/t1/scim/v2/Groups', [{ value: '{{group2}}', type: 'Group' }]],
      ['seed group3 (as #2 GET /Groups showed it)', '/Groups', [{ value: '{{group1}}', type: 'Group' }]],
    ]);
  });

  it('seeds from a whole body from before the recording changed it, else from the earliest shown', () => {
    const user = (id: string, extra: object) => ({ id, userName: id, ...extra, meta: { resourceType: 'User' } });
    const x = (seq: number, method: string, url: string, status: number, response?: unknown): RecordedExchange => ({
      seq,
      at: seq,
      ms: 0.5,
      method,
      url,
      status,
      ...(response === undefined ? {} : { response }),
    });
    const list = (...resources: unknown[]) => ({ totalResults: resources.length, Resources: resources });
    const { seed, unknownIds } = replayFromRecording(
      [
        x(1, 'GET', '/scim/v2/Users?attributes=userName', 200, list(user('a', {}), { id: 'only-id' })),
        x(2, 'GET', '/scim/v2/Users/a', 200, user('a', { title: 'Clerk' })),
        x(3, 'PATCH', '/scim/v2/Users/a', 200, user('a', { title: 'Lead' })),
        x(4, 'PATCH', '/Users/b', 200, user('b', { title: 'Lead' })),
        x(5, 'GET', '/Users/b', 200, user('b', { title: 'Later' })),
        x(6, 'GET', '/Users/gone', 404),
        x(7, 'GET', '/Users', 200, list(user('gone', {}))),
        // A pseudonymized location: the id as the answers gave it, the word `Users` not.
        x(8, 'POST', '/Bulk', 200, {
          Operations: [{ method: 'POST', location: 'geny://016.2.2.8/Lwntd/bulk%20made', status: '201' }],
        }),
        x(9, 'GET', '/Users/bulk%20made', 200, user('bulk made', {})),
        x(10, 'GET', '/Widgets', 200, list({ id: 'w', name: 'w' })),
      ],
      { seed: true },
    );
    expect(seed.map((s) => [s.name, s.url, s.body])).toEqual([
      ['seed user1 (as #2 GET /scim/v2/Users/{{user1}} showed it)', '/scim/v2/Users', { userName: 'a', title: 'Clerk' }],
      [
        'seed user2 (a stand-in: #1 GET /scim/v2/Users names it, no answer shows it)',
        '/scim/v2/Users',
        { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'only-id' },
      ],
      ['seed user3 (as #4 PATCH /Users/{{user3}} left it)', '/Users', { userName: 'b', title: 'Lead' }],
    ]);
    // Not seeded: what a request found missing, what Bulk created (its id only in a location, so
    // still unknown to the replay, as without seed), what no endpoint takes. What only its id
    // shows is a stand-in named by its id.
    expect(unknownIds).toEqual(['bulk made']);
  });

  it('an id only named in a path (no answer shows it) is created as a stand-in named by its id', async () => {
    const { handle, ids } = await populated();
    const rec = recordingHandle(handle);
    await runReplay(rec.handle, [
      lookup('find ann', 'Users', `filter=${q('userName eq "ann"')}`, 1),
      { name: 'remove bob', method: 'DELETE', url: `/Users/${ids.bob}`, status: 204 },
    ]);
    const replay = replayFromRecording(rec.jsonl(), { seed: true });
    expect(replay.unknownIds).toEqual([]);
    expect(replay.seed.map((s) => s.name)).toEqual([
      'seed user1 (as #1 GET /Users showed it)',
      'seed user2 (a stand-in: #2 DELETE /Users/{{user2}} names it, no answer shows it)',
    ]);
    await runReplay(await emptyTarget(), [...replay.seed, ...replay.steps], {}, replay.vars);
    // Without seeding it fails at the lookup; seeded without the stand-in, at the DELETE.
    const withoutStandIn = replay.seed.slice(0, 1);
    await expect(runReplay(await emptyTarget(), [...withoutStandIn, ...replay.steps], {}, replay.vars)).rejects.toThrow(
      /#2 DELETE \/Users\/\{\{user2\}\}: expected 204, got 404/,
    );
  });

  it("an IdP's later cycle: a group and a member known only by their ids become stand-ins, and the PATCH lands", async () => {
    const { handle, ids } = await populated();
    const rec = recordingHandle(handle);
    // Entra ID between cycles: it keeps the ids it made earlier and adds dee to ops without a lookup.
    const add = { schemas: [PATCH], Operations: [{ op: 'Add', path: 'members', value: [{ value: ids.dee }] }] };
    await runReplay(rec.handle, [{ name: 'add dee to ops', method: 'PATCH', url: `/Groups/${ids.ops}`, body: add, status: 204 }]);
    const plain = replayFromRecording(rec.jsonl());
    expect(plain.unknownIds).toEqual([ids.ops]);
    const replay = replayFromRecording(rec.jsonl(), { seed: true });
    expect(replay.unknownIds).toEqual([]);
    expect(replay.seed.map((s) => [s.url, s.body])).toEqual([
      ['/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: ids.dee }],
      ['/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: ids.ops }],
    ]);
    // The member in the PATCH body is the stand-in's variable, not the recorded id.
    expect(JSON.stringify(replay.steps[0]?.body)).not.toContain(ids.dee);
    const empty = await emptyTarget();
    const vars = await runReplay(empty, [...replay.seed, ...replay.steps], {}, replay.vars);
    const group = await empty({ method: 'GET', url: `/Groups/${vars.group1}`, headers: {} });
    expect((group.body as { members?: { value: string }[] }).members?.map((m) => m.value)).toEqual([vars.user1]);
  });

  it('a recording that created everything it used has nothing to seed, and the same steps', async () => {
    const rec = recordingHandle(target());
    await runReplay(rec.handle, [
      { name: 'create', method: 'POST', url: '/Users', body: { userName: 'new' }, status: 201, capture: { u: 'id' } },
      { name: 'read', method: 'GET', url: '/Users/{{u}}', status: 200 },
      { name: 'list', method: 'GET', url: '/Users', status: 200 },
    ]);
    const plain = replayFromRecording(rec.exchanges);
    const seeded = replayFromRecording(rec.exchanges, { seed: true });
    expect(seeded.seed).toEqual([]);
    expect(JSON.stringify(seeded.steps)).toBe(JSON.stringify(plain.steps));
  });
});

/** A generated client: what it does, in order; `k` picks the user (or, for a lookup, nobody). */
const actionsArb = fc.array(
  fc.record({ kind: fc.constantFrom('lookup', 'patch', 'get', 'join', 'list', 'group', 'create'), k: fc.nat() }),
  { minLength: 1, maxLength: 10 },
);

/**
 * The client's steps against a store of `users` and the group `team`: it names a user or the group
 * by id only after a lookup found it (`{{u0}}`, `{{team}}`), as an IdP does.
 */
function generatedClient(users: readonly string[], actions: readonly { kind: string; k: number }[]): Step[] {
  const steps: Step[] = [];
  const known = new Set<string>();
  const find = (i: number) => {
    if (known.has(`u${i}`)) return;
    known.add(`u${i}`);
    steps.push(lookup(`find ${users[i]}`, 'Users', `filter=${q(`userName eq "${users[i]}"`)}`, 1, `u${i}`));
  };
  const findTeam = (projected: boolean) => {
    if (known.has('team')) return;
    known.add('team');
    const filter = `filter=${q('displayName eq "team"')}${projected ? '&excludedAttributes=members' : ''}`;
    steps.push(lookup('find team', 'Groups', filter, 1, 'team'));
  };
  actions.forEach(({ kind, k }, n) => {
    const i = k % users.length;
    if (kind === 'lookup' && k % (users.length + 1) === users.length)
      steps.push(lookup('find nobody', 'Users', `filter=${q('userName eq "nobody"')}`, 0));
    else if (kind === 'lookup') find(i);
    if (kind === 'patch' || kind === 'get' || kind === 'join') find(i);
    if (kind === 'patch') {
      const body = { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: `t${n}` }] };
      steps.push({ name: `retitle ${users[i]}`, method: 'PATCH', url: `/Users/{{u${i}}}`, body, status: 200 });
    }
    if (kind === 'get') steps.push({ name: `read ${users[i]}`, method: 'GET', url: `/Users/{{u${i}}}`, status: 200 });
    if (kind === 'join' || kind === 'group') findTeam(k % 2 === 0);
    if (kind === 'join') {
      const body = { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: `{{u${i}}}` }] }] };
      steps.push({ name: `${users[i]} joins`, method: 'PATCH', url: '/Groups/{{team}}', body, status: 204 });
    }
    if (kind === 'group') steps.push({ name: 'read team', method: 'GET', url: '/Groups/{{team}}', status: 200 });
    if (kind === 'list') steps.push({ name: 'list users', method: 'GET', url: '/Users?count=50', status: 200 });
    if (kind === 'create')
      steps.push({ name: `create new${n}`, method: 'POST', url: '/Users', body: { userName: `new${n}` }, status: 201 });
  });
  return steps;
}

/** The title of the user named `userName` on a target, or `undefined` when it has none. */
async function titleOf(handle: ReplayHandle, userName: string) {
  const list = (await send(handle, 'GET', `/Users?filter=${q(`userName eq "${userName}"`)}`)) as unknown as {
    Resources: { title?: string }[];
  };
  return list.Resources[0] ? (list.Resources[0].title ?? null) : undefined;
}

describe('replayFromRecording with seed (property)', () => {
  it('any client run against a populated store replays on an empty one with seed, and not without', async () => {
    const usersArb = fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 1, maxLength: 5 });
    await fc.assert(
      fc.asyncProperty(usersArb, fc.array(fc.nat(), { maxLength: 3 }), actionsArb, async (users, members, actions) => {
        const store = target();
        const ids: string[] = [];
        for (const userName of users) ids.push((await send(store, 'POST', '/Users', { userName, title: 'Clerk' })).id);
        const team = [...new Set(members.map((m) => ids[m % ids.length]))].map((value) => ({ value }));
        await send(store, 'POST', '/Groups', { displayName: 'team', ...(team.length ? { members: team } : {}) });
        const rec = recordingHandle(store);
        await runReplay(rec.handle, generatedClient(users, actions));

        const seeded = replayFromRecording(rec.jsonl(), { seed: true });
        expect(seeded.unknownIds).toEqual([]);
        const fresh = await emptyTarget();
        await runReplay(fresh, [...seeded.seed, ...seeded.steps], {}, seeded.vars);
        // Each user the replay made holds what the recorded target's user of that name held.
        for (const userName of users) {
          const title = await titleOf(fresh, userName);
          if (title !== undefined) expect(title).toBe(await titleOf(store, userName));
        }
        if (seeded.seed.length === 0) return;
        const plain = replayFromRecording(rec.jsonl());
        await expect(runReplay(await emptyTarget(), plain.steps, {}, plain.vars)).rejects.toThrow(/^#\d+ GET \/(Users|Groups)/);
      }),
      { numRuns: 150 },
    );
  });
});
