// Removing elements of typed multi-valued attributes (emails, phoneNumbers, addresses, ims,
// photos, x509Certificates) by every form the core hands over — a value list (SCIM 1.1
// `operation: "delete"`, Entra's value list), a value filter, a type filter, any other filter and
// the whole attribute — reaches the plugin keyed by the type the element has in the stored
// resource, under SCIM 1.1 and 2.0, type-converted and with skipTypeConvert.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testContext } from '@scimgw/core/testkit';
import { startTestGateway, type TestGateway } from '@scimgw/testing-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLegacyPluginConnector } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
type Rec = Record<string, any>;
const calls = (): Rec[] => (globalThis as Rec).__legacyMemoryCalls;
const lastCall = (key: string): Rec | undefined => [...calls()].reverse().find((c) => key in c)?.[key];
const PatchOp = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const seedUser = (): Rec => ({
  id: 'u-2',
  userName: 'jdoe',
  emails: [
    { value: 'jdoe@x.com', type: 'work', primary: true },
    { value: 'new@home.com', type: 'home' },
    { value: 'plain@x.com' },
  ],
  phoneNumbers: [
    { value: '555-1', type: 'mobile' },
    { value: '555-2', type: 'work' },
  ],
  addresses: [
    { type: 'work', streetAddress: '1 Main St', locality: 'Oslo' },
    { type: 'home', streetAddress: '2 Side St', locality: 'Bergen' },
  ],
  ims: [{ value: 'jdoe-chat', type: 'skype' }],
  photos: [{ value: 'https://photos.example.com/jdoe.jpg', type: 'thumbnail' }],
  x509Certificates: [{ value: 'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx', type: 'signing' }],
});

/** A gateway on a fresh in-memory plugin holding {@link seedUser}. */
async function gateway(scimVersion: '1.1' | '2.0', skipTypeConvert = false): Promise<TestGateway> {
  const ctx = testContext(
    {
      legacyPlugin: { file: join(here, 'plugins', 'plugin-memory.ts'), skipTypeConvert },
      entity: { undefined: {} },
      seedUsers: [seedUser()],
    },
    { baseDir: here },
  );
  const connector = await createLegacyPluginConnector(ctx);
  return startTestGateway({
    name: 'connector-legacy-plugin',
    scimgateway: { scim: { version: scimVersion } },
    connector: () => connector,
  });
}

const modifyCalls = () => calls().filter((c) => 'modifyUser' in c).length;

describe('SCIM 1.1: removing a typed element by its value (operation: "delete")', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await gateway('1.1');
  });
  afterAll(async () => {
    await gw?.stop();
  });

  const patch = async (body: Rec) => {
    const r = await gw.call('PATCH', '/Users/u-2', body);
    expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    return (await gw.call('GET', '/Users/u-2')).body as Rec;
  };

  it('keys the removal by the type the request carried and the stored element has', async () => {
    const user = await patch({ emails: [{ value: 'jdoe@x.com', type: 'work', operation: 'delete' }] });
    expect(lastCall('modifyUser')).toEqual({
      emails: { work: { value: '', type: 'work', primary: true, operation: 'delete' } },
    });
    expect(user.emails.map((e: Rec) => e.value)).toEqual(['new@home.com', 'plain@x.com']);
  });

  it('keys it by the stored type when the request names the value only', async () => {
    const user = await patch({ phoneNumbers: [{ value: '555-2', operation: 'delete' }] });
    expect(lastCall('modifyUser')).toEqual({ phoneNumbers: { work: { value: '', type: 'work', operation: 'delete' } } });
    expect(user.phoneNumbers).toEqual([{ value: '555-1', type: 'mobile' }]);
  });

  it('keys an element stored without a type as "undefined", as the older gateway did', async () => {
    const user = await patch({ emails: [{ value: 'PLAIN@x.com', operation: 'delete' }] });
    expect(lastCall('modifyUser')).toEqual({ emails: { undefined: { value: '', operation: 'delete' } } });
    expect(user.emails.map((e: Rec) => e.value)).toEqual(['new@home.com']);
  });

  it('removes by type (no value) and removes and adds the same type in one request', async () => {
    let user = await patch({ addresses: [{ type: 'home', operation: 'delete' }] });
    expect(lastCall('modifyUser')).toEqual({ addresses: { home: { type: 'home', value: '', operation: 'delete' } } });
    expect(user.addresses.map((a: Rec) => a.type)).toEqual(['work']);
    user = await patch({
      ims: [
        { value: 'jdoe-chat', operation: 'delete' },
        { value: 'jdoe-new', type: 'skype' },
      ],
    });
    expect(lastCall('modifyUser')).toEqual({ ims: { skype: { value: 'jdoe-new', type: 'skype' } } });
    expect(user.ims).toEqual([{ value: 'jdoe-new', type: 'skype' }]);
  });

  it('does not call the plugin for a value the user does not have', async () => {
    const before = modifyCalls();
    const user = await patch({ emails: [{ value: 'nobody@x.com', type: 'work', operation: 'delete' }] });
    expect(modifyCalls()).toBe(before);
    expect(user.emails.map((e: Rec) => e.value)).toEqual(['new@home.com']);
  });
});

describe('SCIM 2.0: removing typed elements by every form the core hands over', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await gateway('2.0');
  });
  afterAll(async () => {
    await gw?.stop();
  });

  const patch = async (...Operations: Rec[]) => {
    const r = await gw.call('PATCH', '/Users/u-2', { schemas: [PatchOp], Operations });
    expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    return (await gw.call('GET', '/Users/u-2')).body as Rec;
  };

  it('a value filter: keyed by the stored type', async () => {
    const user = await patch({ op: 'remove', path: 'emails[value eq "new@home.com"]' });
    expect(lastCall('modifyUser')).toEqual({ emails: { home: { value: '', type: 'home', operation: 'delete' } } });
    expect(user.emails.map((e: Rec) => e.value)).toEqual(['jdoe@x.com', 'plain@x.com']);
  });

  it('a value list (Entra ID), for photos and x509Certificates too', async () => {
    const cert = seedUser().x509Certificates[0].value;
    const user = await patch(
      { op: 'Remove', path: 'photos', value: [{ value: 'https://photos.example.com/jdoe.jpg' }] },
      { op: 'remove', path: 'x509Certificates', value: [{ value: cert }] },
    );
    expect(lastCall('modifyUser')).toEqual({
      photos: { thumbnail: { value: '', type: 'thumbnail', operation: 'delete' } },
      x509Certificates: { signing: { value: '', type: 'signing', operation: 'delete' } },
    });
    expect(user.photos).toBeUndefined();
    expect(user.x509Certificates).toBeUndefined();
  });

  it('a value filter on an element stored without a type: "undefined"', async () => {
    const user = await patch({ op: 'remove', path: 'emails[value eq "plain@x.com"]' });
    expect(lastCall('modifyUser')).toEqual({ emails: { undefined: { value: '', operation: 'delete' } } });
    expect(user.emails.map((e: Rec) => e.value)).toEqual(['jdoe@x.com']);
  });

  it('any other filter, and a sub-attribute of an element chosen by value', async () => {
    let user = await patch({ op: 'remove', path: 'addresses[locality eq "Bergen"]' });
    expect(lastCall('modifyUser')).toMatchObject({ addresses: { home: { type: 'home', operation: 'delete' } } });
    expect(user.addresses.map((a: Rec) => a.type)).toEqual(['work']);
    user = await patch({ op: 'remove', path: 'phoneNumbers[value eq "555-1"].display' });
    expect(lastCall('modifyUser')).toEqual({ phoneNumbers: { mobile: { type: 'mobile', display: '' } } });
    user = await patch({ op: 'replace', path: 'phoneNumbers[value eq "555-1"].primary', value: true });
    expect(lastCall('modifyUser')).toEqual({ phoneNumbers: { mobile: { type: 'mobile', primary: true } } });
    expect(user.phoneNumbers.find((p: Rec) => p.value === '555-1')?.primary).toBe(true);
  });

  it('a type filter and the whole attribute, as before', async () => {
    let user = await patch({ op: 'remove', path: 'phoneNumbers[type eq "work"]' });
    expect(lastCall('modifyUser')).toEqual({ phoneNumbers: { work: { type: 'work', value: '', operation: 'delete' } } });
    expect(user.phoneNumbers.map((p: Rec) => p.value)).toEqual(['555-1']);
    user = await patch({ op: 'remove', path: 'emails' });
    expect(lastCall('modifyUser')).toEqual({
      emails: { work: { value: '', type: 'work', primary: true, operation: 'delete' } },
    });
    expect(user.emails).toBeUndefined();
  });
});

describe('skipTypeConvert: a removed typed element reaches the plugin as stored, with its type', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await gateway('2.0', true);
  });
  afterAll(async () => {
    await gw?.stop();
  });

  const patch = async (...Operations: Rec[]) => {
    const r = await gw.call('PATCH', '/Users/u-2', { schemas: [PatchOp], Operations });
    expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    return (await gw.call('GET', '/Users/u-2')).body as Rec;
  };

  it('by value and by type', async () => {
    let user = await patch({ op: 'remove', path: 'emails[value eq "new@home.com"]' });
    expect(lastCall('modifyUser')).toEqual({ emails: [{ value: 'new@home.com', type: 'home', operation: 'delete' }] });
    expect(user.emails.map((e: Rec) => e.value)).toEqual(['jdoe@x.com', 'plain@x.com']);
    user = await patch({ op: 'remove', path: 'addresses[type eq "work"]' });
    expect(lastCall('modifyUser')).toEqual({
      addresses: [{ type: 'work', streetAddress: '1 Main St', locality: 'Oslo', operation: 'delete' }],
    });
    expect(user.addresses.map((a: Rec) => a.type)).toEqual(['home']);
  });
});
