/**
 * A SQL Server for the tests: the TDS emulator (a database of its own on the machine's
 * PostgreSQL), reached by the real `mssql`/tedious driver. `connection` is an `endpoint.connection`.
 */
import { type Fault, startTdsEmulator, type TdsEmulator } from '@scimgw/testing-tds-emulator';
import pg from 'pg';

export const LOGIN = { user: 'scim', password: 'S3cret!pw-emulator' };

export interface TestServer {
  tds: TdsEmulator;
  connection: Record<string, unknown>;
  /** Runs SQL on the PostgreSQL database behind the emulator (checks behind the driver's back). */
  sql(text: string): Promise<Record<string, unknown>[]>;
  inject(fault: Fault): void;
  close(): Promise<void>;
}

export async function startTestServer(options: { accessTokens?: string[] } = {}): Promise<TestServer> {
  const tds = await startTdsEmulator({ logins: { [LOGIN.user]: LOGIN.password }, accessTokens: options.accessTokens });
  const admin = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: tds.backendDatabase });
  // The emulator's database is dropped WITH (FORCE) at close: a late termination is not a test error.
  admin.on('error', () => {});
  await admin.connect();
  await admin.query('SET search_path = dbo, tsql');
  return {
    tds,
    connection: {
      server: tds.host,
      port: tds.port,
      database: tds.database,
      authentication: { type: 'sql', ...LOGIN },
      encrypt: false,
      trustServerCertificate: false,
    },
    async sql(text) {
      return (await admin.query(text)).rows;
    },
    inject: (f) => tds.inject(f),
    async close() {
      await admin.end();
      await tds.close();
    },
  };
}
