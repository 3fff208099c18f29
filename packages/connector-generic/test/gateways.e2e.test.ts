/**
 * Two gateways on loopback: A is scimgw with the Loki store; B and C are scimgw
 * with connector-generic (loaded by package name) pointing at A. Clients drive
 * B and C over HTTP.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entityFor, startGateway, startRecordingProxy, type TestGateway } from './helpers.js';
import { startScim11Server } from './scim11-server.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const TARGET_SECRET = 'Target-Only-S3cret!';
const enc = encodeURIComponent;

let a: TestGateway;
let b: TestGateway;
let c: TestGateway;
let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;

beforeAll(async () => {
  a = await startGateway(
    'connector-loki',
    { persistence: false, exampleData: false },
    {
      scimgateway: {
        auth: {
          basic: [
            { username: 'gwadmin', password: 'password' },
            { username: 'generic-c', password: TARGET_SECRET },
          ],
        },
      },
    },
  );
  proxy = await startRecordingProxy(() => a.base);
  // B: the shipped example file, pointed at A through the recording proxy.
  const example = JSON.parse(readFileSync(new URL('../examples/connector-generic.json', import.meta.url), 'utf8'));
  example.endpoint.entity.undefined.connection.baseUrls = [proxy.base];
  b = await startGateway('connector-generic', example.endpoint, { scimgateway: { scim: example.scimgateway.scim } });
  // C: renames, one-to-many, an allowlist and agent hints.
  c = await startGateway('connector-generic', {
    entity: {
      undefined: {
        connection: {
          baseUrls: [a.base],
          auth: { type: 'basic', options: { username: 'generic-c', password: TARGET_SECRET } },
          retry: { attempts: 1 },
        },
      },
    },
    map: {
      user: {
        'x-agent-schema': { instructions: 'Provision employees only' },
        id: { mapTo: 'id' },
        userName: { mapTo: 'userName,externalId' },
        'name.givenName': { mapTo: 'name.givenName' },
        'name.familyName': { mapTo: 'name.familyName' },
        title: { mapTo: `${ENT}:department`, 'x-agent-schema': { examples: ['Engineering', 'Sales'] } },
        userType: { mapTo: 'userType', valueMap: { Employee: 'Staff', Contractor: 'External' } },
        active: { mapTo: 'active', type: 'boolean' },
      },
      group: {
        id: { mapTo: 'id' },
        displayName: {
          mapTo: 'displayName',
          valueMap: { Employees: 'Admins', 'grp-out-1': 'grp-in-1' },
          'x-agent-schema': { hint: 'only these two groups exist' },
        },
        members: { mapTo: 'members', type: 'complexArray' },
      },
    },
  });
});

afterAll(async () => {
  await c?.stop();
  await b?.stop();
  await proxy?.close();
  await a?.stop();
});

describe('gateway B (one-to-one example config) in front of gateway A', () => {
  it('loads connector-generic by package name', () => {
    expect(b.gw.connector.name).toBe('connector-generic');
  });

  it('sees what A holds, and writes through to A', async () => {
    const inA = await a.call('POST', '/Users', {
      userName: 'alice',
      name: { givenName: 'Alice', familyName: 'A' },
      title: 'Dev',
    });
    expect(inA.status).toBe(201);
    const found = await b.call('GET', `/Users?filter=${enc('userName eq "alice"')}`);
    expect(found.status).toBe(200);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0]).toMatchObject({ id: inA.body.id, userName: 'alice', title: 'Dev' });
    // The filter went to A in A's terms, paged there.
    expect(proxy.requests.some((r) => r.method === 'GET' && r.url.includes(`filter=${enc('userName eq "alice"')}`))).toBe(true);

    const made = await b.call('POST', '/Users', {
      userName: 'bob',
      active: true,
      emails: [{ type: 'work', value: 'bob@example.com', primary: true }],
      [ENT]: { employeeNumber: '42', department: 'Ops' },
    });
    expect(made.status).toBe(201);
    const direct = await a.call('GET', `/Users/${made.body.id}`);
    expect(direct.body).toMatchObject({
      userName: 'bob',
      emails: [{ value: 'bob@example.com' }],
      [ENT]: { employeeNumber: '42' },
    });

    const patched = await b.call('PATCH', `/Users/${made.body.id}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'robert@example.com' },
        { op: 'replace', path: 'active', value: 'False' },
      ],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ active: false, emails: [{ type: 'work', value: 'robert@example.com' }] });
    expect((await a.call('GET', `/Users/${made.body.id}`)).body.active).toBe(false);

    const put = await b.call('PUT', `/Users/${made.body.id}`, { userName: 'bob', name: { familyName: 'Builder' } });
    expect(put.status).toBe(200);
    const afterPut = (await a.call('GET', `/Users/${made.body.id}`)).body;
    expect(afterPut.name).toEqual({ familyName: 'Builder' });
    expect(afterPut.emails).toBeUndefined();

    expect((await b.call('DELETE', `/Users/${made.body.id}`)).status).toBe(204);
    expect((await a.call('GET', `/Users/${made.body.id}`)).status).toBe(404);
    expect((await b.call('DELETE', `/Users/${made.body.id}`)).status).toBe(404);

    // A content type goes with a body only: a GET or DELETE declares none.
    const kinds = new Set(proxy.requests.map((r) => `${r.method} ${r.body === undefined ? '' : 'with body'}`));
    expect([...kinds].sort()).toEqual(['DELETE ', 'GET ', 'PATCH with body', 'POST with body', 'PUT with body']);
    for (const r of proxy.requests) expect(r.contentType).toBe(r.body === undefined ? undefined : 'application/scim+json');
  });

  it("gives members' and groups' $ref of its own, never the target's", async () => {
    const u = await a.call('POST', '/Users', { userName: 'ref.user' });
    const g = await a.call('POST', '/Groups', { displayName: 'Ref group', members: [{ value: u.body.id }] });
    const inA = (await a.call('GET', `/Users/${u.body.id}`)).body;
    expect(inA.groups[0].$ref).toContain(a.base);
    for (let i = 0; i < 2; i++) {
      // Twice: the second read is answered from what the connector kept.
      const user = (await b.call('GET', `/Users/${u.body.id}`)).body;
      expect(user.groups.map((x: { $ref: string }) => x.$ref)).toEqual([`${b.base}/Groups/${g.body.id}`]);
      const group = (await b.call('GET', `/Groups/${g.body.id}`)).body;
      expect(group.members.map((x: { value: string }) => x.value)).toEqual([u.body.id]);
      expect(JSON.stringify(group)).not.toContain(a.base);
      const page = (await b.call('GET', `/Users?filter=${enc('userName eq "ref.user"')}`)).body;
      expect(JSON.stringify(page)).not.toContain(a.base);
      expect(JSON.stringify(page)).not.toContain(proxy.base);
    }
  });

  it('adds a member with one PATCH to A and never reads the group', async () => {
    const u = await a.call('POST', '/Users', { userName: 'member-1' });
    const g = await a.call('POST', '/Groups', { displayName: 'Big group', members: [{ value: u.body.id }] });
    const u2 = await a.call('POST', '/Users', { userName: 'member-2' });
    const before = proxy.requests.length;
    const res = await b.call('PATCH', `/Groups/${g.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'members', value: [{ value: u2.body.id }] }],
    });
    expect(res.status).toBe(204);
    const sent = proxy.requests.slice(before);
    expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual([`PATCH /Groups/${g.body.id}`]);
    expect(sent[0]?.body.Operations).toEqual([{ op: 'add', path: 'members', value: [{ value: u2.body.id }] }]);
    const members = (await a.call('GET', `/Groups/${g.body.id}`)).body.members.map((m: { value: string }) => m.value).sort();
    expect(members).toEqual([u.body.id, u2.body.id].sort());

    const rm = await b.call('PATCH', `/Groups/${g.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'remove', path: `members[value eq "${u.body.id}"]` }],
    });
    expect(rm.status).toBe(204);
    expect(proxy.requests.at(-1)?.body.Operations).toEqual([{ op: 'remove', path: `members[value eq "${u.body.id}"]` }]);
  });

  it('answers 409 uniqueness and 404 the way A does', async () => {
    await b.call('POST', '/Users', { userName: 'dupe' });
    const dup = await b.call('POST', '/Users', { userName: 'dupe' });
    expect(dup.status).toBe(409);
    expect(dup.body.scimType).toBe('uniqueness');
    expect((await b.call('GET', '/Users/does-not-exist')).status).toBe(404);
  });

  it('serves /Schemas generated from the mapping', async () => {
    const res = await b.call('GET', `/Schemas/${enc('urn:ietf:params:scim:schemas:core:2.0:User')}`);
    expect(res.status).toBe(200);
    const names = res.body.attributes.map((x: { name: string }) => x.name);
    expect(names).toContain('emails');
    expect(names).not.toContain('ims');
    expect(names).not.toContain('x509Certificates');
  });
});

describe('projections reach the target', () => {
  let groupId = '';
  beforeAll(async () => {
    // A group whose member list is worth not sending: 300 members.
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) ids.push((await a.call('POST', '/Users', { userName: `proj-${i}` })).body.id);
    const g = await a.call('POST', '/Groups', { displayName: 'Projected group', members: ids.map((value) => ({ value })) });
    groupId = g.body.id;
  });

  const lastTo = (path: string) => [...proxy.requests].reverse().find((r) => r.method === 'GET' && r.url.startsWith(path));

  it('GET /Groups/{id}?excludedAttributes=members does not fetch the members', async () => {
    const full = await b.call('GET', `/Groups/${groupId}`);
    expect(full.body.members).toHaveLength(300);
    const fullBytes = lastTo(`/Groups/${groupId}`)?.responseBytes ?? 0;
    const res = await b.call('GET', `/Groups/${groupId}?excludedAttributes=members`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: groupId, displayName: 'Projected group' });
    expect(res.body.members).toBeUndefined();
    const sent = lastTo(`/Groups/${groupId}`);
    expect(new URL(sent?.url ?? '', 'http://x').searchParams.get('excludedAttributes')).toBe('members');
    // The target's answer carried no members: a small fraction of the full group's bytes.
    expect(sent?.responseBytes ?? Number.POSITIVE_INFINITY).toBeLessThan(fullBytes / 20);
  });

  it('GET /Groups?filter=…&excludedAttributes=members (Entra ID) does not fetch them either', async () => {
    const res = await b.call('GET', `/Groups?filter=${enc('displayName eq "Projected group"')}&excludedAttributes=members`);
    expect([res.status, res.body.totalResults]).toEqual([200, 1]);
    expect(res.body.Resources[0].members).toBeUndefined();
    const sent = new URL(lastTo('/Groups?')?.url ?? '', 'http://x').searchParams;
    expect(sent.get('excludedAttributes')).toBe('members');
    expect(sent.get('filter')).toBe('displayName eq "Projected group"');
  });

  it('attributes=userName asks the target for that (and what the connector needs)', async () => {
    const res = await b.call('GET', `/Users?filter=${enc('userName eq "proj-7"')}&attributes=userName`);
    expect(res.status).toBe(200);
    expect(res.body.Resources).toEqual(
      [{ id: expect.any(String), userName: 'proj-7', schemas: expect.any(Array) }].map(({ schemas: _s, ...r }) =>
        expect.objectContaining(r),
      ),
    );
    const asked = (new URL(lastTo('/Users?')?.url ?? '', 'http://x').searchParams.get('attributes') ?? '').split(',');
    expect(asked).toEqual(expect.arrayContaining(['id', 'userName']));
    expect(asked).not.toContain('emails');
  });
});

describe('SCIM 1.1 clients of a 2.0 target (the gateway in 1.1 mode)', () => {
  let e: TestGateway;
  beforeAll(async () => {
    e = await startGateway('connector-generic', { entity: entityFor(a.base) }, { scimgateway: { scim: { version: '1.1' } } });
  });
  afterAll(async () => {
    await e?.stop();
  });

  it('looks up (404, as 1.1 clients expect), creates and finds a user, all in 1.1 form', async () => {
    // A answers the empty lookup 200 with an empty list (2.0); a 1.1 client gets the 1.1 convention.
    const lookup = await e.call('GET', `/Users?filter=${enc('userName eq "v11.client"')}`);
    expect(lookup.status).toBe(404);
    expect(lookup.body).toEqual({ Errors: [{ description: expect.any(String), code: '404' }] });
    const created = await e.call('POST', '/Users', {
      schemas: ['urn:scim:schemas:core:1.0', 'urn:scim:schemas:extension:enterprise:1.0'],
      userName: 'v11.client',
      'urn:scim:schemas:extension:enterprise:1.0': { employeeNumber: '11' },
    });
    expect(created.status).toBe(201);
    expect(created.body.schemas).toEqual(['urn:scim:schemas:core:1.0', 'urn:scim:schemas:extension:enterprise:1.0']);
    expect((await a.call('GET', `/Users/${created.body.id}`)).body[ENT]).toEqual({ employeeNumber: '11' });
    const found = await e.call('GET', `/Users?filter=${enc('userName eq "v11.client"')}`);
    expect(found.body.Resources.map((u: { id: string }) => u.id)).toEqual([created.body.id]);
  });

  it("the target's 2.0 errors reach the 1.1 client as 1.1 errors", async () => {
    const dup = await e.call('POST', '/Users', { schemas: ['urn:scim:schemas:core:1.0'], userName: 'v11.client' });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ Errors: [{ description: expect.stringContaining('v11.client'), code: '409' }] });
    const missing = await e.call('GET', '/Users/no-such-user');
    expect(missing.status).toBe(404);
    expect(missing.body.Errors[0].code).toBe('404');
  });
});

describe('gateway C (renames, one-to-many, allowlist) in front of gateway A', () => {
  it('renames attributes both ways and fills one-to-many targets', async () => {
    const made = await c.call('POST', '/Users', {
      userName: 'carol',
      name: { givenName: 'Carol' },
      userType: 'Staff',
      [ENT]: { department: 'Engineering' },
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      userName: 'carol',
      externalId: 'carol',
      userType: 'Staff',
      [ENT]: { department: 'Engineering' },
    });
    const inA = (await a.call('GET', `/Users/${made.body.id}`)).body;
    expect(inA).toMatchObject({ userName: 'carol', title: 'Engineering', userType: 'Employee' });
    // externalId is the SCIM-side copy of userName (one-to-many); A stores only its own attribute.
    expect(inA.externalId).toBeUndefined();
    expect(inA[ENT]).toBeUndefined();

    const p = await c.call('PATCH', `/Users/${made.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: `${ENT}:department`, value: 'Sales' }],
    });
    expect(p.status).toBe(200);
    expect((await a.call('GET', `/Users/${made.body.id}`)).body.title).toBe('Sales');
    const byDept = await c.call('GET', `/Users?filter=${enc(`${ENT}:department eq "Sales"`)}`);
    expect(byDept.body.Resources.map((r: { id: string }) => r.id)).toEqual([made.body.id]);

    const bad = await c.call('POST', '/Users', { userName: 'dave', userType: 'Intern' });
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidValue');
  });

  it('shows only allowlisted groups, under their SCIM names', async () => {
    const emp = await a.call('POST', '/Groups', { displayName: 'Employees' });
    const secret = await a.call('POST', '/Groups', { displayName: 'Secret' });
    const list = await c.call('GET', '/Groups?count=100');
    const names = list.body.Resources.map((g: { displayName: string }) => g.displayName);
    expect(names).toContain('Admins');
    expect(names).not.toContain('Secret');
    expect(names).not.toContain('Big group');
    expect(list.body.totalResults).toBe(list.body.Resources.length);

    const byName = await c.call('GET', `/Groups?filter=${enc('displayName eq "admins"')}`);
    expect(byName.body.Resources.map((g: { id: string }) => g.id)).toEqual([emp.body.id]);
    expect((await c.call('GET', `/Groups?filter=${enc('displayName eq "Secret"')}`)).body.totalResults).toBe(0);

    expect((await c.call('GET', `/Groups/${secret.body.id}`)).status).toBe(404);
    const patchHidden = await c.call('PATCH', `/Groups/${secret.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'members', value: [{ value: 'x' }] }],
    });
    expect(patchHidden.status).toBe(404);
    expect((await c.call('DELETE', `/Groups/${secret.body.id}`)).status).toBe(404);
    expect((await a.call('GET', `/Groups/${secret.body.id}`)).status).toBe(200);

    const notAllowed = await c.call('POST', '/Groups', { displayName: 'Other' });
    expect(notAllowed.status).toBe(400);
    const created = await c.call('POST', '/Groups', { displayName: 'grp-in-1' });
    expect(created.status).toBe(201);
    expect((await a.call('GET', `/Groups/${created.body.id}`)).body.displayName).toBe('grp-out-1');
  });

  it('serves generated schemas with allowed values and agent hints', async () => {
    const g = (await c.call('GET', `/Schemas/${enc('urn:ietf:params:scim:schemas:core:2.0:Group')}`)).body;
    const dn = g.attributes.find((x: { name: string }) => x.name === 'displayName');
    expect(dn.canonicalValues).toEqual(['Admins', 'grp-in-1']);
    expect(dn['x-agent-schema']).toEqual({ hint: 'only these two groups exist' });
    // Schema-level hints are served with the schema.
    const u = (await c.call('GET', `/Schemas/${enc('urn:ietf:params:scim:schemas:core:2.0:User')}`)).body;
    expect(u).toMatchObject({ 'x-agent-schema': { instructions: 'Provision employees only' } });
    const ext = (await c.call('GET', `/Schemas/${enc(ENT)}`)).body;
    expect(ext.attributes.map((x: { name: string }) => x.name)).toEqual(['department']);
    expect(ext.attributes[0]['x-agent-schema']).toEqual({ examples: ['Engineering', 'Sales'] });
  });

  it('never writes the target credentials to its logs', () => {
    expect(c.logs().length).toBeGreaterThan(0);
    expect(c.logs()).not.toContain(TARGET_SECRET);
    expect(c.logs()).not.toContain(Buffer.from(`generic-c:${TARGET_SECRET}`).toString('base64'));
  });
});

describe('tenants: each baseEntity has its own target and SCIM version', () => {
  it("routes /<baseEntity>/Users to that tenant's target in its version", async () => {
    const legacy = await startScim11Server();
    const d = await startGateway('connector-generic', {
      entity: { ...entityFor(a.base), ...{ legacy: entityFor(legacy.base, { scimVersion: '1.1' }).undefined } },
    });
    try {
      const inLegacy = await d.call('POST', '/legacy/Users', { userName: 'old-timer' });
      expect(inLegacy.status).toBe(201);
      expect(legacy.requests.at(-1)?.body.schemas).toEqual(['urn:scim:schemas:core:1.0']);
      expect(inLegacy.body.meta.location).toContain('/legacy/Users/');
      const inA = await d.call('POST', '/Users', { userName: 'new-timer' });
      expect(inA.status).toBe(201);
      expect((await a.call('GET', `/Users/${inA.body.id}`)).body.userName).toBe('new-timer');
      expect((await d.call('GET', `/legacy/Users/${inA.body.id}`)).status).toBe(404);
      expect((await d.call('GET', '/unknown/Users')).status).toBe(404);
    } finally {
      await d.stop();
      await legacy.close();
    }
  });
});

describe("a generic front with pass-through: the target judges the caller's own credentials", () => {
  it("serves a caller the target knows, answers the target's refusal with 401, and counts it toward the limit", async () => {
    const front = await startGateway(
      'connector-generic',
      { entity: { undefined: { connection: { baseUrls: [a.base], auth: { type: 'passThrough' }, retry: { attempts: 1 } } } } },
      {
        scimgateway: {
          auth: { basic: [{ username: 'front-admin', password: 'front-only' }], passThrough: { enabled: true } },
          rateLimit: { maxFailures: 2, windowSeconds: 60 },
        },
      },
    );
    try {
      const caller = `Basic ${Buffer.from(`generic-c:${TARGET_SECRET}`).toString('base64')}`;
      expect((await front.call('GET', '/Users', undefined, { authorization: caller })).status).toBe(200);
      const wrong = await front.call('GET', '/Users', undefined, {
        authorization: `Basic ${Buffer.from('generic-c:wrong').toString('base64')}`,
      });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toMatch(/realm=/);
      // The front's own routes serve only the front's own users.
      expect((await front.call('GET', '/logger', undefined, { authorization: caller, accept: 'text/event-stream' })).status).toBe(
        401,
      );
      // Two refusals: the limit is reached, even for a caller the target knows.
      expect((await front.call('GET', '/Users', undefined, { authorization: caller })).status).toBe(429);
      expect(front.logs()).not.toContain(TARGET_SECRET);
      expect(front.logs()).not.toContain(caller.slice('Basic '.length));
    } finally {
      await front.stop();
    }
  });

  it("passes the caller's credential only to a tenant whose target checks it; another tenant refuses it unasked", async () => {
    const refusals = await startRecordingProxy(() => a.base);
    const front = await startGateway(
      'connector-generic',
      {
        entity: {
          // "caller" signs in to the target with the caller's own credentials…
          caller: { connection: { baseUrls: [a.base], auth: { type: 'passThrough' }, retry: { attempts: 1 } } },
          // …"service" with an account of the front's: nothing there checks a passed-through credential.
          service: {
            connection: {
              baseUrls: [refusals.base],
              auth: { type: 'basic', options: { username: 'generic-c', password: TARGET_SECRET } },
              retry: { attempts: 1 },
            },
          },
        },
      },
      {
        scimgateway: {
          auth: { basic: [{ username: 'front-admin', password: 'front-only' }], passThrough: { enabled: true } },
          rateLimit: { maxFailures: 3, windowSeconds: 60 },
        },
      },
    );
    try {
      const caller = `Basic ${Buffer.from(`generic-c:${TARGET_SECRET}`).toString('base64')}`;
      const anyone = `Basic ${Buffer.from('anyone:anything').toString('base64')}`;
      const admin = `Basic ${Buffer.from('front-admin:front-only').toString('base64')}`;
      expect((await front.call('GET', '/caller/Users', undefined, { authorization: caller })).status).toBe(200);
      expect((await front.call('GET', '/service/Users', undefined, { authorization: admin })).status).toBe(200);
      const asked = refusals.requests.length;
      for (const authorization of [anyone, caller]) {
        const r = await front.call('GET', '/service/Users', undefined, { authorization });
        expect(r.status).toBe(401);
        expect(r.body.detail).toBe('Authentication failed');
      }
      expect((await front.call('POST', '/service/Users', { userName: 'intruder' }, { authorization: anyone })).status).toBe(401);
      // The service account was never used for them, and nothing was written.
      expect(refusals.requests.length).toBe(asked);
      expect((await a.call('GET', `/Users?filter=${enc('userName eq "intruder"')}`)).body.totalResults).toBe(0);
      // Three refusals: past the limit.
      expect((await front.call('GET', '/caller/Users', undefined, { authorization: caller })).status).toBe(429);
      expect(front.logs()).toMatch(/checks passed-through credentials only on some tenants; on \\?"service\\?"/);
    } finally {
      await front.stop();
      await refusals.close();
    }
  });
});
