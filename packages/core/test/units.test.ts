import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';
import { CORE_VERSION, defineConnector, SchemaRegistry, type ScimResource, URN } from '../src/index.js';
import { createScimHandler, errorBody, routeScimPath } from '../src/handler/index.js';
import { normalizeResource } from '../src/resource/normalize.js';
import { parseFilter, planFilter, sortResources } from '../src/filter/index.js';
import { satisfies } from '../src/contract/semver.js';
import { toScimError } from '../src/errors.js';
import { memoryConnector } from './fixtures/memory-connector.js';

describe('errors', () => {
  const cases: [core.errors.ScimError, number, string | undefined][] = [
    [new core.errors.InvalidFilterError('x'), 400, 'invalidFilter'],
    [new core.errors.InvalidSyntaxError('x'), 400, 'invalidSyntax'],
    [new core.errors.InvalidPathError('x'), 400, 'invalidPath'],
    [new core.errors.NoTargetError('x'), 400, 'noTarget'],
    [new core.errors.InvalidValueError('x'), 400, 'invalidValue'],
    [new core.errors.MutabilityError('x'), 400, 'mutability'],
    [new core.errors.TooManyError('x'), 400, 'tooMany'],
    [new core.errors.InvalidCursorError('x'), 400, 'invalidCursor'],
    [new core.errors.InvalidCursorError('x', true), 400, 'expiredCursor'],
    [new core.errors.UniquenessError('x'), 409, 'uniqueness'],
    [new core.errors.ConflictError('x'), 409, undefined],
    [new core.errors.NotFoundError('x'), 404, undefined],
    [new core.errors.UnauthorizedError(), 401, undefined],
    [new core.errors.ForbiddenError(), 403, undefined],
    [new core.errors.MethodNotAllowedError('x'), 405, undefined],
    [new core.errors.PreconditionFailedError(), 412, undefined],
    [new core.errors.PayloadTooLargeError('x'), 413, undefined],
    [new core.errors.NotImplementedError('x'), 501, undefined],
    [new core.errors.ServiceUnavailableError('x', 30), 503, undefined],
    [new core.errors.InternalError(), 500, undefined],
  ];
  it.each(cases)('%s has status and scimType', (err, status, scimType) => {
    expect(err.status).toBe(status);
    expect(err.scimType).toBe(scimType);
    expect(err.code).toMatch(/^ERR_SCIM/);
    expect(core.errors.isScimError(err)).toBe(true);
    const body = errorBody(err);
    expect(body.status).toBe(String(status));
    expect(errorBody(err, '1.1')).toEqual({ Errors: [{ description: err.detail, code: String(status) }] });
  });
  it('503 carries Retry-After; unknown errors become an opaque 500', () => {
    expect(new core.errors.ServiceUnavailableError('busy', 30).headers['retry-after']).toBe('30');
    const e = toScimError(new TypeError('secret internals'));
    expect(e.status).toBe(500);
    expect(e.detail).not.toMatch(/internals/);
    expect(core.errors.isScimError({ status: 400, detail: 'x', code: 'ERR_SCIM_X' })).toBe(true);
    expect(core.errors.isScimError({ status: 400, detail: 'x', code: 'OTHER' })).toBe(false);
  });
});

describe('semver and defineConnector', () => {
  it.each([
    ['0.1.0', '^0.1.0', true],
    ['0.1.5', '^0.1.0', true],
    ['0.2.0', '^0.1.0', false],
    ['1.4.0', '^1.2.0', true],
    ['2.0.0', '^1.2.0', false],
    ['0.0.3', '^0.0.3', true],
    ['0.0.4', '^0.0.3', false],
    ['1.2.9', '~1.2.0', true],
    ['1.3.0', '~1.2.0', false],
    ['1.0.0', '>=0.1.0 <2', true],
    ['2.1.0', '>=0.1.0 <2', false],
    ['1.0.0', '>= 1.0.0', true],
    ['3.0.0', '1.x || 3.x', true],
    ['1.0.0', '*', true],
    ['1.0.0', '1.0.0', true],
    ['1.0.1', '<=1.0.0', false],
    ['1.0.1', '>1.0.0', true],
    ['nonsense', '*', false],
    ['1.0.0', 'garbage', false],
  ])('%s satisfies %s → %s', (v, r, ok) => {
    expect(satisfies(v, r)).toBe(ok);
  });
  it('rejects malformed or incompatible connectors at startup', () => {
    expect(() => defineConnector({ name: '', coreVersion: '^1.0.0', resources: {} })).toThrow(/name/);
    expect(() => defineConnector({ name: 'x', coreVersion: '^9.0.0', resources: {} })).toThrow(
      new RegExp(CORE_VERSION.replace(/\./g, '\\.')),
    );
    expect(() => defineConnector({ name: 'x', coreVersion: '^1.0.0', resources: { User: { get: 5 as never } } })).toThrow(
      /not a function/,
    );
    expect(() => defineConnector(null as never)).toThrow(TypeError);
    expect(() => defineConnector({ name: 'x', coreVersion: '^1.0.0', resources: null as never })).toThrow(/no resources/);
    const c = defineConnector({ name: 'x', coreVersion: '^1.0.0', resources: {} });
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => defineConnector({ name: 'x', coreVersion: '^1.0.0', resources: {}, passThroughAuth: 'yes' as never })).toThrow(
      /x\.passThroughAuth must be true, false or a function of the tenant/,
    );
  });
  it('tells where a connector checks passed-through credentials, per tenant', () => {
    const base = { name: 'x', coreVersion: '^1.0.0', resources: {} } as const;
    const { checksPassThrough } = core;
    expect(checksPassThrough(defineConnector(base), undefined)).toBe(false);
    expect(checksPassThrough(defineConnector({ ...base, passThroughAuth: false }), 'a')).toBe(false);
    const all = defineConnector({ ...base, passThroughAuth: true });
    expect([undefined, 'a', 'b'].map((t) => checksPassThrough(all, t))).toEqual([true, true, true]);
    const some = defineConnector({ ...base, passThroughAuth: (t: string | undefined) => t === 'hr' });
    expect([undefined, 'hr', 'sales'].map((t) => checksPassThrough(some, t))).toEqual([false, true, false]);
    // Only `true` counts, and a declaration that throws checks nothing.
    expect(checksPassThrough({ passThroughAuth: (() => 'yes') as never }, 'a')).toBe(false);
    const broken = () => {
      throw new Error('boom');
    };
    expect(checksPassThrough({ passThroughAuth: broken }, 'a')).toBe(false);
  });
});

describe('filter push-down planning', () => {
  const caps = { operators: ['eq' as const], attributes: ['userName', 'emails.value', `${URN.EnterpriseUser}:employeeNumber`] };
  it('pushes a supported term whole', () => {
    expect(planFilter(parseFilter('userName eq "a"'), caps).kind).toBe('native');
    expect(planFilter(parseFilter('emails.value eq "a"'), caps).kind).toBe('native');
    expect(planFilter(parseFilter(`${URN.EnterpriseUser}:employeeNumber eq "1"`), caps).kind).toBe('native');
    expect(planFilter(undefined, caps)).toEqual({ kind: 'native', pushed: undefined });
  });
  it('splits and / or / everything else', () => {
    const and = planFilter(parseFilter('title co "x" and userName eq "a"'), caps);
    expect(and.kind === 'residual' && and.pushed).toEqual(parseFilter('userName eq "a"'));
    const or = planFilter(parseFilter('userName eq "a" or userName eq "b"'), caps);
    expect(or.kind === 'union' && or.branches.length).toBe(2);
    expect(planFilter(parseFilter('userName co "a"'), caps).kind).toBe('residual');
    expect(planFilter(parseFilter('not (userName eq "a")'), caps)).toMatchObject({ kind: 'residual', pushed: undefined });
    expect(planFilter(parseFilter('title pr'), { operators: ['pr'], attributes: '*' }).kind).toBe('native');
    expect(planFilter(parseFilter('a eq 1 and b eq 2'), { operators: ['eq'], attributes: '*', logical: ['and'] }).kind).toBe(
      'native',
    );
    expect(planFilter(parseFilter('not (a eq 1)'), { operators: ['eq'], attributes: '*', logical: ['not'] }).kind).toBe('native');
    expect(planFilter(parseFilter('emails[type eq "w"]'), { operators: ['eq'], attributes: '*', valuePath: true }).kind).toBe(
      'native',
    );
    expect(
      planFilter(parseFilter('emails[type eq "w" and value pr]'), {
        operators: ['eq', 'pr'],
        attributes: '*',
        valuePath: true,
        logical: ['and'],
      }).kind,
    ).toBe('native');
    expect(planFilter(parseFilter('emails[type eq "w"]'), { operators: ['eq'], attributes: '*' }).kind).toBe('residual');
    expect(planFilter(parseFilter('userName eq "a"'), undefined).kind).toBe('residual');
  });
});

describe('sorting', () => {
  const registry = new SchemaRegistry();
  const rt = registry.resourceType('User')!;
  const rs: ScimResource[] = [
    {
      userName: 'b',
      meta: { lastModified: '2020-01-02T00:00:00Z' },
      emails: [{ value: 'z@x', primary: true }, { value: 'a@x' }],
    },
    { userName: 'A', meta: { lastModified: '2019-01-01T00:00:00Z' }, emails: [{ value: 'm@x' }] },
    { userName: 'c' },
    { userName: 'a2', [URN.EnterpriseUser]: { employeeNumber: '10' } },
  ];
  it('is case-insensitive for caseExact=false strings, missing values last', () => {
    expect(sortResources(rs, { attr: 'userName' }, 'ascending', registry.resolver(rt)).map((r) => r.userName)).toEqual([
      'A',
      'a2',
      'b',
      'c',
    ]);
    expect(
      sortResources(rs, { attr: 'meta', sub: 'lastModified' }, 'descending', registry.resolver(rt)).map((r) => r.userName),
    ).toEqual(['b', 'A', 'c', 'a2']);
  });
  it('sorts multi-valued attributes by the primary value', () => {
    expect(
      sortResources(rs, { attr: 'emails' }, 'ascending', registry.resolver(rt))
        .map((r) => r.userName)
        .slice(0, 2),
    ).toEqual(['A', 'b']);
    expect(
      sortResources(rs, { attr: 'emails', sub: 'value' }, 'ascending', registry.resolver(rt))
        .map((r) => r.userName)
        .slice(0, 2),
    ).toEqual(['A', 'b']);
    expect(
      sortResources(rs, { uri: URN.EnterpriseUser, attr: 'employeeNumber' }, 'ascending', registry.resolver(rt))[0]?.userName,
    ).toBe('a2');
  });
});

describe('resource normalization', () => {
  const registry = new SchemaRegistry();
  const rt = registry.resourceType('User')!;
  it('canonical casing, dialect rules, dotted keys, nested core URN, unknown attributes left out', () => {
    const unknown: string[] = [];
    const quirks: string[] = [];
    const r = normalizeResource(
      registry,
      rt,
      {
        SCHEMAS: [URN.User],
        USERNAME: 'x',
        active: 'True',
        'name.givenName': 'G',
        [URN.User]: { title: 'T' },
        [`${URN.EnterpriseUser}`]: { Manager: 'm1', nope: 1 },
        emails: [{ value: 'e@x', Type: 'work' }],
        custom: { a: 1 },
        id: 'ignored',
        meta: { created: 'x' },
        groups: [{ value: 'g' }],
        nickName: null,
      },
      { onUnknownAttribute: (p) => unknown.push(p), onQuirk: (q) => quirks.push(q) },
    );
    expect(r).toEqual({
      schemas: [URN.User, URN.EnterpriseUser],
      userName: 'x',
      active: true,
      name: { givenName: 'G' },
      title: 'T',
      [URN.EnterpriseUser]: { manager: { value: 'm1' } },
      emails: [{ value: 'e@x', type: 'work' }],
    });
    expect(unknown).toEqual([`${URN.EnterpriseUser}:nope`, 'custom']);
    expect(quirks).toEqual(['stringBoolean', 'bareComplexValue']);
  });
  it('refuses unknown attributes by default', () => {
    expect(() => normalizeResource(registry, rt, { userName: 'a', bogusCore: 1 })).toThrow(
      expect.objectContaining({ scimType: 'invalidValue', detail: expect.stringContaining('bogusCore') }),
    );
  });
  it('rejects bad shapes with invalidValue / invalidSyntax', () => {
    expect(() => normalizeResource(registry, rt, 'x')).toThrow(expect.objectContaining({ scimType: 'invalidSyntax' }));
    expect(() => normalizeResource(registry, rt, { userName: 'a', schemas: 'x' })).toThrow(
      expect.objectContaining({ scimType: 'invalidValue' }),
    );
    expect(() => normalizeResource(registry, rt, { userName: 'a', [URN.EnterpriseUser]: 'x' })).toThrow(
      expect.objectContaining({ scimType: 'invalidValue' }),
    );
    expect(() => normalizeResource(registry, rt, { userName: 'a', active: 'perhaps' })).toThrow(
      expect.objectContaining({ scimType: 'invalidValue' }),
    );
    expect(() => normalizeResource(registry, rt, { userName: '' })).toThrow(/userName/);
  });
});

describe('handler with a connector that pages, sorts and modifies natively', () => {
  it('pushes paging and sorting down when the connector declares them', async () => {
    const seen: core.QueryRequest[] = [];
    const connector = defineConnector({
      name: 'pager',
      coreVersion: '^1.0.0',
      resources: {
        User: {
          capabilities: { filter: { operators: ['eq'], attributes: '*' }, sort: true, paging: { index: true, cursor: true } },
          async query(q) {
            seen.push(q);
            if (q.cursor !== undefined) return { resources: [{ id: '1', userName: 'a' }], totalResults: 3, nextCursor: 'next-1' };
            return { resources: [{ id: '2', userName: 'b' }], totalResults: 3 };
          },
          async modify(id, changes) {
            return { id, userName: 'a', title: String((changes[0] as { value: unknown }).value) };
          },
          async get(id) {
            return { id, userName: 'a' };
          },
        },
      },
    });
    const h = createScimHandler({ connector });
    const r = await h.handle({ method: 'GET', url: '/Users?startIndex=2&count=1&sortBy=userName' });
    expect(r.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect(seen[0]).toMatchObject({ startIndex: 2, count: 1, sort: { path: { attr: 'userName' }, order: 'ascending' } });
    const c = await h.handle({ method: 'GET', url: '/Users?cursor=&count=1' });
    expect(c.body).toMatchObject({ nextCursor: 'next-1', totalResults: 3 });
    // PUT through modify (no replace): the core diffs the current resource
    const put = await h.handle({ method: 'PUT', url: '/Users/1', body: JSON.stringify({ userName: 'a', title: 'T' }) });
    expect(put.status).toBe(200);
    expect((put.body as { title: string }).title).toBe('T');
    const del = await h.handle({ method: 'DELETE', url: '/Users/1' });
    expect(del.status).toBe(501);
  });

  it('answers 405 for unsupported methods and wrong shapes', async () => {
    const h = createScimHandler({ connector: memoryConnector() });
    for (const [m, u] of [
      ['POST', '/Users/x'],
      ['PUT', '/Users'],
      ['PATCH', '/Users'],
      ['DELETE', '/Users'],
      ['TRACE', '/Users'],
      ['GET', '/.search'],
      ['GET', '/Users/.search'],
      ['POST', '/ServiceProviderConfig'],
      ['POST', '/ResourceTypes'],
    ] as const) {
      expect((await h.handle({ method: m, url: u, body: '{}' })).status, `${m} ${u}`).toBe(405);
    }
    expect((await h.handle({ method: 'POST', url: '/Bulk', body: '{}' })).status).toBe(501);
    expect((await h.handle({ method: 'GET', url: '/Users?startIndex=abc' })).status).toBe(400);
    expect((await h.handle({ method: 'GET', url: '/Users?sortOrder=sideways' })).status).toBe(400);
  });
});

describe('routing', () => {
  it.each([
    ['/Users', { endpoint: 'Users', prefix: '' }],
    ['/Users/abc%20d', { endpoint: 'Users', id: 'abc d' }],
    ['/t1/scim/v2/Groups/g', { tenant: 't1', version: '2.0', endpoint: 'Groups', id: 'g' }],
    ['/v1/ServiceProviderConfigs', { version: '1.1', endpoint: 'ServiceProviderConfig', plural: true }],
    ['/Users/.search', { endpoint: 'Users', search: true }],
    ['/scim/.search', { endpoint: '.search' }],
  ])('%s', (path, expected) => {
    expect(routeScimPath(path)).toMatchObject(expected);
  });
  it.each(['/a/b/Users', '/nothing', '/Users/a/b', '/Users/%E0%A4%A'])('%s is not a SCIM path', (p) => {
    expect(routeScimPath(p)).toBeUndefined();
  });
  it.each(['/constructor', '/__proto__', '/toString/x', '/hasOwnProperty', '/t/valueOf'])(
    '%s is not a SCIM path (no endpoint found on Object.prototype)',
    (p) => {
      expect(routeScimPath(p)).toBeUndefined();
    },
  );
  it('a tenant named like an Object.prototype member still routes', () => {
    expect(routeScimPath('/constructor/Users/x')).toMatchObject({ tenant: 'constructor', endpoint: 'Users', id: 'x' });
  });
});

describe('CORE_VERSION', () => {
  it('is the package version (injected at build), so changesets keep it true', async () => {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(CORE_VERSION).toBe(pkg.version);
  });
});
