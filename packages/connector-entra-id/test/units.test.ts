/**
 * Pure parts: the Graph error table, the retry policy, the OData filter translation (with a
 * property test through the emulator's OData parser: every generated `$filter` parses and keeps
 * each value a literal), the configuration section and the mapping.
 */
import { errors } from '@scimgw/core';
import type { FilterNode } from '@scimgw/core/filter';
import { parseFilter as parseOData } from '@scimgw/testing-graph-emulator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  configSchema,
  GRAPH_ERROR_CODES,
  type GRAPH_PERMISSIONS,
  GraphError,
  retryDelayMs,
  toODataFilter,
  toScimError,
  USER_PROPERTIES,
} from '../src/index.js';
import { RetryBudget } from '../src/graph/retry.js';

describe('Graph errors → SCIM errors (one table)', () => {
  const scim = (status: number, body: unknown, op: keyof typeof GRAPH_PERMISSIONS = 'users.write') =>
    toScimError(GraphError.fromBody(status, body), { op, tenant: 'undefined' });

  it.each([
    [404, { error: { code: 'Request_ResourceNotFound', message: "Resource 'x' does not exist" } }, 404, undefined],
    [
      400,
      {
        error: {
          code: 'Request_BadRequest',
          message: 'Another object with the same value for property userPrincipalName already exists.',
          details: [{ code: 'ObjectConflict', target: 'userPrincipalName' }],
        },
      },
      409,
      'uniqueness',
    ],
    [400, { error: { code: 'Request_BadRequest', message: "Invalid value specified for property 'mail'" } }, 400, 'invalidValue'],
    [400, { error: { code: 'Request_UnsupportedQuery', message: 'Unsupported query.' } }, 400, 'invalidFilter'],
    [
      403,
      { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } },
      502,
      undefined,
    ],
    [401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired.' } }, 502, undefined],
    [429, { error: { code: 'TooManyRequests', message: 'Too many requests' } }, 503, undefined],
    [503, { error: { code: 'serviceNotAvailable', message: 'busy' } }, 503, undefined],
    [412, { error: { code: 'PreconditionFailed', message: 'etag' } }, 412, undefined],
    [418, 'not json', 400, 'invalidValue'],
    [500, undefined, 503, undefined],
  ])('%i %j → %i %s', (status, body, want, scimType) => {
    const e = scim(status, body);
    expect(e).toBeInstanceOf(errors.ScimError);
    expect(e.status).toBe(want);
    expect(e.scimType).toBe(scimType);
  });

  it('names the missing permission of the operation', () => {
    const e = scim(403, { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges' } }, 'groups.members');
    expect(e.detail).toContain('GroupMember.ReadWrite.All');
    expect(e.detail).toContain('endpoint.entity.undefined');
  });

  it('passes Graph’s message on for bad requests', () => {
    expect(scim(400, { error: { code: 'Request_BadRequest', message: 'The specified password does not comply' } }).detail).toBe(
      'Microsoft Graph: The specified password does not comply',
    );
  });

  it('every table entry is a known translation', () => {
    const known = new Set([
      'notFound',
      'uniqueness',
      'invalidValue',
      'invalidFilter',
      'permission',
      'credentials',
      'throttled',
      'unavailable',
      'precondition',
      'tooLarge',
    ]);
    for (const t of Object.values(GRAPH_ERROR_CODES)) expect(known.has(t)).toBe(true);
  });

  it.each([...Object.getOwnPropertyNames(Object.prototype), 'prototype'])(
    'a code named %j (an inherited name, not in the table) translates by status',
    (code) => {
      const e = scim(400, { error: { code, message: 'm', details: [{ code, target: 'x' }] } });
      expect(e.status).toBe(400);
      expect(e.scimType).toBe('invalidValue');
      const gone = scim(404, { error: { code, message: 'm', details: [{ code }] } });
      expect(gone.status).toBe(404);
    },
  );

  it('sends Retry-After on throttling', () => {
    const e = toScimError(GraphError.fromBody(429, {}, 17), { op: 'users.read', tenant: 't' });
    expect(e.headers['retry-after']).toBe('17');
  });
});

describe('retry policy', () => {
  const settings = { attempts: 4, baseDelayMs: 100, maxDelayMs: 10_000, deadlineMs: 30_000, jitter: 0.2 };

  it('never waits less than Retry-After, adds at most the jitter', () => {
    expect(retryDelayMs(1, 3, settings, () => 0)).toBe(3000);
    expect(retryDelayMs(1, 3, settings, () => 1)).toBe(3600);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), (s, r) => {
        const d = retryDelayMs(1, s, settings, () => r);
        return d >= s * 1000 && d <= s * 1200 + 1;
      }),
    );
  });

  it('backs off exponentially without Retry-After, capped', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, undefined, settings, () => 0))).toEqual([100, 200, 400, 800]);
    expect(retryDelayMs(20, undefined, settings, () => 0)).toBe(10_000);
  });

  it('stops at the attempt limit, at a too long Retry-After and at the deadline', () => {
    let now = 0;
    const budget = new RetryBudget(settings, () => now);
    budget.next();
    expect(budget.wait(undefined, () => 0)).toBe(100);
    expect(budget.wait(11, () => 0)).toBeUndefined(); // longer than maxDelayMs
    now = 29_950;
    expect(budget.wait(undefined, () => 0)).toBeUndefined(); // past the deadline
    now = 0;
    for (let i = 0; i < 3; i++) budget.next();
    expect(budget.wait(undefined, () => 0)).toBeUndefined(); // attempts used
  });
});

describe('SCIM filter → OData $filter', () => {
  const cmp = (attr: string, op: string, value: unknown): FilterNode =>
    ({ type: 'compare', path: { attr }, op, value }) as FilterNode;

  it.each([
    [cmp('userPrincipalName', 'eq', "a'b"), "userPrincipalName eq 'a''b'", false, true],
    [cmp('userPrincipalName', 'sw', 'ab'), "startsWith(userPrincipalName,'ab')", false, true],
    [cmp('userPrincipalName', 'ew', 'com'), "endsWith(userPrincipalName,'com')", true, true],
    [cmp('accountEnabled', 'eq', true), 'accountEnabled eq true', false, true],
    [cmp('jobTitle', 'ne', 'x'), "jobTitle ne 'x'", true, true],
    [cmp('otherMails', 'eq', 'x@y'), "otherMails/any(v:v eq 'x@y')", false, true],
    [cmp('createdDateTime', 'gt', '2024-01-01T00:00:00Z'), 'createdDateTime ge 2024-01-01T00:00:00Z', false, false],
    [{ type: 'present', path: { attr: 'mobilePhone' } } as FilterNode, 'mobilePhone ne null', true, true],
    [{ type: 'present', path: { attr: 'otherMails' } } as FilterNode, 'otherMails/$count ne 0', true, true],
    [{ type: 'not', filter: cmp('jobTitle', 'eq', 'x') } as FilterNode, "not(jobTitle eq 'x')", true, true],
    [cmp('employeeOrgData', 'eq', 'x'), "employeeOrgData eq 'x'", false, true],
  ])('%j → %s', (node, filter, advanced, exact) => {
    const r = toODataFilter(USER_PROPERTIES, node);
    expect(r.filter).toBe(filter);
    expect(r.advanced).toBe(advanced);
    expect(r.exact).toBe(exact);
    expect(() => parseOData(r.filter as string)).not.toThrow();
  });

  it('co is not Graph’s: no filter, to be narrowed locally', () => {
    expect(toODataFilter(USER_PROPERTIES, cmp('displayName', 'co', 'x'))).toMatchObject({ filter: undefined, exact: false });
  });

  it('an and keeps the parts Graph can do and marks the rest inexact', () => {
    const r = toODataFilter(USER_PROPERTIES, {
      type: 'and',
      filters: [cmp('displayName', 'co', 'x'), cmp('jobTitle', 'eq', 'y')],
    });
    expect(r).toMatchObject({ filter: "jobTitle eq 'y'", exact: false });
  });

  it('a non-GUID id matches nothing', () => {
    expect(toODataFilter(USER_PROPERTIES, cmp('id', 'eq', 'abc')).none).toBe(true);
  });

  it('property: any filter over any values translates into a $filter Graph parses, with each value intact', () => {
    const props = [
      'userPrincipalName',
      'displayName',
      'jobTitle',
      'mail',
      'otherMails',
      'accountEnabled',
      'employeeId',
      'department',
    ];
    const leaf = fc
      .record({
        attr: fc.constantFrom(...props),
        op: fc.constantFrom('eq', 'ne', 'sw', 'ew', 'co', 'gt', 'ge', 'lt', 'le'),
        value: fc.oneof(
          fc.string({ maxLength: 20 }),
          fc.string({ unit: 'grapheme', maxLength: 8 }),
          fc.constantFrom("'", "''", "') or (1 eq 1", '\\', '%27'),
          fc.boolean(),
          fc.constant(null),
        ),
      })
      .map(({ attr, op, value }) => ({ type: 'compare', path: { attr }, op, value }) as FilterNode);
    const tree: fc.Arbitrary<FilterNode> = fc.letrec<{ node: FilterNode }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.record({
          type: fc.constant('present' as const),
          path: fc.record({ attr: fc.constantFrom(...props) }),
        }) as fc.Arbitrary<FilterNode>,
        fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((filters) => ({ type: 'and', filters }) as FilterNode),
        fc.array(tie('node'), { minLength: 2, maxLength: 3 }).map((filters) => ({ type: 'or', filters }) as FilterNode),
        tie('node').map((filter) => ({ type: 'not', filter }) as FilterNode),
      ),
    })).node;
    fc.assert(
      fc.property(tree, (node) => {
        const r = toODataFilter(USER_PROPERTIES, node);
        if (r.filter === undefined) return true;
        const parsed = parseOData(r.filter);
        // Values stay literals: every literal Graph parses is one of the values given, never a
        // piece of a value turned into syntax (which would make extra literals or fail to parse).
        const literals: unknown[] = [];
        const walk = (n: unknown) => {
          if (n && typeof n === 'object') {
            if ((n as { kind?: string }).kind === 'literal') literals.push((n as { value: unknown }).value);
            for (const v of Object.values(n)) walk(v);
          }
        };
        walk(parsed);
        const given = new Set<unknown>();
        const collect = (n: FilterNode) => {
          if (n.type === 'compare') given.add(n.value);
          if (n.type === 'and' || n.type === 'or') n.filters.forEach(collect);
          if (n.type === 'not') collect(n.filter);
        };
        collect(node);
        const texts = new Set([...given].map(String));
        return literals.every((l) => texts.has(String(l)) || l === 0 || l === null);
      }),
      { numRuns: 500 },
    );
  });
});

describe('configuration section', () => {
  const auth = { type: 'oauth', options: { azureTenantId: 't', clientId: 'c', clientSecret: 's' } };

  it('fills defaults', () => {
    const r = configSchema.validate({ entity: { undefined: { connection: { auth } } } });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.entity.undefined?.cloud).toBe('global');
      expect(r.value.retry.attempts).toBe(5);
      expect(r.value.roles.attribute).toBe('roles');
      expect(r.value.licenses.attribute).toBe('entitlements');
    }
  });

  it('refuses unknown keys with a did-you-mean, a bad cloud, a missing tenant', () => {
    const r = configSchema.validate({ entity: { undefined: { connection: { auth }, clod: 'usgov' } } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.message).toMatch(/did you mean "cloud"/);
    expect(configSchema.validate({ entity: { undefined: { connection: { auth }, cloud: 'mars' } } }).ok).toBe(false);
    expect(configSchema.validate({ entity: {} }).ok).toBe(false);
    expect(configSchema.validate({ entity: { x: { connection: { auth: { type: 'basic', options: {} } } } } }).ok).toBe(false);
  });

  it('publishes a JSON Schema', () => {
    expect(configSchema.jsonSchema).toMatchObject({ type: 'object', title: 'connector-entra-id endpoint' });
  });
});
