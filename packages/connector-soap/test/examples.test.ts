/**
 * The shipped examples run as they are: `node examples/server.mjs` starts both services, and a
 * real gateway with each example configuration (only the service's port moved) provisions users
 * and groups into them over HTTP. The docs page shows these very files.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testContext } from '@scimgw/core/testkit';
import { startTestGateway, type TestGateway } from '@scimgw/testing-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, createConnector, type SoapConfig } from '../src/index.js';
import { type Example, examplesDir, exampleEndpoint, here } from './helpers.js';

let child: ChildProcess;
let origin: string;

beforeAll(async () => {
  child = spawn(process.execPath, [join(examplesDir, 'server.mjs')], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  origin = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /(http:\/\/[\d.]+:\d+)\/soap\/directory/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`example server exited with ${code}: ${out}`)));
  });
});
afterAll(() => {
  child?.kill();
});

describe.each([
  ['connector-soap.json', 'document'],
  ['connector-soap-legacy.json', 'rpc'],
] as [string, Example][])('examples/%s', (file, which) => {
  let gw: TestGateway;
  beforeAll(async () => {
    const endpoint = exampleEndpoint(which, origin);
    const connector = await createConnector(testContext(endpoint as unknown as SoapConfig, { baseDir: examplesDir }));
    gw = await startTestGateway({ name: 'connector-soap', endpoint, connector: () => connector });
  });
  afterAll(() => gw?.stop());

  it('is a valid configuration file', () => {
    const json = JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as { endpoint: unknown; connector?: string };
    const r = configSchema.validate(json.endpoint);
    expect(r.ok ? [] : r.issues).toEqual([]);
    if (which === 'rpc') expect(json.connector).toBe('@scimgw/connector-soap');
  });

  it('provisions users and groups through a real gateway', async () => {
    const user = await gw.call('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `bjensen.${which}`,
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      emails: [{ value: 'bjensen@example.com', type: 'work' }],
      active: true,
    });
    expect(user.status).toBe(201);
    const id = user.body.id as string;
    const list = await gw.call('GET', `/Users?filter=${encodeURIComponent(`userName eq "bjensen.${which}"`)}`);
    expect(list.body.totalResults).toBe(1);
    const group = await gw.call('POST', '/Groups', { displayName: `Admins.${which}`, members: [{ value: id }] });
    expect(group.status).toBe(201);
    const patched = await gw.call('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'name.familyName', value: 'Jensen-Smith' }],
    });
    expect([patched.status, patched.body.name.familyName, patched.body.name.givenName]).toEqual([200, 'Jensen-Smith', 'Barbara']);
    const g = await gw.call('GET', `/Groups/${group.body.id}`);
    expect(g.body.members.map((m: { value: string }) => m.value)).toEqual([id]);
    const schemas = await gw.call('GET', '/Schemas');
    expect(schemas.status).toBe(200);
    expect((await gw.call('DELETE', `/Groups/${group.body.id}`)).status).toBe(204);
    expect((await gw.call('DELETE', `/Users/${id}`)).status).toBe(204);
  });
});

it('the docs page shows the shipped example files', () => {
  const page = readFileSync(join(here, '..', '..', '..', 'docs', 'connectors', 'soap.md'), 'utf8');
  for (const f of [
    'wsdl/directory-document.wsdl',
    'wsdl/directory-rpc.wsdl',
    'connector-soap.json',
    'connector-soap-legacy.json',
    'server.mjs',
  ]) {
    expect(page, f).toContain(`packages/connector-soap/examples/${f}`);
  }
});
