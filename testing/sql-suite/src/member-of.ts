/**
 * Membership managed through the user (`scim.groupMemberOfUser`): a user's `groups` is writable,
 * and changing it changes the groups' member rows — one row per group — and the groups' versions.
 * Runs through a real gateway (`startTestGateway`), which builds the host registry with the
 * writable `groups`.
 */
import { startTestGateway } from '@scimgw/gateway/testing';
import type { SuiteCase } from './types.js';
import { check } from './types.js';

/** Options of {@link memberOfCases}. */
export interface MemberOfOptions {
  /** Config file name (`connector-postgres`): the gateway loads the package by that name. */
  name: string;
  /** An empty database; returns the endpoint section for it and a cleanup. */
  database(): Promise<{ endpoint: Record<string, unknown>; drop(): Promise<void> }>;
}

export function memberOfCases(options: MemberOfOptions): SuiteCase[] {
  return [
    {
      name: "groups changed through a user's writable groups (scim.groupMemberOfUser)",
      async run() {
        const db = await options.database();
        const gw = await startTestGateway({
          name: options.name,
          endpoint: db.endpoint,
          scimgateway: { scim: { groupMemberOfUser: true } },
        });
        try {
          const g1 = await gw.call('POST', '/Groups', { displayName: 'Readers' });
          const g2 = await gw.call('POST', '/Groups', { displayName: 'Writers' });
          const u = await gw.call('POST', '/Users', { userName: 'member.of', groups: [{ value: g1.body.id }] });
          check(u.status === 201, `create with groups: ${u.status} ${JSON.stringify(u.body)}`);
          const read1 = await gw.call('GET', `/Groups/${g1.body.id}`);
          check(read1.body.members?.[0]?.value === u.body.id, `Readers has the user: ${JSON.stringify(read1.body.members)}`);
          const v1 = read1.headers.get('etag');
          const patched = await gw.call('PATCH', `/Users/${u.body.id}`, {
            Operations: [
              { op: 'add', path: 'groups', value: [{ value: g2.body.id }] },
              { op: 'remove', path: `groups[value eq "${g1.body.id}"]` },
            ],
          });
          check(patched.status === 200, `PATCH groups: ${patched.status} ${JSON.stringify(patched.body)}`);
          const groups = (patched.body.groups ?? []).map((x: { value: string; display?: string }) => `${x.value}:${x.display}`);
          check(JSON.stringify(groups) === JSON.stringify([`${g2.body.id}:Writers`]), `the user's groups: ${groups}`);
          const read2 = await gw.call('GET', `/Groups/${g1.body.id}`);
          check((read2.body.members ?? []).length === 0, 'Readers lost the user');
          check(read2.headers.get('etag') !== v1, 'a group whose members changed through a user gets a new version');
          const read3 = await gw.call('GET', `/Groups/${g2.body.id}`);
          check(read3.body.members?.[0]?.value === u.body.id, 'Writers has the user');
        } finally {
          await gw.stop();
          await db.drop();
        }
      },
    },
  ];
}
