/**
 * Groups at the sizes and edges IdPs bring: tens of thousands of members in one POST, PUT or PATCH
 * operation (one statement of that many rows: its fragment holds hundreds of thousands of pieces),
 * a member added again or removed when absent (a no-op: the version, and so the ETag, stays), and
 * a member value longer than its column (400 naming the attribute and column, never the value).
 */
import type { ScimResource } from '@scimgw/core';
import { createScimHandler, type ScimResponse } from '@scimgw/core/handler';
import type { FreshFactory, SuiteCase } from './types.js';
import { check } from './types.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

type Handler = ReturnType<typeof createScimHandler>;

const members = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ value: `${prefix}-${i}` }));

const brief = (r: ScimResponse) => `${r.status} ${(JSON.stringify(r.body) ?? '').slice(0, 300)}`;

/** The member values of a group, read back through the handler. */
async function memberValues(h: Handler, id: string): Promise<string[]> {
  const r = await h.handle({ method: 'GET', url: `/Groups/${id}` });
  check(r.status === 200, `GET /Groups/${id}: ${brief(r)}`);
  return (((r.body as ScimResource).members as { value: string }[] | undefined) ?? []).map((m) => m.value);
}

const versionOf = (r: ScimResponse) => ((r.body as ScimResource).meta as { version?: string } | undefined)?.version;

/** Cases on groups; `fresh` gives a connector on an empty database with the default layout. */
export function groupCases(fresh: FreshFactory): SuiteCase[] {
  return [
    {
      name: 'a group of 20,000 members: created by POST, replaced by PUT, 15,000 more added by one PATCH operation',
      async run() {
        const { connector, done } = await fresh();
        try {
          const h = createScimHandler({ connector });
          const first = members('a', 20_000);
          const created = await h.handle({
            method: 'POST',
            url: '/Groups',
            body: JSON.stringify({ displayName: 'Everyone', members: first }),
          });
          check(created.status === 201, `POST with 20,000 members: ${brief(created)}`);
          const id = String((created.body as ScimResource).id);
          let stored = await memberValues(h, id);
          check(stored.length === 20_000, `after POST: ${stored.length} members, want 20,000`);

          const second = [...members('a', 10_000).slice(5_000), ...members('b', 15_000)];
          const replaced = await h.handle({
            method: 'PUT',
            url: `/Groups/${id}`,
            body: JSON.stringify({ displayName: 'Everyone', members: second }),
          });
          check(replaced.status === 200, `PUT with 20,000 members: ${brief(replaced)}`);
          stored = await memberValues(h, id);
          check(
            JSON.stringify([...stored].sort()) === JSON.stringify(second.map((m) => m.value).sort()),
            `after PUT: ${stored.length} members, not the 20,000 sent`,
          );

          const added = members('c', 15_000);
          const patched = await h.handle({
            method: 'PATCH',
            url: `/Groups/${id}`,
            body: JSON.stringify({ schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: added }] }),
          });
          check(patched.status === 204 || patched.status === 200, `PATCH adding 15,000 members: ${brief(patched)}`);
          stored = await memberValues(h, id);
          check(stored.length === 35_000, `after PATCH: ${stored.length} members, want 35,000`);
          check(stored.includes('c-14999') && stored.includes('b-0'), 'the added and the kept members are there');
        } finally {
          await done();
        }
      },
    },
    {
      name: 'a member added again, or removed when it is not there, leaves the version (If-Match stays good); real changes move it',
      async run() {
        const { connector, done } = await fresh();
        try {
          const h = createScimHandler({ connector });
          const created = await h.handle({
            method: 'POST',
            url: '/Groups',
            body: JSON.stringify({ displayName: 'Team', members: [{ value: 'u-1', display: 'One' }, { value: 'u-2' }] }),
          });
          check(created.status === 201, `POST: ${brief(created)}`);
          const id = String((created.body as ScimResource).id);
          const read = async () => {
            const r = await h.handle({ method: 'GET', url: `/Groups/${id}` });
            check(r.status === 200, `GET: ${brief(r)}`);
            const version = versionOf(r);
            check(version !== undefined, 'the group has a version');
            return version as string;
          };
          const patch = async (ops: unknown[], ifMatch?: string) => {
            const r = await h.handle({
              method: 'PATCH',
              url: `/Groups/${id}`,
              headers: ifMatch ? { 'if-match': ifMatch } : {},
              body: JSON.stringify({ schemas: [PATCH], Operations: ops }),
            });
            check(r.status === 204 || r.status === 200, `PATCH ${JSON.stringify(ops)}: ${brief(r)}`);
          };
          const v1 = await read();
          const noOps: [string, unknown[]][] = [
            ['the same member added again', [{ op: 'add', path: 'members', value: [{ value: 'u-1' }] }]],
            ['two present members added again', [{ op: 'add', path: 'members', value: [{ value: 'u-2' }, { value: 'u-1' }] }]],
            [
              'a member added again with its display',
              [{ op: 'add', path: 'members', value: [{ value: 'u-1', display: 'One' }] }],
            ],
            ['an absent member removed by filter', [{ op: 'remove', path: 'members[value eq "u-404"]' }]],
            ['an absent member removed by value', [{ op: 'remove', path: 'members', value: [{ value: 'u-405' }] }]],
          ];
          for (const [what, ops] of noOps) {
            // With the version read first as If-Match (meta.version is the ETag), as a careful client sends it: never 412.
            await patch(ops, v1);
            const now = await read();
            check(now === v1, `${what}: the version moved from ${v1} to ${now}`);
          }
          await patch([{ op: 'add', path: 'members', value: [{ value: 'u-3' }] }]);
          const v2 = await read();
          check(v2 !== v1, 'adding a new member moves the version');
          await patch([{ op: 'add', path: 'members', value: [{ value: 'u-2', display: 'Two' }] }]);
          const v3 = await read();
          check(v3 !== v2, "changing a member's display moves the version");
          await patch([{ op: 'remove', path: 'members[value eq "u-1"]' }]);
          const v4 = await read();
          check(v4 !== v3, 'removing a present member moves the version');
          const left = (await memberValues(h, id)).sort();
          check(JSON.stringify(left) === JSON.stringify(['u-2', 'u-3']), `members ${JSON.stringify(left)}`);
        } finally {
          await done();
        }
      },
    },
    {
      name: 'a member value longer than its column is refused with 400 naming the attribute and the column, not the value',
      async run() {
        const { connector, done } = await fresh();
        try {
          const h = createScimHandler({ connector });
          const created = await h.handle({ method: 'POST', url: '/Groups', body: JSON.stringify({ displayName: 'Long' }) });
          check(created.status === 201, `POST: ${brief(created)}`);
          const id = String((created.body as ScimResource).id);
          const long = `secret-${'x'.repeat(400)}`;
          const attempts: [string, () => Promise<ScimResponse>][] = [
            [
              'PATCH add',
              () =>
                h.handle({
                  method: 'PATCH',
                  url: `/Groups/${id}`,
                  body: JSON.stringify({
                    schemas: [PATCH],
                    Operations: [{ op: 'add', path: 'members', value: [{ value: long }] }],
                  }),
                }),
            ],
            [
              'PUT',
              () =>
                h.handle({
                  method: 'PUT',
                  url: `/Groups/${id}`,
                  body: JSON.stringify({ displayName: 'Long', members: [{ value: 'ok' }, { value: long }] }),
                }),
            ],
            [
              'POST',
              () =>
                h.handle({
                  method: 'POST',
                  url: '/Groups',
                  body: JSON.stringify({ displayName: 'Long 2', members: [{ value: long }] }),
                }),
            ],
          ];
          for (const [what, send] of attempts) {
            const r = await send();
            const detail = String((r.body as { detail?: unknown }).detail ?? '');
            check(r.status === 400, `${what}: ${brief(r)}`);
            check(
              /members\.value/.test(detail) && /member_id/.test(detail),
              `${what}: the detail names no attribute/column: ${detail}`,
            );
            check(
              !detail.includes('secret-') && !detail.includes('xxxxxxxx'),
              `${what}: the detail carries the value: ${detail}`,
            );
          }
          check((await memberValues(h, id)).length === 0, 'a refused write left members behind');
        } finally {
          await done();
        }
      },
    },
  ];
}
