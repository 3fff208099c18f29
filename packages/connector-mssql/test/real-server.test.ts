/**
 * Opt-in: the contract kit, the IdP replays and the injection corpus against a real SQL Server or
 * Azure SQL, when MSSQL_URL is set:
 *   MSSQL_URL='mssql://user:password@host:1433/database?encrypt=true&trustServerCertificate=false'
 * Tables get a random prefix and are dropped afterwards.
 */
import type { Connector } from '@scimgw/core';
import { connectorContractCases, testContext } from '@scimgw/core/testkit';
import { injectionCases, replayCases } from '@scimgw/testing-sql';
import sql from 'mssql';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createConnector } from '../src/index.js';

const url = process.env.MSSQL_URL;

function connectionOf(u: string): Record<string, unknown> {
  const p = new URL(u);
  const flag = (k: string, d: boolean) => (p.searchParams.has(k) ? p.searchParams.get(k) === 'true' : d);
  return {
    server: p.hostname,
    port: Number(p.port || 1433),
    database: decodeURIComponent(p.pathname.slice(1)),
    authentication: { type: 'sql', user: decodeURIComponent(p.username), password: decodeURIComponent(p.password) },
    encrypt: p.searchParams.get('encrypt') === 'strict' ? 'strict' : flag('encrypt', true),
    trustServerCertificate: flag('trustServerCertificate', false),
  };
}

const prefixes: string[] = [];
async function dropPrefixed(): Promise<void> {
  if (!url || prefixes.length === 0) return;
  const c = connectionOf(url) as {
    server: string;
    port: number;
    database: string;
    authentication: { user: string; password: string };
    encrypt: boolean;
    trustServerCertificate: boolean;
  };
  const pool = await new sql.ConnectionPool({
    server: c.server,
    port: c.port,
    database: c.database,
    user: c.authentication.user,
    password: c.authentication.password,
    options: { encrypt: c.encrypt, trustServerCertificate: c.trustServerCertificate },
  }).connect();
  try {
    for (const prefix of prefixes) {
      // Children first: foreign keys point at the users and groups tables.
      for (const t of ['user_emails', 'user_phone_numbers', 'group_members', 'users', 'groups'])
        await pool.request().batch(`IF OBJECT_ID(N'[${prefix}${t}]', N'U') IS NOT NULL DROP TABLE [${prefix}${t}]`);
    }
  } finally {
    await pool.close();
  }
}

async function fresh() {
  const prefix = `t${Math.floor(Math.random() * 1e9).toString(36)}_`;
  prefixes.push(prefix);
  const connector = await createConnector(
    testContext({ connection: connectionOf(url as string), createTables: true, tablePrefix: prefix }),
  );
  return { connector, done: async () => connector.close?.() };
}

describe.skipIf(!url)('real SQL Server (MSSQL_URL)', () => {
  let connector: Connector;
  let done: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const f = await fresh();
    connector = f.connector;
    done = f.done;
  });
  afterAll(async () => {
    await done?.();
    await dropPrefixed();
  });
  describe('contract kit', () => {
    for (const c of connectorContractCases({ connector: () => connector })) it(c.name, c.run, 60_000);
  });
  describe('IdP replays', () => {
    for (const c of replayCases(fresh)) it(c.name, c.run, 120_000);
  });
  describe('SQL-injection corpus (SQL Server stores U+0000)', () => {
    for (const c of injectionCases(fresh, { nul: 'store' })) it(c.name, c.run, 300_000);
  });
});
