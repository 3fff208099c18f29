/**
 * A SAP HANA for the table-mode tests: the HANA emulator (`@scimgw/testing-hana-emulator`, a
 * database of its own on the machine's PostgreSQL) in place of `@sap/hana-client`, driven by the
 * real connector code (dialect, driver, pool).
 */
import type { Connector } from '@scimgw/core';
import { createScimHandler } from '@scimgw/core/handler';
import { testContext } from '@scimgw/core/testkit';
import { type HanaEmulator, startHanaEmulator } from '@scimgw/testing-hana-emulator';
import type { FreshConnector } from '@scimgw/testing-sql';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
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

/** A SCIM handler over a table-mode connector on an emulator of its own, for one test file. */
export interface HanaHandler {
  /** The emulator (set once the file's `beforeAll` ran). */
  readonly server: TestHana;
  call(
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; headers: Record<string, string> | undefined; body: Record<string, unknown> }>;
}

/**
 * Starts the emulator and a connector with `extra` endpoint keys before the file's tests and
 * closes both after them (registers `beforeAll`/`afterAll`).
 */
export function useHanaHandler(extra: Record<string, unknown> = {}): HanaHandler {
  let server: TestHana | undefined;
  let connector: Connector | undefined;
  let h: ReturnType<typeof createScimHandler> | undefined;
  beforeAll(async () => {
    server = await startTestHana();
    const ctx = testContext(server.config(extra));
    connector = await createHanaConnector({ config: ctx.config, registry: ctx.registry, log: ctx.log, hana: server.hana.module });
    h = createScimHandler({ connector });
  });
  afterAll(async () => {
    await connector?.close?.();
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error('the HANA emulator is not started yet (use it inside a test)');
      return server;
    },
    async call(method, url, body) {
      if (!h) throw new Error('the HANA emulator is not started yet (use it inside a test)');
      const r = await h.handle({ method, url, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return {
        status: r.status,
        headers: r.headers as Record<string, string> | undefined,
        body: r.body as Record<string, unknown>,
      };
    },
  };
}
