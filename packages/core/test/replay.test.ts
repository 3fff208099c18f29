import { describe, expect, it } from 'vitest';
import { createScimHandler } from '../src/handler/index.js';
import type { PatchQuirk } from '../src/patch/index.js';
import {
  fillReplayVars as fillVars,
  IDP_REPLAYS,
  idpReplayCases,
  idpTraffic,
  REPLAY_BULK,
  type ReplayHandle,
  type ReplayStep as Step,
  runReplay,
} from '../src/testkit/index.js';
import { memoryConnector } from './fixtures/memory-connector.js';

async function replay(steps: readonly Step[], withModify: boolean): Promise<PatchQuirk[]> {
  const quirks: PatchQuirk[] = [];
  const h = createScimHandler({ connector: memoryConnector({ withModify }), onQuirk: (q) => quirks.push(q), bulk: REPLAY_BULK });
  await runReplay((req) => h.handle(req), steps);
  return quirks;
}

describe.each([
  ['connector with modify', true],
  ['connector with replace only', false],
])('IdP replays (%s)', (_label, withModify) => {
  it('Entra ID without the 2020 compliance flag', async () => {
    const q = await replay(idpTraffic.entraNoFlag, withModify);
    expect(q).toEqual(expect.arrayContaining(['capitalisedOp', 'wrappedSingleValue', 'nullClears', 'removeByValueList']));
  });
  it('Entra ID with aadOptscim062020', async () => {
    const q = await replay(idpTraffic.entraFlag, withModify);
    expect(q).toEqual(expect.arrayContaining(['pathlessKeys', 'removeBySelector']));
  });
  it('Okta (OIN and custom apps)', async () => {
    const q = await replay(idpTraffic.okta, withModify);
    expect(q).toContain('ignoredReadOnlyKey');
  });
  it('OneLogin', () => replay(idpTraffic.oneLogin, withModify));
  it('non-standard "op":"delete"', async () => {
    expect(await replay(idpTraffic.nonStandardDeleteOp, withModify)).toContain('deleteOp');
  });
  it('Broadcom Identity Manager (SCIM 1.1)', async () => {
    expect(await replay(idpTraffic.broadcomV1, withModify)).toContain('partialResourcePatch');
  });
  it('Entra ID matching lookups', () => replay(idpTraffic.entraMatching, withModify));
  it('Google Workspace (application/json)', () => replay(idpTraffic.google, withModify));
  it('JumpCloud test connection', () => replay(idpTraffic.jumpCloud, withModify));
  it('One Identity Manager (long or filters)', () => replay(idpTraffic.oneIdentity, withModify));
  it('AWS IAM Identity Center (cursor paging)', () => replay(idpTraffic.awsCursor, withModify));
  it('SailPoint (bursts of parallel requests)', () => replay(idpTraffic.sailPointBurst, withModify));
  it('a client using /Bulk', () => replay(idpTraffic.bulk, withModify));
});

describe('idpReplayCases (the testkit, as a third-party connector runs it)', () => {
  let released = 0;
  for (const c of idpReplayCases({ connector: () => memoryConnector({ withModify: true }), release: () => void released++ }))
    it(c.name, c.run);
  it('released every connector it made', () => {
    expect(released).toBe(IDP_REPLAYS.length);
  });
  it('an answer replaces a step’s expected status, and a wrong one fails the case', async () => {
    const [withAnswer] = idpReplayCases({
      connector: () => memoryConnector({ withModify: true }),
      answers: { 'duplicate is 409': { status: 201 } },
    }).filter((c) => c.name.startsWith('Okta'));
    await expect(withAnswer?.run()).rejects.toThrow(/duplicate is 409: expected 201, got 409/);
  });
});

describe('the replay runner', () => {
  it('fills nested names innermost first and leaves unknown names as they are', () => {
    expect(fillVars({ '{{k}}': ['{{m{{i}}}}', '{{nope}}'] }, { k: 'key', i: '2', m2: 'id-2' })).toEqual({
      key: ['id-2', '{{nope}}'],
    });
  });
  it('fails a step whose status differs, naming it', async () => {
    const h = createScimHandler({ connector: memoryConnector({ withModify: true }) });
    await expect(
      runReplay((req) => h.handle(req), [{ name: 'missing user', method: 'GET', url: '/Users/none', status: 200 }]),
    ).rejects.toThrow(/missing user: expected 200, got 404/);
  });
  it('fails a burst when one of its requests fails, naming which', async () => {
    const h = createScimHandler({ connector: memoryConnector({ withModify: true }) });
    const body = { userName: 'same.{{i}}' };
    await expect(
      runReplay(
        (req) => h.handle(req),
        [
          { name: 'first', method: 'POST', url: '/Users', body: { userName: 'same.1' }, status: 201 },
          { name: 'burst', concurrent: 3, method: 'POST', url: '/Users', body, status: 201 },
        ],
      ),
    ).rejects.toThrow(/burst \(#1\): expected 201, got 409/);
  });
  it('a burst with statusCounts passes on the right numbers and fails naming what came instead', async () => {
    const h = createScimHandler({ connector: memoryConnector({ withModify: true }) });
    const step = (statusCounts: Record<number, number>) => ({
      name: 'same create',
      concurrent: 3,
      statusCounts,
      method: 'POST',
      url: '/Users',
      body: { userName: 'dup' },
      status: 201,
      capture: { dup: 'id' },
    });
    const vars = await runReplay((req) => h.handle(req), [step({ 201: 1, 409: 2 })]);
    expect(vars.dup).toMatch(/./);
    await expect(runReplay((req) => h.handle(req), [step({ 201: 1, 409: 2 })])).rejects.toThrow(
      /same create: expected statuses \{"201":1,"409":2\}, got \{"409":3\}/,
    );
  });
  it('a check sees what earlier steps captured', async () => {
    const h = createScimHandler({ connector: memoryConnector({ withModify: true }) });
    const seen: string[] = [];
    await runReplay(
      (req) => h.handle(req),
      [
        { name: 'create', method: 'POST', url: '/Users', body: { userName: 'v' }, status: 201, capture: { u: 'id' } },
        { name: 'read', method: 'GET', url: '/Users/{{u}}', status: 200, check: (b, v) => seen.push(b.id, v.u as string) },
      ],
    );
    expect(seen[0]).toBe(seen[1]);
    expect(seen[0]).toMatch(/./);
  });
});

describe('the replay runner: captures, groups, initial variables', () => {
  /** A handle that answers every request with `body` and notes the URLs and bodies it got. */
  const echo = (body: unknown) => {
    const seen: { url: string; body?: string }[] = [];
    const handle: ReplayHandle = async (req) => {
      seen.push({ url: req.url, ...(req.body === undefined ? {} : { body: req.body }) });
      return { status: 200, body };
    };
    return { handle, seen };
  };

  it('captures by JSON Pointer (~1 is /, ~0 is ~) and by top-level key; {{name:uri}} fills URL-encoded', async () => {
    const { handle, seen } = echo({ 'a/b': { 'c~d': 'x y' }, '~1': 'tilde', Resources: [{ id: 'r/0' }], plain: 'p' });
    const vars = await runReplay(handle, [
      {
        name: 'list',
        method: 'GET',
        url: '/Users',
        status: 200,
        capture: { slash: '/a~1b/c~0d', tilde: '/~01', first: '/Resources/0/id', top: 'plain' },
      },
      { name: 'use', method: 'GET', url: '/Users/{{first:uri}}?x={{slash}}', body: { v: '{{first}}' }, status: 200 },
    ]);
    expect(vars).toEqual({ slash: 'x y', tilde: 'tilde', first: 'r/0', top: 'p' });
    expect(seen[1]).toEqual({ url: '/Users/r%2F0?x=x y', body: '{"v":"r/0"}' });
  });

  it('a pointer that names nothing fails the step after its check', async () => {
    const { handle } = echo({ Resources: [] });
    const capture = { none: '/Resources/0/id' };
    await expect(runReplay(handle, [{ name: 'list', method: 'GET', url: '/Users', status: 200, capture }])).rejects.toThrow(
      /^list: nothing at \/Resources\/0\/id to capture as none/,
    );
    const check = () => {
      throw new Error('empty list');
    };
    await expect(
      runReplay(handle, [{ name: 'list', method: 'GET', url: '/Users', status: 200, capture, check }]),
    ).rejects.toThrow(/^list: empty list$/);
  });

  it('starts from the given variables without changing them, and fills headers', async () => {
    const { handle } = echo({});
    const headers: Record<string, string>[] = [];
    const initial = { u: 'a b', tag: 'W/"1"' };
    const vars = await runReplay(
      (req) => {
        headers.push(req.headers);
        return handle(req);
      },
      [
        {
          name: 'get',
          method: 'GET',
          url: '/Users/{{u:uri}}',
          headers: { 'if-none-match': '{{tag}}' },
          status: 200,
          capture: { x: 'y' },
        },
      ],
      {},
      initial,
    );
    expect(initial).toEqual({ u: 'a b', tag: 'W/"1"' });
    expect(vars).toEqual({ u: 'a b', tag: 'W/"1"', x: 'undefined' });
    expect(headers).toEqual([{ 'if-none-match': 'W/"1"' }]);
  });

  it('a group pairs a step with an identical request’s answer, never a different one’s', async () => {
    const h = createScimHandler({ connector: memoryConnector({ withModify: true }) });
    const handle: ReplayHandle = (req) => h.handle(req);
    await runReplay(handle, [{ name: 'taken', method: 'POST', url: '/Users', body: { userName: 'taken' }, status: 201 }]);
    const group = (a: Partial<Step>, b: Partial<Step>): Step[] => [
      { name: 'A', method: 'POST', url: '/Users', body: { userName: 'taken' }, status: 201, group: 'g', ...a },
      { name: 'B', method: 'POST', url: '/Users', body: { userName: 'free' }, status: 409, group: 'g', ...b },
    ];
    await expect(runReplay(handle, group({}, {}))).rejects.toThrow(
      /^A \(in group "g" \(A; B\)\): expected 201, got 409, and no identical request of the group got 201/,
    );
    await expect(runReplay(handle, group({ status: 409 }, { body: { userName: 'fresh' }, status: 201 }))).resolves.toBeDefined();
    await expect(runReplay(handle, group({ concurrent: 2 }, {}))).rejects.toThrow(/^A: a step of a group cannot be concurrent/);
  });

  it('answers apply to grouped steps', async () => {
    const h = createScimHandler({ connector: memoryConnector({ withModify: true }) });
    const steps: Step[] = [
      { name: 'one', method: 'POST', url: '/Users', body: { userName: 'g1' }, status: 201, group: 'g', capture: { a: 'id' } },
      { name: 'two', method: 'GET', url: '/Users/none', status: 200, group: 'g' },
    ];
    await expect(runReplay((req) => h.handle(req), steps, { two: { status: 404 } })).resolves.toMatchObject({ a: 'user-1' });
  });
});
