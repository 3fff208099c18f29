/**
 * Paging pushed down: `startIndex`/`count` as skip/limit with `$count` totals, and RFC 9865 cursors
 * by keyset, forwards and backwards, for every kind of sort — compared with the full sorted list.
 */
import type { Connector, QueryRequest, ScimResource, SortSpec } from '@scimgw/core';
import { type FilterNode, matchesFilter, parseFilter, sortResources } from '@scimgw/core/filter';
import { createScimHandler } from '@scimgw/core/handler';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, connectorOn, startBackend } from './helpers/backend.js';
import { corpusRegistry, corpusUsers, ENT, EXT } from './helpers/corpus.js';

let backend: Backend;
let connector: Connector & { open(): Promise<void> };
let all: ScimResource[];
const registry = corpusRegistry();
const rt = registry.resourceType('User')!;
const resolve = registry.resolver(rt);

beforeAll(async () => {
  backend = await startBackend();
  connector = connectorOn(backend.url, { registry });
  await connector.open();
  const h = createScimHandler({ connector });
  for (const body of corpusUsers(47, 11)) {
    const res = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify(body) });
    expect(res.status).toBe(201);
  }
  all = (await connector.resources.User!.query!({}, {})).resources;
});
afterAll(async () => {
  await connector?.close?.();
  await backend.stop();
});

const query = (req: QueryRequest) => connector.resources.User!.query!(req, {});
const ids = (rs: ScimResource[]) => rs.map((r) => String(r.id));

const SORTS: (SortSpec | undefined)[] = [
  undefined,
  { path: { attr: 'userName' }, order: 'ascending' },
  { path: { attr: 'userName' }, order: 'descending' },
  { path: { attr: 'meta', sub: 'created' }, order: 'descending' },
  { path: { attr: 'title' }, order: 'ascending' },
  { path: { attr: 'title' }, order: 'descending' },
  { path: { attr: 'emails', sub: 'value' }, order: 'ascending' },
  { path: { attr: 'name', sub: 'familyName' }, order: 'descending' },
  { path: { uri: ENT, attr: 'manager' }, order: 'ascending' },
  { path: { uri: EXT, attr: 'level' }, order: 'descending' },
  { path: { uri: EXT, attr: 'flag' }, order: 'ascending' },
  { path: { attr: 'groups' }, order: 'ascending' },
];
const FILTERS: (string | undefined)[] = [
  undefined,
  'title pr',
  'active eq true or emails.type eq "work"',
  'groups pr or userName sw "a"',
];

function expectedOrder(filter: FilterNode | undefined, sort: SortSpec | undefined): string[] {
  let list = filter ? all.filter((r) => matchesFilter(filter, r, resolve)) : all;
  if (sort) list = sortResources(list, sort.path, sort.order, resolve);
  return ids(list);
}

describe('index paging', () => {
  it('pages with skip/limit and a $count total, for every sort', async () => {
    for (const sort of SORTS) {
      for (const text of FILTERS) {
        const filter = text === undefined ? undefined : parseFilter(text);
        const expected = expectedOrder(filter, sort);
        const got: string[] = [];
        for (let start = 1; start <= expected.length + 1; start += 7) {
          const page = await query({ filter, sort, startIndex: start, count: 7 });
          expect(page.totalResults, `${text} ${JSON.stringify(sort)}`).toBe(expected.length);
          got.push(...ids(page.resources));
        }
        expect(got, `${text} ${JSON.stringify(sort)}`).toEqual(expected);
        const totalOnly = await query({ filter, sort, count: 0 });
        expect(totalOnly).toEqual({ resources: [], totalResults: expected.length });
      }
    }
  });
});

describe('RFC 9865 cursors (keyset)', () => {
  it('walks forwards and backwards through every sort without gaps or overlaps', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SORTS),
        fc.constantFrom(...FILTERS),
        fc.integer({ min: 1, max: 12 }),
        async (sort, text, count) => {
          const filter = text === undefined ? undefined : parseFilter(text);
          const expected = expectedOrder(filter, sort);
          const forward: string[] = [];
          const cursors: string[] = [];
          let cursor = '';
          for (let guard = 0; guard < 100; guard++) {
            const page = await query({ filter, sort, cursor, count });
            expect(page.totalResults).toBe(expected.length);
            forward.push(...ids(page.resources));
            if (!page.nextCursor) break;
            cursors.push(page.nextCursor);
            cursor = page.nextCursor;
          }
          expect(forward).toEqual(expected);
          // Backwards from the last page: previousCursor until there is none.
          if (cursors.length) {
            const last = await query({ filter, sort, cursor: cursors[cursors.length - 1] as string, count });
            const backward: string[][] = [ids(last.resources)];
            let prev = last.previousCursor;
            for (let guard = 0; prev && guard < 100; guard++) {
              const page = await query({ filter, sort, cursor: prev, count });
              backward.unshift(ids(page.resources));
              prev = page.previousCursor;
            }
            expect(backward.flat()).toEqual(expected);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps its place when resources are created and deleted between pages', async () => {
    const h = createScimHandler({ connector });
    const sort: SortSpec = { path: { attr: 'userName' }, order: 'ascending' };
    const first = await query({ sort, cursor: '', count: 10 });
    const lastOfFirst = first.resources[9]!.userName as string;
    // A user sorting before the cursor position is created, one after it deleted.
    const made = await h.handle({ method: 'POST', url: '/Users', body: JSON.stringify({ userName: '0000-early' }) });
    expect(made.status).toBe(201);
    const second = await query({ sort, cursor: first.nextCursor!, count: 10 });
    expect(String(second.resources[0]!.userName).toLowerCase() > lastOfFirst.toLowerCase()).toBe(true);
    expect(ids(second.resources)).not.toContain((made.body as { id: string }).id);
    await h.handle({ method: 'DELETE', url: `/Users/${(made.body as { id: string }).id}` });
  });

  it('refuses cursors that were tampered with, or belong to another query', async () => {
    const sort: SortSpec = { path: { attr: 'userName' }, order: 'ascending' };
    const page = await query({ sort, cursor: '', count: 5 });
    const good = page.nextCursor!;
    const bad = [
      'x',
      `${good}x`,
      Buffer.from(JSON.stringify({ v: 1, h: 'nope', d: 'n', i: { s: 'a' } })).toString('base64url'),
      Buffer.from('{"$gt":""}').toString('base64url'),
      Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(good, 'base64url').toString()), k: { $gt: '' } })).toString(
        'base64url',
      ),
      Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(good, 'base64url').toString()), i: { o: { $ne: null } } })).toString(
        'base64url',
      ),
      'A'.repeat(5000),
    ];
    for (const cursor of bad) {
      await expect(query({ sort, cursor, count: 5 }), cursor.slice(0, 40)).rejects.toMatchObject({
        status: 400,
        scimType: 'invalidCursor',
      });
    }
    // The same cursor with another sort order is another query.
    await expect(query({ sort: { ...sort, order: 'descending' }, cursor: good, count: 5 })).rejects.toMatchObject({
      status: 400,
      scimType: 'invalidCursor',
    });
  });
});
