/**
 * Opt-in: both modes against a real SAP HANA when HANA_URL is set (and @sap/hana-client is
 * installed next to the package):
 *   HANA_URL='hana://SCIM_ADMIN:password@host:443?samlProvider=CORP_IDP&rolePattern=^SCIM_TEST_'
 * User mode: the technical user needs USER ADMIN and the grants it hands out; users are made with
 * the prefix SCIMGW_T_ and dropped by the contract kit's own cleanup.
 * Table mode: the contract kit, the IdP replays and the injection corpus on tables with a random
 * prefix in the user's schema (CREATE ANY in it), dropped afterwards.
 */
import type { Connector } from '@scimgw/core';
import { connectorContractCases, testContext } from '@scimgw/core/testkit';
import { injectionCases, replayCases } from '@scimgw/testing-sql';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createHanaConnector, loadHanaModule } from '../src/index.js';
import { promised } from '../src/tables/native.js';

const url = process.env.HANA_URL;

function connectionOf(u: URL): Record<string, unknown> {
  return {
    host: u.hostname,
    port: Number(u.port || 443),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    encrypt: u.searchParams.get('encrypt') !== 'false',
    sslValidateCertificate: u.searchParams.get('sslValidateCertificate') !== 'false',
  };
}

const prefixes: string[] = [];
/** Drops the tables of every prefix used (children first: foreign keys point at users and groups). */
async function dropPrefixed(u: URL): Promise<void> {
  if (prefixes.length === 0) return;
  const hana = await loadHanaModule();
  const conn = hana.createConnection();
  const c = connectionOf(u);
  await promised<void>((cb) =>
    conn.connect(
      {
        serverNode: `${c.host}:${c.port}`,
        uid: c.user,
        pwd: c.password,
        encrypt: c.encrypt,
        sslValidateCertificate: c.sslValidateCertificate,
      },
      cb,
    ),
  );
  try {
    for (const prefix of prefixes)
      for (const t of ['user_emails', 'user_phone_numbers', 'group_members', 'users', 'groups'])
        await promised((cb) => conn.exec(`DROP TABLE "${prefix}${t}"`, [], cb)).catch(() => {});
  } finally {
    await promised<void>((cb) => conn.disconnect(cb));
  }
}

async function freshTables() {
  const u = new URL(url as string);
  const prefix = `t${Math.floor(Math.random() * 1e9).toString(36)}_`;
  prefixes.push(prefix);
  const ctx = testContext({ mode: 'tables', connection: connectionOf(u), createTables: true, tablePrefix: prefix });
  const connector = await createHanaConnector({ config: ctx.config, registry: ctx.registry, log: ctx.log });
  return { connector, done: async () => connector.close?.() };
}

describe.skipIf(!url)('real SAP HANA (HANA_URL), table mode', () => {
  let connector: Connector;
  let done: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const f = await freshTables();
    connector = f.connector;
    done = f.done;
  });
  afterAll(async () => {
    await done?.();
    await dropPrefixed(new URL(url as string));
  });
  describe('contract kit', () => {
    for (const c of connectorContractCases({ connector: () => connector })) it(c.name, c.run, 60_000);
  });
  describe('IdP replays', () => {
    for (const c of replayCases(freshTables)) it(c.name, c.run, 120_000);
  });
  describe('SQL-injection corpus', () => {
    // storesNul is false for HANA: values holding U+0000 are expected to be refused.
    for (const c of injectionCases(freshTables, { nul: 'reject' })) it(c.name, c.run, 300_000);
  });
});

describe.skipIf(!url)('real SAP HANA (HANA_URL), user mode', () => {
  let connector: Connector;
  beforeAll(async () => {
    const u = new URL(url as string);
    connector = await createHanaConnector({
      config: {
        connection: connectionOf(u),
        users: {
          samlProvider: u.searchParams.get('samlProvider') ?? '',
          rolePattern: u.searchParams.get('rolePattern') ?? '^SCIM_',
        },
      },
    });
  });
  afterAll(async () => {
    await connector?.close?.();
  });
  const NOT_APPLICABLE = [
    /PATCH replaces one attribute/,
    /PUT replaces the resource/,
    /group membership/,
    /finds a group by displayName/,
    /group member list writes/,
    /a deleted user leaves its groups/,
  ];
  for (const c of connectorContractCases({ connector: () => connector })) {
    if (NOT_APPLICABLE.some((r) => r.test(c.name))) it.skip(c.name, c.run);
    else it(c.name, c.run, 60_000);
  }
});
