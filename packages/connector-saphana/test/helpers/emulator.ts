/**
 * A SAP HANA for the table-mode tests: the HANA emulator (`@scimgw/testing-hana-emulator`, a
 * database of its own on the machine's PostgreSQL) in place of `@sap/hana-client`, driven by the
 * real connector code (dialect, driver, pool).
 */
import { testContext } from '@scimgw/core/testkit';
import { type HanaEmulator, startHanaEmulator } from '@scimgw/testing-hana-emulator';
import type { FreshConnector } from '@scimgw/testing-sql';
import pg from 'pg';
import { createHanaConnector } from '../../src/index.js';

export const LOGIN = { user: 'SCIM_APP', password: 'S3cret!pw-emulator' };

export interface TestHana {
  hana: HanaEmulator;
  /** `endpoint` of the table mode (add layout keys as needed). */
  config(extra?: Record<string, unknown>): Record<string, unknown>;
  /** Runs SQL on the PostgreSQL database behind the emulator (checks behind the driver's back). */
  sql(text: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function startTestHana(): Promise<TestHana> {
  const hana = await startHanaEmulator({ logins: { [LOGIN.user]: LOGIN.password } });
  const admin = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: hana.database });
  admin.on('error', () => {});
  await admin.connect();
  await admin.query(`SET search_path = "${LOGIN.user}", hana_builtin`);
  const [host, port] = hana.serverNode.split(':');
  return {
    hana,
    config: (extra = {}) => ({
      mode: 'tables',
      connection: { host, port: Number(port), user: LOGIN.user, password: LOGIN.password },
      createTables: true,
      ...extra,
    }),
    async sql(text) {
      return (await admin.query(text)).rows;
    },
    async close() {
      await admin.end();
      await hana.close();
    },
  };
}

/** A connector on an emulator of its own (default layout created), for the shared SQL suites. */
export async function freshConnector(extra: Record<string, unknown> = {}): Promise<FreshConnector> {
  const server = await startTestHana();
  try {
    const ctx = testContext(server.config(extra));
    const connector = await createHanaConnector({
      config: ctx.config,
      registry: ctx.registry,
      log: ctx.log,
      hana: server.hana.module,
    });
    return {
      connector,
      sql: (text) => server.sql(text),
      async done() {
        await connector.close?.();
        await server.close();
      },
    };
  } catch (e) {
    await server.close();
    throw e;
  }
}
