/**
 * The IdP replay bodies (Entra ID with and without the 2020 compliance flag, Okta, OneLogin, a
 * non-standard client, Broadcom IM over SCIM 1.1) through the core handler into the Graph
 * emulator, then the state Graph holds afterwards.
 *
 * Where Graph itself answers differently from a plain store, the step's expectation is replaced
 * here, each with the reason (`GRAPH_ANSWERS`).
 */
import { createScimHandler } from '@scimgw/core/handler';
import { type ReplayAnswers, replaySteps } from '@scimgw/testing-kit';
import type { GraphEmulator } from '@scimgw/testing-graph-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idpTraffic, type ReplayStep as Step } from '@scimgw/core/testkit';
import { connectorFor, type SecretApp, secretConfig, startGraph } from './helpers.js';

let graph: GraphEmulator;
let app: SecretApp;
const allLogs: unknown[] = [];

beforeAll(async () => {
  ({ graph, app } = await startGraph());
});
afterAll(async () => {
  await graph?.close();
});

/** Steps whose answer differs on Microsoft Graph, and why. */
const GRAPH_ANSWERS: ReplayAnswers = {
  // Graph requires a user's displayName: clearing it is 400 invalidValue with Graph's message.
  'null clears an attribute': {
    status: 400,
    check: (b) => {
      if (b.scimType !== 'invalidValue' || !String(b.detail).includes('displayName')) throw new Error(JSON.stringify(b));
    },
  },
  // Listed groups come without members unless `attributes` names them: each group's members are
  // one more Graph call (docs: "Groups and membership"). The members are checked in Graph below.
  'the group holds both users, found by name': {
    check: (b) => {
      if (b.totalResults !== 1 || b.Resources[0].members !== undefined) throw new Error(JSON.stringify(b));
    },
  },
  // PUT cannot clear displayName either: it keeps the value, everything else is replaced.
  'custom app: PUT for a profile change': {
    check: (b) => {
      if (b.name.familyName !== 'Murphy-Jr' || b.displayName !== 'Dade Murphy') throw new Error(JSON.stringify(b));
    },
  },
};

async function replay(steps: readonly Step[], extra: Parameters<typeof secretConfig>[2] = {}): Promise<Record<string, string>> {
  const { connector, ctx } = connectorFor(graph, secretConfig(graph, app, extra));
  allLogs.push(ctx.logs);
  try {
    return await replaySteps(connector, steps, GRAPH_ANSWERS);
  } finally {
    await connector.close?.();
  }
}

describe('IdP replays into Microsoft Graph', () => {
  it('Entra ID without the 2020 compliance flag', async () => {
    const v = await replay(idpTraffic.entraNoFlag);
    expect(graph.state.exists(v.user as string)).toBe(false);
    const second = graph.state.user('second@contoso.com');
    expect(second).toMatchObject({ id: v.user2, accountEnabled: true, onPremisesImmutableId: 'ext-2' });
    expect(graph.state.members(v.group as string)).toEqual([v.user2]);
    expect(graph.state.group(v.group as string)).toMatchObject({ displayName: 'displayName', securityEnabled: true });
  });

  it('Entra ID with aadOptscim062020', async () => {
    const v = await replay(idpTraffic.entraFlag);
    expect(graph.state.user('flag@contoso.com')).toMatchObject({
      id: v.user,
      displayName: 'Flag User',
      givenName: 'Flag',
      surname: 'User',
      employeeId: '2',
      accountEnabled: false,
    });
    expect(graph.state.members(v.group as string)).toEqual([v.m]);
  });

  it('Okta (OIN and custom apps), with the weak-password policy allowed', async () => {
    const v = await replay(idpTraffic.okta, { users: { createDefaults: { passwordPolicies: 'DisableStrongPassword' } } });
    const user = graph.state.user('dade.murphy@example.com');
    expect(user).toMatchObject({
      id: v.user,
      surname: 'Murphy-Jr',
      givenName: 'Dade',
      accountEnabled: false,
      mail: 'dade.murphy@example.com',
    });
    expect(graph.state.checkPassword(v.user as string, '1mz050nq')).toBe(true);
    expect(graph.state.group(v.group as string)).toMatchObject({ displayName: 'Test SCIMv2 renamed' });
    expect(graph.state.members(v.group as string)).toEqual([v.user]);
  });

  it('Okta: a password Graph finds too weak is 400 invalidValue with Graph’s message', async () => {
    const { connector } = connectorFor(graph, secretConfig(graph, app));
    const h = createScimHandler({ connector });
    const res = await h.handle({
      method: 'POST',
      url: '/Users',
      body: JSON.stringify({ userName: 'weak.password@example.com', password: '1mz050nq', active: true }),
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ scimType: 'invalidValue' });
    expect(String((res.body as { detail: string }).detail)).toMatch(/password complexity/);
    expect(graph.state.user('weak.password@example.com')).toBeUndefined();
    await connector.close?.();
  });

  it('OneLogin', async () => {
    const v = await replay(idpTraffic.oneLogin);
    const user = graph.state.user(v.user as string);
    expect(user).toMatchObject({ givenName: 'Uno', surname: 'Login' });
    expect(user?.department).toBeUndefined();
    expect(user?.employeeId).toBeUndefined();
    expect(graph.state.members(v.group as string)).toEqual([v.user]);
  });

  it('non-standard "op":"delete"', async () => {
    const v = await replay(idpTraffic.nonStandardDeleteOp);
    const user = graph.state.user(v.user as string);
    expect(user).toMatchObject({ userPrincipalName: 'op-delete@contoso.onmicrosoft.com' });
    expect(user?.jobTitle).toBeUndefined();
  });

  it('Broadcom Identity Manager (SCIM 1.1)', async () => {
    const v = await replay(idpTraffic.broadcomV1);
    const user = graph.state.user(v.user as string);
    expect(user).toMatchObject({
      userPrincipalName: 'im.user@contoso.onmicrosoft.com',
      mail: 'new@example.com',
      displayName: 'IM User',
      department: 'IM',
    });
    expect(user?.jobTitle).toBeUndefined();
    expect(graph.state.members(v.group as string)).toEqual([]);
  });

  it('Entra ID matching lookups', async () => {
    const v = await replay(idpTraffic.entraMatching);
    expect(graph.state.user(v.user as string)).toMatchObject({ mail: 'match.work@contoso.com' });
    expect(graph.state.group(v.group as string)).toMatchObject({ displayName: 'Sales & Marketing (EU) O\'Neil "A"' });
  });

  it('Google Workspace (application/json)', async () => {
    const v = await replay(idpTraffic.google);
    expect(graph.state.user(v.user as string)).toMatchObject({ surname: 'Userson', givenName: 'Gee', accountEnabled: false });
  });

  it('JumpCloud test connection', async () => {
    const v = await replay(idpTraffic.jumpCloud);
    expect(graph.state.exists(v.user as string)).toBe(false);
    expect(graph.state.group(v.group as string)).toBeUndefined();
  });

  it('One Identity Manager (long or filters)', async () => {
    const v = await replay(idpTraffic.oneIdentity);
    expect(graph.state.user(v.b as string)).toMatchObject({ onPremisesImmutableId: 'oi-ext-b' });
  });

  it('AWS IAM Identity Center (cursor paging)', async () => {
    await replay(idpTraffic.awsCursor);
  });

  it('SailPoint (bursts of parallel requests)', async () => {
    const v = await replay(idpTraffic.sailPointBurst);
    const all = Array.from({ length: 8 }, (_, i) => v[`m${i}`] as string);
    expect([...graph.state.members(v.group as string)].sort()).toEqual(all.slice(4).sort());
  });

  it('a client using /Bulk (bulkId references, failOnErrors)', async () => {
    await replay(idpTraffic.bulk);
    const one = graph.state.user('bulk.one@example.com');
    expect(one).toMatchObject({ jobTitle: 'Bulk' });
    const two = graph.state.user('bulk.two@example.com');
    const [groupId] = graph.state.memberOf(one?.id as string);
    expect(graph.state.group(groupId as string)).toMatchObject({ displayName: 'Bulk Group' });
    expect([...graph.state.members(groupId as string)].sort()).toEqual([one?.id, two?.id].sort());
    expect(graph.state.user('bulk.never@example.com')).toBeUndefined();
  });

  it('logged no secret', () => {
    expect(JSON.stringify(allLogs)).not.toContain(app.secret);
    expect(JSON.stringify(allLogs)).not.toContain('1mz050nq');
  });
});
