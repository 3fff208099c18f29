/**
 * Connector contract test kit — one behavioural suite any connector can run,
 * independent of the test framework. Each case drives the connector through
 * the real core handler, the way an IdP would.
 *
 * @example
 * import { connectorContractCases } from '@scimgw/core/testkit';
 * for (const c of connectorContractCases({ connector: () => createMyConnector() })) it(c.name, c.run);
 */
import type { Logger } from '../contract/logger.js';
import type { Connector, ConnectorFactoryContext } from '../contract/types.js';
import { createScimHandler, type ScimHandler } from '../handler/handler.js';
import type { ScimResponse } from '../handler/types.js';
import { SchemaRegistry } from '../schema/registry.js';

export { type IdpReplayOptions, IDP_REPLAYS, idpReplayCases, idpTraffic, REPLAY_BULK } from './idp/replays.js';
export { fillVars as fillReplayVars, type ReplayAnswers, type ReplayHandle, runReplay } from './idp/runner.js';
export type { ReplayStep } from './idp/step.js';
export { type RecordingCasesOptions, recordingCases } from './recording/cases.js';
export { replayFromRecording } from './recording/to-steps.js';
export type { RecordedExchange, RecordingHeader, RecordingReplay, RecordingReplayOptions } from './recording/types.js';
export { type RefusalWalk, type RefusalWalkSummary, walkRefusals } from './refusals.js';
export { resourceProblems, resourceTypeProblems, schemaResourceProblems, serviceProviderConfigProblems } from './rfc7643.js';

/** One line a {@link testContext} logger recorded. */
export interface LoggedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  data?: Record<string, unknown> | undefined;
}

/**
 * A factory context for tests, as a host would build it: the given `endpoint` configuration, the
 * built-in schemas, no tenants, and a logger that records every line in `logs` (assert that no
 * secret was logged: `JSON.stringify(ctx.logs)` must not contain it).
 *
 * @example
 * const connector = await createConnector(testContext({ persistence: false }));
 */
export function testContext<Config>(
  config: Config,
  overrides: Partial<Omit<ConnectorFactoryContext<Config>, 'config'>> = {},
): ConnectorFactoryContext<Config> & { logs: LoggedLine[] } {
  const logs: LoggedLine[] = [];
  const line = (level: LoggedLine['level']) => (msg: string, data?: Record<string, unknown>) => {
    logs.push({ level, msg, ...(data === undefined ? {} : { data }) });
  };
  const log: Logger = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
  return { config, baseDir: '.', certsDir: 'certs', tenants: [], registry: new SchemaRegistry(), log, ...overrides, logs };
}

/** Options of {@link connectorContractCases}. */
export interface ContractOptions {
  /** Returns the connector under test (called once per case). */
  connector: () => Connector | Promise<Connector>;
  /** Called after each case with the connector it used. */
  release?: (connector: Connector) => void | Promise<void>;
  /** Skip the Group cases (connectors without groups). */
  groups?: boolean;
  /** Extra attributes every created user needs (e.g. a required surname in LDAP). */
  userExtras?: (userName: string) => Record<string, unknown>;
  /** Prefix for generated names, so runs against persistent backends never collide. */
  prefix?: string;
}

/** One runnable case: `run` throws an Error describing the first broken expectation. */
export interface ContractCase {
  name: string;
  run: () => Promise<void>;
}

class ContractFailure extends Error {
  override name = 'ContractFailure';
}

function expect(cond: unknown, msg: string, res?: ScimResponse): asserts cond {
  if (!cond) throw new ContractFailure(res ? `${msg} (got ${res.status}: ${JSON.stringify(res.body)})` : msg);
}

type Body = Record<string, unknown> & { Resources?: Record<string, unknown>[]; totalResults?: number; id?: string };

/** Builds the contract cases. */
export function connectorContractCases(opts: ContractOptions): ContractCase[] {
  const prefix = opts.prefix ?? `ct${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  let n = 0;
  const uniq = (s: string) => `${prefix}-${s}-${++n}`;

  const withHandler = (fn: (h: ScimHandler, call: Call) => Promise<void>) => async () => {
    const connector = await opts.connector();
    const h = createScimHandler({ connector });
    const call: Call = async (method, url, body) => {
      const res = await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { ...res, body: res.body as Body };
    };
    try {
      await fn(h, call);
    } finally {
      await opts.release?.(connector);
    }
  };

  const newUser = async (call: Call, extra: Record<string, unknown> = {}) => {
    const userName = uniq('user');
    const res = await call('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName,
      name: { givenName: 'Given', familyName: 'Family' },
      displayName: `Display ${userName}`,
      active: true,
      ...(opts.userExtras?.(userName) ?? {}),
      ...extra,
    });
    expect(res.status === 201, `create user ${userName} should answer 201`, res);
    expect(typeof res.body.id === 'string' && res.body.id !== '', 'created user must carry an id', res);
    return { id: res.body.id as string, userName };
  };

  const enc = encodeURIComponent;
  const cases: ContractCase[] = [
    {
      name: 'creates a user and reads it back by id',
      run: withHandler(async (_h, call) => {
        const u = await newUser(call);
        const got = await call('GET', `/Users/${enc(u.id)}`);
        expect(got.status === 200, 'GET by id should answer 200', got);
        expect(String(got.body.userName).toLowerCase() === u.userName.toLowerCase(), 'userName must round-trip', got);
        expect(got.body.password === undefined, 'password must never be returned', got);
        await call('DELETE', `/Users/${enc(u.id)}`);
      }),
    },
    {
      name: 'rejects a duplicate userName with 409 uniqueness',
      run: withHandler(async (_h, call) => {
        const u = await newUser(call);
        const dup = await call('POST', '/Users', {
          userName: u.userName,
          name: { givenName: 'X', familyName: 'Y' },
          ...(opts.userExtras?.(u.userName) ?? {}),
        });
        expect(dup.status === 409 && dup.body.scimType === 'uniqueness', 'duplicate userName should be 409 uniqueness', dup);
        await call('DELETE', `/Users/${enc(u.id)}`);
      }),
    },
    {
      name: 'finds a user by userName eq, and answers an empty list for no match',
      run: withHandler(async (_h, call) => {
        const u = await newUser(call);
        const hit = await call('GET', `/Users?filter=${enc(`userName eq "${u.userName}"`)}`);
        expect(hit.status === 200 && hit.body.totalResults === 1, 'userName eq should find exactly one', hit);
        expect(hit.body.Resources?.[0]?.id === u.id, 'filter result should be the created user', hit);
        const miss = await call('GET', `/Users?filter=${enc(`userName eq "${uniq('absent')}"`)}`);
        expect(miss.status === 200 && miss.body.totalResults === 0, 'no match must be 200 with totalResults 0', miss);
        expect(Array.isArray(miss.body.Resources) && miss.body.Resources.length === 0, 'no match must list no Resources', miss);
        await call('DELETE', `/Users/${enc(u.id)}`);
      }),
    },
    {
      name: 'pages with startIndex/count without overlap',
      run: withHandler(async (_h, call) => {
        const made = [await newUser(call), await newUser(call), await newUser(call)];
        const filter = enc(made.map((m) => `userName eq "${m.userName}"`).join(' or '));
        const seen: string[] = [];
        for (let start = 1; start <= 3; start++) {
          const page = await call('GET', `/Users?filter=${filter}&startIndex=${start}&count=1&sortBy=userName`);
          expect(page.status === 200 && page.body.totalResults === 3, 'paged query should report totalResults 3', page);
          expect(page.body.Resources?.length === 1, 'count=1 should return one resource', page);
          expect(
            page.body.startIndex === start && page.body.itemsPerPage === 1,
            'paging fields must be integers echoing the request',
            page,
          );
          seen.push(String(page.body.Resources?.[0]?.id));
        }
        expect(new Set(seen).size === 3, `pages must not overlap: ${seen.join(',')}`);
        for (const m of made) await call('DELETE', `/Users/${enc(m.id)}`);
      }),
    },
    {
      name: 'PATCH replaces one attribute and deactivates with a path-less replace',
      run: withHandler(async (_h, call) => {
        const u = await newUser(call);
        const r1 = await call('PATCH', `/Users/${enc(u.id)}`, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'displayName', value: 'Changed Name' }],
        });
        expect(
          r1.status === 200 && r1.body.displayName === 'Changed Name',
          'PATCH replace should answer 200 with the change',
          r1,
        );
        const r2 = await call('PATCH', `/Users/${enc(u.id)}`, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', value: { active: false } }],
        });
        expect(r2.status === 200, 'path-less replace should succeed', r2);
        const got = await call('GET', `/Users/${enc(u.id)}`);
        expect(got.body.active === false && got.body.displayName === 'Changed Name', 'changes must persist', got);
        await call('DELETE', `/Users/${enc(u.id)}`);
      }),
    },
    {
      name: 'PUT replaces the resource and clears omitted attributes',
      run: withHandler(async (_h, call) => {
        const u = await newUser(call, { title: 'Engineer' });
        const put = await call('PUT', `/Users/${enc(u.id)}`, {
          userName: u.userName,
          name: { givenName: 'New', familyName: 'Family' },
          ...(opts.userExtras?.(u.userName) ?? {}),
        });
        expect(put.status === 200, 'PUT should answer 200', put);
        const got = await call('GET', `/Users/${enc(u.id)}`);
        expect(got.body.title === undefined, 'PUT must clear attributes the body omits', got);
        expect((got.body.name as Record<string, unknown> | undefined)?.givenName === 'New', 'PUT must store new values', got);
        await call('DELETE', `/Users/${enc(u.id)}`);
      }),
    },
    {
      name: 'deletes a user; it is then 404, and deleting again is 404',
      run: withHandler(async (_h, call) => {
        const u = await newUser(call);
        const del = await call('DELETE', `/Users/${enc(u.id)}`);
        expect(del.status === 204, 'DELETE should answer 204', del);
        const got = await call('GET', `/Users/${enc(u.id)}`);
        expect(got.status === 404, 'deleted user must be 404', got);
        const again = await call('DELETE', `/Users/${enc(u.id)}`);
        expect(again.status === 404, 'deleting a missing user must be 404', again);
      }),
    },
  ];

  if (opts.groups !== false) {
    cases.push(
      {
        name: 'group membership: add is idempotent, remove touches only the named member',
        run: withHandler(async (_h, call) => {
          const a = await newUser(call);
          const b = await newUser(call);
          const g = await call('POST', '/Groups', { displayName: uniq('group'), members: [{ value: a.id }] });
          expect(g.status === 201 && typeof g.body.id === 'string', 'create group should answer 201 with an id', g);
          const gid = enc(String(g.body.id));
          const patch = (ops: unknown[]) =>
            call('PATCH', `/Groups/${gid}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops });
          const add = await patch([{ op: 'add', path: 'members', value: [{ value: b.id }, { value: a.id }] }]);
          expect(add.status === 204, 'group PATCH answers 204', add);
          let got = await call('GET', `/Groups/${gid}`);
          const ids = () => ((got.body.members as { value: string }[] | undefined) ?? []).map((m) => m.value).sort();
          expect(JSON.stringify(ids()) === JSON.stringify([a.id, b.id].sort()), `both members expected, got ${ids()}`, got);
          const rmAbsent = await patch([{ op: 'remove', path: `members[value eq "${uniq('nobody')}"]` }]);
          expect(rmAbsent.status === 204, 'removing an absent member succeeds', rmAbsent);
          const rm = await patch([{ op: 'Remove', path: 'members', value: [{ value: a.id }] }]);
          expect(rm.status === 204, 'Entra-style member removal answers 204', rm);
          got = await call('GET', `/Groups/${gid}`);
          expect(JSON.stringify(ids()) === JSON.stringify([b.id]), `only b should remain, got ${ids()}`, got);
          const byMember = await call('GET', `/Groups?filter=${enc(`members.value eq "${b.id}"`)}&excludedAttributes=members`);
          expect(
            byMember.body.Resources?.some((r) => r.id === g.body.id),
            'members.value eq finds the group',
            byMember,
          );
          expect(
            byMember.body.Resources?.every((r) => r.members === undefined),
            'excludedAttributes=members drops members',
            byMember,
          );
          await call('DELETE', `/Groups/${gid}`);
          for (const u of [a, b]) await call('DELETE', `/Users/${enc(u.id)}`);
        }),
      },
      {
        name: 'group member list writes (PUT, replace, an irregular filter) change exactly the members they name',
        run: withHandler(async (_h, call) => {
          const [a, b, c] = [await newUser(call), await newUser(call), await newUser(call)];
          const displayName = uniq('group');
          const g = await call('POST', '/Groups', { displayName, members: [{ value: a.id }, { value: b.id }] });
          expect(g.status === 201 && typeof g.body.id === 'string', 'create group should answer 201 with an id', g);
          const gid = enc(String(g.body.id));
          const members = async () => {
            const got = await call('GET', `/Groups/${gid}`);
            expect(got.status === 200, 'group read should answer 200', got);
            return ((got.body.members as { value: string }[] | undefined) ?? []).map((m) => m.value).sort();
          };
          const same = (got: string[], want: string[], what: string) =>
            expect(JSON.stringify(got) === JSON.stringify([...want].sort()), `${what}: expected ${want}, got ${got}`);
          const patch = (ops: unknown[]) =>
            call('PATCH', `/Groups/${gid}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops });
          // A filter other than a plain `value eq`: the connector must apply it to the members it has.
          const irregular = await patch([{ op: 'remove', path: `members[value eq "${b.id}" and value pr]` }]);
          expect(irregular.status === 204, 'an irregular member filter answers 204', irregular);
          same(await members(), [a.id], 'after removing b by an irregular filter');
          const replace = await patch([{ op: 'replace', path: 'members', value: [{ value: b.id }, { value: c.id }] }]);
          expect(replace.status === 204, 'a members replace answers 204', replace);
          same(await members(), [b.id, c.id], 'after replacing the members with b and c');
          const put = await call('PUT', `/Groups/${gid}`, {
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
            displayName,
            members: [{ value: a.id }, { value: c.id }],
          });
          expect(put.status === 200, 'a group PUT answers 200', put);
          same(await members(), [a.id, c.id], 'after a PUT with a and c');
          const none = await patch([{ op: 'replace', path: 'members', value: [] }]);
          expect(none.status === 204, 'replacing the members with none answers 204', none);
          same(await members(), [], 'after replacing the members with none');
          await call('DELETE', `/Groups/${gid}`);
          for (const u of [a, b, c]) await call('DELETE', `/Users/${enc(u.id)}`);
        }),
      },
      {
        name: 'a deleted user leaves its groups: no group lists it or is found by it',
        run: withHandler(async (_h, call) => {
          const [a, b] = [await newUser(call), await newUser(call)];
          const g = await call('POST', '/Groups', { displayName: uniq('group'), members: [{ value: a.id }, { value: b.id }] });
          expect(g.status === 201 && typeof g.body.id === 'string', 'create group should answer 201 with an id', g);
          const gid = enc(String(g.body.id));
          const del = await call('DELETE', `/Users/${enc(a.id)}`);
          expect(del.status === 204, 'deleting a member answers 204', del);
          const got = await call('GET', `/Groups/${gid}`);
          const ids = ((got.body.members as { value: string }[] | undefined) ?? []).map((m) => m.value);
          expect(
            JSON.stringify(ids) === JSON.stringify([b.id]),
            `a deleted user must not be listed as a member (RFC 7644 §3.6: it is gone from every answer); got ${ids}`,
            got,
          );
          const byMember = await call('GET', `/Groups?filter=${enc(`members.value eq "${a.id}"`)}&excludedAttributes=members`);
          expect(byMember.status === 200, 'members.value eq a deleted user answers 200', byMember);
          expect(
            !byMember.body.Resources?.some((r) => r.id === g.body.id),
            'members.value eq a deleted user finds no group',
            byMember,
          );
          await call('DELETE', `/Groups/${gid}`);
          await call('DELETE', `/Users/${enc(b.id)}`);
        }),
      },
      {
        name: 'finds a group by displayName and 404s an unknown group',
        run: withHandler(async (_h, call) => {
          const name = uniq('grp');
          const g = await call('POST', '/Groups', { displayName: name });
          expect(g.status === 201, 'create empty group should answer 201', g);
          const hit = await call('GET', `/Groups?filter=${enc(`displayName eq "${name}"`)}`);
          expect(hit.body.totalResults === 1, 'displayName eq should find the group', hit);
          const miss = await call('GET', `/Groups/${enc(uniq('nogroup'))}`);
          expect(miss.status === 404, 'unknown group must be 404', miss);
          await call('DELETE', `/Groups/${enc(String(g.body.id))}`);
        }),
      },
    );
  }
  return cases;
}

type Call = (method: string, url: string, body?: unknown) => Promise<ScimResponse & { body: Body }>;
