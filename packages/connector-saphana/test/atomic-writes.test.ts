/**
 * User mode: a write answered with an error leaves HANA as it was. HANA commits each DDL statement
 * on its own, so a PATCH that changes a user's identity, `active` and roles is several commits;
 * each such write is run with HANA refusing every one of its statements in turn (389 invalid role
 * name, as for a role dropped since the request was checked): whenever the answer is an error, the
 * users, their identities, their state and every grant are what they were, and the same request
 * sent again succeeds.
 */
import { createScimHandler } from '@scimgw/core/handler';
import { walkRefusals } from '@scimgw/core/testkit';
import type { Logger } from '@scimgw/core';
import { describe, expect, it } from 'vitest';
import { createHanaConnector, type HanaClient } from '../src/index.js';
import { type FakeHana, fakeHana } from './helpers/fake-hana.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

interface Fault {
  armed: boolean;
  at: number;
  after: boolean;
  seen: number;
}

/** The fake behind a session that refuses the `at`-th DDL statement while armed. */
function faulty(hana: FakeHana, fault: Fault): HanaClient {
  return {
    async connect() {
      const s = await hana.connect();
      return {
        ...s,
        async exec(sql: string, params: unknown[] = []) {
          if (fault.armed && !sql.startsWith('SELECT')) {
            fault.seen++;
            if (fault.seen === fault.at || (fault.after && fault.seen > fault.at))
              throw Object.assign(new Error('invalid role name'), { code: 389 });
          }
          return s.exec(sql, params);
        },
      };
    },
  };
}

function setup() {
  const hana = fakeHana({ roles: ['SCIM_READER', 'SCIM_WRITER', 'SCIM_AUDITOR', 'CONTENT_ADMIN'] });
  const fault: Fault = { armed: false, at: 0, after: false, seen: 0 };
  const warnings: { msg: string; data?: Record<string, unknown> }[] = [];
  const log: Logger = {
    debug() {},
    info() {},
    warn: (msg: string, data?: Record<string, unknown>) => warnings.push({ msg, ...(data ? { data } : {}) }),
    error() {},
  };
  return {
    hana,
    fault,
    warnings,
    async handler() {
      const connector = await createHanaConnector({
        config: {
          connection: { host: 'hana.example.com', user: 'SCIM_ADMIN', password: 'pw' },
          users: { samlProvider: 'CORP_IDP', rolePattern: '^SCIM_' },
        },
        client: faulty(hana, fault),
        log,
      });
      const h = createScimHandler({ connector });
      return async (method: string, url: string, body?: unknown) => {
        const r = await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
        return { status: r.status, body: r.body as Record<string, unknown> };
      };
    },
  };
}

/** Users (state, identities) and grants, comparable. */
function snapshot(hana: FakeHana) {
  return {
    users: [...hana.users.entries()]
      .map(([n, u]) => `${n}:${u.deactivated}:${JSON.stringify([...u.identities.entries()].sort())}`)
      .sort(),
    grants: [...hana.grants.entries()].map(([u, rs]) => `${u}:${[...rs].sort().join(',')}`).sort(),
  };
}

type Call = Awaited<ReturnType<ReturnType<typeof setup>['handler']>>;

const SCENARIOS: { name: string; prepare: (call: Call, n: string) => Promise<{ method: string; url: string; body: unknown }> }[] =
  [
    {
      name: 'PATCH a user: identity, active, a role granted and one revoked',
      async prepare(call, n) {
        await call('POST', '/Users', { userName: `U${n}`, externalId: `u${n}.saml`, roles: [{ value: 'SCIM_READER' }] });
        return {
          method: 'PATCH',
          url: `/Users/U${n}`,
          body: {
            schemas: [PATCH],
            Operations: [
              { op: 'replace', path: 'externalId', value: `u${n}.new` },
              { op: 'replace', path: 'active', value: false },
              { op: 'replace', path: 'roles', value: [{ value: 'SCIM_WRITER' }, { value: 'SCIM_AUDITOR' }] },
            ],
          },
        };
      },
    },
    {
      name: 'PUT a user: identity, active, roles',
      async prepare(call, n) {
        await call('POST', '/Users', { userName: `R${n}`, roles: [{ value: 'SCIM_READER' }, { value: 'SCIM_AUDITOR' }] });
        return {
          method: 'PUT',
          url: `/Users/R${n}`,
          body: { userName: `R${n}`, externalId: `r${n}.new`, active: false, roles: [{ value: 'SCIM_WRITER' }] },
        };
      },
    },
    {
      name: 'POST a user: inactive, two roles',
      async prepare(_call, n) {
        return {
          method: 'POST',
          url: '/Users',
          body: { userName: `C${n}`, active: false, roles: [{ value: 'SCIM_READER' }, { value: 'SCIM_WRITER' }] },
        };
      },
    },
    {
      name: 'PATCH a role: members added and removed',
      async prepare(call, n) {
        for (const u of ['A', 'B', 'C']) await call('POST', '/Users', { userName: `${u}${n}` });
        await call('PATCH', `/Users/A${n}`, {
          schemas: [PATCH],
          Operations: [{ op: 'add', path: 'roles', value: [{ value: 'SCIM_AUDITOR' }] }],
        });
        return {
          method: 'PATCH',
          url: '/Groups/SCIM_AUDITOR',
          body: {
            schemas: [PATCH],
            Operations: [
              { op: 'add', path: 'members', value: [{ value: `B${n}` }, { value: `C${n}` }] },
              { op: 'remove', path: 'members', value: [{ value: `A${n}` }] },
            ],
          },
        };
      },
    },
  ];

describe('a write answered with an error changed nothing', () => {
  for (const [index, s] of SCENARIOS.entries()) {
    it(s.name, async () => {
      const { hana, fault, warnings, handler } = setup();
      const call = await handler();
      const summary = await walkRefusals({
        prepare: (at) => s.prepare(call, `${index}X${at}`),
        snapshot: () => snapshot(hana),
        refuse: (at) => Object.assign(fault, { armed: true, at, after: false, seen: 0 }),
        disarm: () => {
          fault.armed = false;
          return fault.seen;
        },
        send: (req) => call(req.method, req.url, req.body),
        status: 400,
      });
      expect(summary.refused).toBe(summary.calls);
      expect(summary.calls).toBeGreaterThanOrEqual(2);
      expect(warnings).toEqual([]);
    });
  }

  it('an undo HANA refuses too is logged with its statement, and the client gets the first error', async () => {
    const { fault, warnings, handler } = setup();
    const call = await handler();
    await call('POST', '/Users', { userName: 'UNDO', roles: [{ value: 'SCIM_READER' }] });
    Object.assign(fault, { armed: true, at: 2, after: true, seen: 0 });
    const res = await call('PATCH', '/Users/UNDO', {
      schemas: [PATCH],
      Operations: [
        { op: 'replace', path: 'active', value: false },
        { op: 'add', path: 'roles', value: [{ value: 'SCIM_WRITER' }] },
      ],
    });
    fault.armed = false;
    expect(res.status).toBe(400);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.data).toMatchObject({ step: 'ALTER USER "UNDO" DEACTIVATE USER NOW' });
  });
});
