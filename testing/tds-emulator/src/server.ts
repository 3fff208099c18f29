/**
 * The emulator: a TCP server speaking TDS 7.4 that runs the T-SQL subset on a PostgreSQL database
 * of its own, with logins, Entra ID access tokens, a statement log, and injectable faults
 * (deadlock 1205, Azure SQL's failover numbers, dropped connections).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createBackend, dropBackend, type PostgresTarget } from './backend.js';
import { TdsSession } from './session.js';

/** Options of {@link startTdsEmulator}. */
export interface TdsEmulatorOptions {
  /** SQL logins: user name → password (default `sa` / `Emulator-Passw0rd`). */
  logins?: Record<string, string> | undefined;
  /** Entra ID access tokens the server accepts (FEDAUTH, library SECURITYTOKEN). */
  accessTokens?: string[] | undefined;
  /** Database name clients log in to (default `scim`). */
  database?: string | undefined;
  /** The PostgreSQL server that executes statements (default 127.0.0.1:5432, user postgres). */
  postgres?: PostgresTarget | undefined;
}

/** A fault to raise instead of running a statement. */
export interface Fault {
  /** SQL Server error number to answer with (1205, 40613, 40501 …). */
  number?: number | undefined;
  /** Close the connection instead of answering. */
  drop?: boolean | undefined;
  /** Only statements whose T-SQL text matches. */
  match?: RegExp | undefined;
  /** How many statements it hits (default 1). */
  times?: number | undefined;
}

/** A running emulator. */
export interface TdsEmulator {
  host: string;
  port: number;
  database: string;
  /** The PostgreSQL database behind it (for checks behind the driver's back). */
  backendDatabase: string;
  /** Every statement executed (T-SQL text and bound values), in order. */
  statements: { sql: string; params: unknown[] }[];
  /** Arms a fault. */
  inject(fault: Fault): void;
  /** Disarms every fault. */
  clearFaults(): void;
  /** Closes every client connection (a failover, as clients see it). */
  dropConnections(): void;
  close(): Promise<void>;
}

/**
 * Starts an emulator on a random free port of 127.0.0.1.
 *
 * @example
 * const tds = await startTdsEmulator({ logins: { scim: 'S3cret!pw' } });
 * const pool = await new sql.ConnectionPool({ server: tds.host, port: tds.port, user: 'scim', password: 'S3cret!pw',
 *   database: tds.database, options: { encrypt: false } }).connect();
 */
export async function startTdsEmulator(options: TdsEmulatorOptions = {}): Promise<TdsEmulator> {
  const target = options.postgres ?? {};
  const backendDatabase = await createBackend(target);
  const faults: (Fault & { left: number })[] = [];
  const sockets = new Set<Socket>();
  const statements: { sql: string; params: unknown[] }[] = [];
  let spid = 50;
  const databaseName = options.database ?? 'scim';
  const host = {
    target,
    database: backendDatabase,
    databaseName,
    logins: new Map(Object.entries(options.logins ?? { sa: 'Emulator-Passw0rd' })),
    accessTokens: new Set(options.accessTokens ?? []),
    record: (e: { sql: string; params: unknown[] }) => {
      statements.push(e);
    },
    takeFault(sql: string) {
      const f = faults.find((x) => x.left > 0 && (!x.match || x.match.test(sql)));
      if (!f) return undefined;
      f.left--;
      return { number: f.number ?? 1205, drop: f.drop };
    },
    nextSpid: () => ++spid,
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    new TdsSession(socket, host);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: '127.0.0.1',
    port,
    database: databaseName,
    backendDatabase,
    statements,
    inject: (fault) => faults.push({ ...fault, left: fault.times ?? 1 }),
    clearFaults: () => {
      faults.length = 0;
    },
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise((r) => setTimeout(r, 50));
      await dropBackend(target, backendDatabase);
    },
  };
}
