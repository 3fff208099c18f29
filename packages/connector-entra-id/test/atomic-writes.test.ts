/**
 * A user write answered with an error leaves the tenant as it was (RFC 7644 §3.5.2: a PATCH is
 * applied whole or not at all), against the Graph emulator. Every client write that takes several
 * Graph calls (properties, manager, directory roles, PIM eligibility, password) is walked with
 * Graph refusing each of its writing calls in turn (403 Authorization_RequestDenied, as Graph
 * answers an app without the permission): whenever the answer is an error, the user's properties,
 * manager, password, role assignments and eligibilities are what they were, no user was left
 * behind, and the same request sent again succeeds.
 */
import { randomUUID } from 'node:crypto';
import { createScimHandler, type ScimHandler } from '@scimgw/core/handler';
import { type GraphEmulator, ROLE_TEMPLATES } from '@scimgw/testing-graph-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntraIdConnector } from '../src/index.js';
import { emulatorFetch, type SecretApp, secretConfig, startGraph } from './helpers.js';
import { testContext, walkRefusals } from '@scimgw/core/testkit';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Refuses the `at`-th writing Graph call while armed (counted in `seen`). */
interface Fault {
  armed: boolean;
  at: number;
  /** Refuse every write after `at` too (Graph gone). */
  after?: boolean;
  seen: number;
  refused: string[];
}

let graph: GraphEmulator;
let app: SecretApp;
let h: ScimHandler;
let logs: { level: string; msg: string; data?: Record<string, unknown> }[];
const fault: Fault = { armed: false, at: 0, seen: 0, refused: [] };

/** A write to Graph: any call but a GET, and a `$batch` holding anything but GETs. */
function isWrite(url: string, method: string, body: string | undefined): boolean {
  if (!/graph\.microsoft\.com/.test(url) || method === 'GET') return false;
  if (/\/\$batch$/.test(new URL(url).pathname) && body)
    return (JSON.parse(body) as { requests: { method: string }[] }).requests.some((r) => r.method !== 'GET');
  return true;
}

beforeAll(async () => {
  ({ graph, app } = await startGraph());
  const config = secretConfig(graph, app);
  const ctx = testContext(config);
  logs = ctx.logs as unknown as typeof logs;
  const through = emulatorFetch(graph);
  const faulty = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    const method = init.method ?? 'GET';
    if (fault.armed && isWrite(url, method, init.body == null ? undefined : String(init.body))) {
      fault.seen++;
      if (fault.seen === fault.at || (fault.after && fault.seen > fault.at)) {
        fault.refused.push(`${method} ${new URL(url).pathname}`);
        const error = {
          error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' },
        };
        return new Response(JSON.stringify(error), { status: 403, headers: { 'content-type': 'application/json' } });
      }
    }
    return through(input, init);
  }) as typeof fetch;
  const connector = createEntraIdConnector({ config, logger: ctx.log, registry: ctx.registry, fetch: faulty });
  h = createScimHandler({ connector });
});
afterAll(async () => {
  await graph?.close();
});

async function call(method: string, url: string, body?: unknown) {
  return (await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })) as {
    status: number;
    body: Record<string, unknown>;
  };
}

/**
 * A user's stored properties as Graph shows them: a property never set and one set to null or to
 * an empty collection read the same (null, `[]`), so an undo that writes back what a GET showed
 * may store either.
 */
function asGraphShowsIt(user: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (!user) return null;
  return Object.fromEntries(
    Object.entries(user).filter(([k, v]) => k === 'managerId' || !(v === null || (Array.isArray(v) && v.length === 0))),
  );
}

/** What a failed write must not have changed. */
function snapshot(ids: string[]) {
  return {
    users: graph.state.userCount,
    each: ids.map((id) => asGraphShowsIt(graph.state.user(id))),
    roles: graph.state
      .roleAssignments()
      .map((a) => `${a.principalId}:${a.roleDefinitionId}`)
      .sort(),
    eligible: graph.state
      .eligibilitySchedules()
      .map((s) => `${s.principalId}:${s.roleDefinitionId}`)
      .sort(),
  };
}

const OLD_PASSWORD = 'Old-passw0rd!x';
const NEW_PASSWORD = 'N3w-passw0rd!x';

interface Scenario {
  name: string;
  prepare: (n: string) => Promise<{ method: string; url: string; body: unknown; ids: string[]; password?: string }>;
}

const seedUser = (n: string, extra: Record<string, unknown> = {}) =>
  graph.state.addUser({
    userPrincipalName: `${n}@contoso.onmicrosoft.com`,
    displayName: 'Before',
    jobTitle: 'Before',
    password: OLD_PASSWORD,
    ...extra,
  });

const SCENARIOS: Scenario[] = [
  {
    name: 'PATCH: properties, manager, a role granted (one again) and one revoked, an eligibility, password',
    async prepare(n) {
      const boss = seedUser(`boss-${n}`);
      const oldBoss = seedUser(`oldboss-${n}`);
      const id = seedUser(`p-${n}`, { managerId: oldBoss });
      const granted = await call('PATCH', `/Users/${id}`, {
        schemas: [PATCH],
        Operations: [
          {
            op: 'add',
            path: 'roles',
            value: [
              { value: ROLE_TEMPLATES.helpdeskAdministrator, type: 'Permanent' },
              { value: ROLE_TEMPLATES.groupsAdministrator, type: 'Permanent' },
            ],
          },
        ],
      });
      expect(granted.status, JSON.stringify(granted.body)).toBeLessThan(300);
      return {
        method: 'PATCH',
        url: `/Users/${id}`,
        ids: [id, boss, oldBoss],
        password: id,
        body: {
          schemas: [PATCH],
          Operations: [
            { op: 'replace', path: 'displayName', value: 'After' },
            { op: 'replace', path: 'title', value: 'After' },
            { op: 'add', path: `${ENTERPRISE}:manager`, value: boss },
            // groupsAdministrator again (adds are idempotent): an undo must not revoke it.
            {
              op: 'add',
              path: 'roles',
              value: [
                { value: ROLE_TEMPLATES.userAdministrator, type: 'Permanent' },
                { value: ROLE_TEMPLATES.groupsAdministrator, type: 'Permanent' },
              ],
            },
            { op: 'add', path: 'roles', value: [{ value: ROLE_TEMPLATES.globalReader, type: 'Eligible' }] },
            { op: 'remove', path: 'roles', value: [{ value: ROLE_TEMPLATES.helpdeskAdministrator, type: 'Permanent' }] },
            { op: 'replace', path: 'password', value: NEW_PASSWORD },
          ],
        },
      };
    },
  },
  {
    name: 'PUT: properties, manager removed, roles, password',
    async prepare(n) {
      const oldBoss = seedUser(`rboss-${n}`);
      const id = seedUser(`r-${n}`, { managerId: oldBoss });
      return {
        method: 'PUT',
        url: `/Users/${id}`,
        ids: [id, oldBoss],
        password: id,
        body: {
          userName: `r-${n}@contoso.onmicrosoft.com`,
          displayName: 'After',
          title: 'After',
          password: NEW_PASSWORD,
          roles: [{ value: ROLE_TEMPLATES.userAdministrator, type: 'Permanent' }],
        },
      };
    },
  },
  {
    name: 'POST: the user, its manager, a role and an eligibility',
    async prepare(n) {
      const boss = seedUser(`cboss-${n}`);
      return {
        method: 'POST',
        url: '/Users',
        ids: [boss],
        body: {
          userName: `c-${n}@contoso.onmicrosoft.com`,
          displayName: 'New',
          password: NEW_PASSWORD,
          [ENTERPRISE]: { manager: { value: boss } },
          roles: [
            { value: ROLE_TEMPLATES.userAdministrator, type: 'Permanent' },
            { value: ROLE_TEMPLATES.globalReader, type: 'Eligible' },
          ],
        },
      };
    },
  },
];

describe('a user write answered with an error changed nothing', () => {
  for (const [index, s] of SCENARIOS.entries()) {
    it(s.name, async () => {
      const summary = await walkRefusals({
        prepare: (at) => s.prepare(`${index}-${at}-${randomUUID().slice(0, 6)}`),
        snapshot: (req) => ({
          ...snapshot(req.ids),
          password: req.password ? graph.state.checkPassword(req.password, OLD_PASSWORD) : null,
        }),
        refuse: (at) => Object.assign(fault, { armed: true, at, after: false, seen: 0 }),
        disarm: () => {
          fault.armed = false;
          return fault.seen;
        },
        send: (req) => call(req.method, req.url, req.body),
        status: 502,
      });
      expect(summary.refused).toBe(summary.calls);
      expect(summary.calls).toBeGreaterThanOrEqual(3);
      expect(logs.filter((l) => /could not be undone/.test(l.msg))).toEqual([]);
    });
  }

  it('an undo Graph refuses too is logged by step, and the client gets the first error', async () => {
    const boss = seedUser(`u-boss-${randomUUID().slice(0, 6)}`);
    const id = seedUser(`u-${randomUUID().slice(0, 6)}`);
    const seen = logs.length;
    // The properties go through, the manager is refused, and so is the undo of the properties.
    Object.assign(fault, { armed: true, at: 2, after: true, seen: 0 });
    const res = await call('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'replace', path: 'displayName', value: 'After' },
        { op: 'add', path: `${ENTERPRISE}:manager`, value: boss },
      ],
    });
    fault.armed = false;
    expect(res.status).toBe(502);
    const warned = logs.slice(seen).filter((l) => /could not be undone/.test(l.msg));
    expect(warned).toHaveLength(1);
    expect(warned[0]?.data).toMatchObject({ user: id, step: 'properties' });
    expect(String(warned[0]?.data?.cause)).toMatch(/refused/);
  });

  it('what each common write costs in Graph calls (undo reads only where a later call could fail)', async () => {
    const boss = seedUser(`cost-boss-${randomUUID().slice(0, 6)}`);
    const boss2 = seedUser(`cost-boss2-${randomUUID().slice(0, 6)}`);
    const id = seedUser(`cost-${randomUUID().slice(0, 6)}`, { managerId: boss });
    const calls = async (method: string, url: string, body: unknown) => {
      graph.calls.reset();
      const res = await call(method, url, body);
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      // The write's own calls: up to its last write (then the core reads the user back to answer).
      const routes = graph.calls.list().map((c) => String(c.route));
      const last = routes.findLastIndex((r) => !r.startsWith('GET') && r !== 'POST /$batch');
      return routes.slice(0, last + 1);
    };
    const patch = (...Operations: unknown[]) => ({ schemas: [PATCH], Operations });
    // Properties alone: one call, as before.
    expect(await calls('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'title', value: 'x' }))).toEqual([
      'PATCH /users/{id}',
    ]);
    // The manager alone: checked, then set.
    expect(await calls('PATCH', `/Users/${id}`, patch({ op: 'add', path: `${ENTERPRISE}:manager`, value: boss2 }))).toEqual([
      'GET /users/{id}',
      'PUT /users/{id}/manager/$ref',
    ]);
    // Both: checked, then one read of the old values (properties and manager, for the undo).
    expect(
      await calls(
        'PATCH',
        `/Users/${id}`,
        patch({ op: 'replace', path: 'title', value: 'y' }, { op: 'add', path: `${ENTERPRISE}:manager`, value: boss }),
      ),
    ).toEqual(['GET /users/{id}', 'GET /users/{id}', 'PATCH /users/{id}', 'PUT /users/{id}/manager/$ref']);
    // A PUT that keeps the manager: the manager read, the properties written, the user read back.
    const put = await calls('PUT', `/Users/${id}`, {
      userName: graph.state.user(id)?.userPrincipalName,
      displayName: 'Kept',
      title: 'z',
      [ENTERPRISE]: { manager: { value: boss } },
    });
    expect(put).toEqual(['GET /users/{id}/manager', 'PATCH /users/{id}']);
  });

  it('an unknown manager is 400 before anything is written, on POST, PATCH and PUT', async () => {
    const id = seedUser(`m-${randomUUID().slice(0, 6)}`);
    const nobody = randomUUID();
    const before = snapshot([id]);
    Object.assign(fault, { armed: true, at: 1_000, after: false, seen: 0 });
    const created = await call('POST', '/Users', {
      userName: `m-new-${nobody.slice(0, 6)}@contoso.onmicrosoft.com`,
      [ENTERPRISE]: { manager: { value: nobody } },
    });
    const patched = await call('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'replace', path: 'displayName', value: 'After' },
        { op: 'add', path: `${ENTERPRISE}:manager`, value: nobody },
      ],
    });
    const put = await call('PUT', `/Users/${id}`, {
      userName: 'x@contoso.onmicrosoft.com',
      displayName: 'After',
      [ENTERPRISE]: { manager: { value: nobody } },
    });
    fault.armed = false;
    for (const r of [created, patched, put]) {
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ scimType: 'invalidValue', detail: `manager: no user has the id "${nobody}"` });
    }
    expect(fault.seen).toBe(0);
    expect(snapshot([id])).toEqual(before);
  });
});
