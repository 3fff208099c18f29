/** Connector configurations for the slapd tests. */
import type { LdapConfig, LdapMapConfig, LdapSettingsConfig } from '../../src/index.js';
import { GROUPS, GW_DN, GW_PW, PEOPLE, type Slapd } from './slapd.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** inetOrgPerson mapping plus the test schema's boolean for `active`. */
export const TEST_MAP: LdapMapConfig = {
  user: {
    uid: { mapTo: 'userName' },
    cn: { mapTo: 'displayName' },
    givenName: { mapTo: 'name.givenName' },
    sn: { mapTo: 'name.familyName' },
    mail: { mapTo: 'emails.work.value' },
    mobile: { mapTo: 'phoneNumbers.mobile.value' },
    title: { mapTo: 'title' },
    employeeNumber: { mapTo: `${ENTERPRISE}:employeeNumber` },
    manager: { mapTo: `${ENTERPRISE}:manager.value` },
    accountActive: { mapTo: 'active', type: 'boolean' },
    userPassword: { mapTo: 'password' },
  },
  group: {
    cn: { mapTo: 'displayName' },
    member: { mapTo: 'members.value' },
  },
};

/** LDAP settings for a slapd, as the gateway's (non-root) service account. */
export function ldapSettings(s: Slapd, over: Partial<LdapSettingsConfig> = {}): LdapSettingsConfig {
  return {
    baseUrls: [s.url],
    username: GW_DN,
    password: GW_PW,
    userBase: PEOPLE,
    groupBase: GROUPS,
    userFilter: '(objectClass=inetOrgPerson)',
    groupFilter: '(objectClass=groupOfNames)',
    objectClasses: { user: ['top', 'inetOrgPerson', 'scimgwAccount'], group: ['top', 'groupOfNames'] },
    namingAttribute: { user: [{ attribute: 'uid', mapTo: 'userName' }], group: [{ attribute: 'cn', mapTo: 'displayName' }] },
    allowModifyDN: true,
    poolSize: 2,
    timeoutMs: 20_000,
    ...(s.memberOf ? { memberOfAttribute: 'memberOf' } : {}),
    ...over,
  };
}

/** A whole `endpoint` section for one slapd. */
export function endpointConfig(s: Slapd, over: Partial<LdapSettingsConfig> = {}, map: LdapMapConfig = TEST_MAP): LdapConfig {
  return { entity: { undefined: { ldap: ldapSettings(s, over) } }, map };
}

import { createScimHandler } from '@scimgw/core/handler';
import type { Logger } from '@scimgw/core';
import { Client } from 'ldapts';
import { createLdapConnector, type LdapConnector } from '../../src/index.js';
import type { ClientFactory } from '../../src/pool.js';

/** A SCIM response with a loosely typed body. */
export interface Res {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown> & { Resources?: Record<string, unknown>[]; totalResults?: number; members?: { value: string }[] };
}

/** Counts the LDAP requests the connector sends, by operation. */
export function countingFactory(counts: Record<string, number>): ClientFactory {
  return (o) => {
    const c = new Client(o);
    for (const op of ['modify', 'add', 'search', 'del', 'modifyDN', 'compare'] as const) {
      const orig = (c[op] as (...a: unknown[]) => Promise<unknown>).bind(c);
      (c as unknown as Record<string, unknown>)[op] = (...a: unknown[]) => {
        counts[op] = (counts[op] ?? 0) + 1;
        return orig(...a);
      };
    }
    return c;
  };
}

/** A connector on a slapd plus a SCIM handler to drive it like an IdP. */
export function scim(
  s: Slapd,
  over: Partial<LdapSettingsConfig> = {},
  opts: { map?: LdapMapConfig; clientFactory?: ClientFactory; log?: Logger } = {},
): {
  connector: LdapConnector;
  call: (method: string, url: string, body?: unknown, headers?: Record<string, string>) => Promise<Res>;
} {
  const connector = createLdapConnector({
    config: endpointConfig(s, over, opts.map ?? TEST_MAP),
    ...(opts.clientFactory ? { clientFactory: opts.clientFactory } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  const h = createScimHandler({ connector });
  const call = async (method: string, url: string, body?: unknown, headers?: Record<string, string>) =>
    (await h.handle({
      method,
      url,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(headers ? { headers } : {}),
    })) as unknown as Res;
  return { connector, call };
}

export const patchBody = (Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });
export const enc = encodeURIComponent;

/** Reads an entry directly as the directory manager (independent of the connector). */
export async function rawRead(
  s: Slapd,
  dn: string,
  attributes: string[] = ['*', '+'],
): Promise<Record<string, unknown> | undefined> {
  const c = new Client({ url: s.url, timeout: 10_000, connectTimeout: 5_000, strictDN: false });
  try {
    await c.bind('cn=admin,dc=example,dc=org', 'secret');
    const r = await c.search(dn, { scope: 'base', attributes });
    return r.searchEntries[0] as Record<string, unknown> | undefined;
  } catch (e) {
    if ((e as { code?: number }).code === 32) return undefined;
    throw e;
  } finally {
    await c.unbind();
  }
}
