/**
 * Real IdP request bodies (Entra ID with and without the 2020 flag, Okta, OneLogin, the non-standard
 * "delete" op, Broadcom IM in SCIM 1.1) through the core's handler into connector-generic, in front
 * of a real second scimgw gateway (SCIM 2.0) and of a SCIM 1.1 service, each replay against an empty
 * target. Afterwards the target's own state is read directly, not through the front
 * (`TARGET_FACTS`): a step answered right by the front proves little if the target holds otherwise.
 */
import type { Connector } from '@scimgw/core';
import { IDP_REPLAYS, idpReplayCases, type ReplayStep, replaySteps } from '@scimgw/testing-kit';
import { describe, expect, it } from 'vitest';
import { createGenericConnector } from '../src/index.js';
import { entityFor, startGateway } from './helpers.js';
import { type Rec, TARGET_FACTS, type TargetState } from './idp-target-facts.js';
import { startScim11Server } from './scim11-server.js';

/** Replays `steps` through `connector` (closed afterwards), then checks the facts the replay left at the target. */
async function replayInto(steps: readonly ReplayStep[], connector: Connector, target: TargetState): Promise<void> {
  const name = IDP_REPLAYS.find(([, s]) => s === steps)?.[0] ?? '';
  let vars: Record<string, string>;
  try {
    vars = await replaySteps(connector, steps);
  } finally {
    await connector.close?.();
  }
  const facts = TARGET_FACTS[name];
  if (!facts) throw new Error(`No TARGET_FACTS for the replay "${name}": add what it must leave at the target`);
  await facts(target, vars);
}

describe('IdP replays through connector-generic → a second scimgw gateway (SCIM 2.0)', () => {
  for (const c of idpReplayCases(async (steps) => {
    const target = await startGateway('connector-loki', { persistence: false, exampleData: false });
    const read = async (path: string) => {
      const res = await target.call('GET', path);
      if (res.status === 404) return undefined;
      expect(res.status).toBe(200);
      return res.body as Rec;
    };
    try {
      await replayInto(steps, createGenericConnector({ config: { entity: entityFor(target.base) } }), {
        user: (id) => read(`/Users/${id}`),
        group: (id) => read(`/Groups/${id}`),
        users: async () => (await read('/Users?count=1000'))?.Resources ?? [],
        enterprise: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      });
    } finally {
      await target.stop();
    }
  }))
    it(c.name, c.run);
});

describe('IdP replays through connector-generic → a SCIM 1.1 service', () => {
  for (const c of idpReplayCases(async (steps) => {
    const target = await startScim11Server();
    try {
      await replayInto(steps, createGenericConnector({ config: { entity: entityFor(target.base, { scimVersion: '1.1' }) } }), {
        user: async (id) => target.users.get(id ?? ''),
        group: async (id) => target.groups.get(id ?? ''),
        users: async () => [...target.users.values()],
        enterprise: 'urn:scim:schemas:extension:enterprise:1.0',
      });
    } finally {
      await target.close();
    }
  }))
    it(c.name, c.run);
});

describe('the replays', () => {
  it('each has facts to check at the target', () => {
    expect(IDP_REPLAYS.map(([name]) => name).filter((name) => !TARGET_FACTS[name])).toEqual([]);
  });
});
