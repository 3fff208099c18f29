/**
 * `scimgw check-config` on LDAP configurations, through the real CLI: the gateway loads this
 * package by name (as a deployment does) and runs its `configSchema` on the `endpoint` section,
 * so typos, wrong types and DN mistakes are reported without starting anything.
 */
import { fileURLToPath } from 'node:url';
import { checkConfig as runCheck } from '@scimgw/testing-kit';
import { describe, expect, it } from 'vitest';

/** This package's folder: the gateway resolves `@scimgw/connector-ldap` from here (its built dist). */
const cwd = fileURLToPath(new URL('..', import.meta.url));
const scimgateway = { port: 0, auth: { basic: [{ username: 'gw', password: 'pw' }] } };
const checkConfig = (endpoint: unknown) => runCheck({ scimgateway, endpoint }, { name: 'connector-ldap', cwd });

const ldap = { baseUrls: ['ldaps://ldap.example.org:636'], userBase: 'ou=people,dc=example,dc=org' };

describe('scimgw check-config with the LDAP connector', () => {
  it('accepts a good configuration, without a warning that the section went unchecked', async () => {
    const r = await checkConfig({ entity: { undefined: { ldap } } });
    expect(r.err).toBe('');
    expect(r.out).toMatch(/connector-ldap\.json: OK \(connector @scimgw\/connector-ldap/);
    expect(r.code).toBe(0);
  });

  it('refuses auth.passThrough before starting: the connector binds with its own account and checks no caller', async () => {
    const r = await runCheck(
      {
        scimgateway: { ...scimgateway, auth: { ...scimgateway.auth, passThrough: { enabled: true } } },
        endpoint: { entity: { undefined: { ldap } } },
      },
      { name: 'connector-ldap', cwd },
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /scimgateway\.auth\.passThrough\.enabled: @scimgw\/connector-ldap does not check passed-through credentials/,
    );
  });

  it('reports baseUrl and usrBase with a did-you-mean, and a wrong type, each by its path', async () => {
    const r = await checkConfig({
      entity: {
        undefined: { ldap: { baseUrl: ['ldaps://ldap.example.org'], usrBase: 'ou=people,dc=example,dc=org', vlv: 'on' } },
      },
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/endpoint\.entity\.undefined\.ldap\.baseUrl: unknown key \(did you mean "baseUrls"\?\)/);
    expect(r.err).toMatch(/endpoint\.entity\.undefined\.ldap\.usrBase: unknown key \(did you mean "userBase"\?\)/);
    expect(r.err).toMatch(/endpoint\.entity\.undefined\.ldap\.userBase: is required/);
    expect(r.err).toMatch(/endpoint\.entity\.undefined\.ldap\.vlv: expected boolean, got the string "on"/);
  });

  it('reports what start would refuse beyond the shape: a DN, a filter, the map', async () => {
    const r = await checkConfig({
      entity: {
        undefined: { ldap: { ...ldap, userBase: 'ou=people,' } },
        b: { ldap: { ...ldap, userFilter: '(objectClass=person' } },
        c: { ldap, map: { user: { uid: { mapTo: 'userName', type: 'blob' } } } },
      },
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/endpoint\.entity\.undefined\.ldap\.userBase: .*DN/);
    expect(r.err).toMatch(/endpoint\.entity\.b\.ldap\.userFilter: /);
    expect(r.err).toMatch(/endpoint\.entity\.c\.map\.user\.uid\.type: unknown type "blob"/);
  });
});
