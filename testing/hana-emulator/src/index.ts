/**
 * @scimgw/testing-hana-emulator (private) — a stand-in for `@sap/hana-client`: the same
 * connection API, executing a strict SAP HANA SQL subset on the machine's PostgreSQL (a database
 * of its own per emulator), refusing what HANA refuses with HANA's error codes. Not SAP HANA.
 */
import { createBackend, dropBackend, type PostgresTarget } from './backend.js';
import { EmulatedConnection } from './client.js';
import type { EmulatorState } from './session.js';

export { EmulatedConnection, EmulatedStatement } from './client.js';
export { CODES, fromPostgres, HanaError } from './errors.js';
export { isOp, isWord, type Token, type TokenKind, tokenize } from './lexer.js';
export type { PostgresTarget } from './backend.js';
export { type DoBlock, type Part, type PgStatement, render, translate } from './translate.js';

/** Options of {@link startHanaEmulator}. */
export interface HanaEmulatorOptions {
  /** Logins (user → password); each user gets a schema of its name (upper case), its default schema. */
  logins: Record<string, string>;
  /** Host and port the clients must name in `serverNode` (default `hana.emulator:443`). */
  serverNode?: string | undefined;
  postgres?: PostgresTarget | undefined;
}

/** A running emulator. */
export interface HanaEmulator {
  /** What replaces `@sap/hana-client`: `{ createConnection }`. */
  readonly module: { createConnection(): EmulatedConnection };
  readonly serverNode: string;
  /** The PostgreSQL database behind it. */
  readonly database: string;
  /** Every statement text the clients sent, in order. */
  readonly statements: readonly string[];
  /** Fault: every open connection breaks (`-10807 Connection down` on its next call). */
  breakConnections(): void;
  /** Fault: new connections are refused (`-10709`) while set. */
  refuseConnections(on: boolean): void;
  /** Sessions open now. */
  openSessions(): number;
  close(): Promise<void>;
}

/**
 * Starts an emulator.
 *
 * @example
 * const hana = await startHanaEmulator({ logins: { SCIM: 'secret' } });
 * const conn = hana.module.createConnection();
 * conn.connect({ serverNode: hana.serverNode, uid: 'SCIM', pwd: 'secret' }, (err) => { … });
 */
export async function startHanaEmulator(options: HanaEmulatorOptions): Promise<HanaEmulator> {
  const target = options.postgres ?? {};
  const logins = new Map(Object.entries(options.logins).map(([u, p]) => [u.toUpperCase(), p]));
  const database = await createBackend(target, [...logins.keys()]);
  const state: EmulatorState = {
    target,
    database,
    serverNode: options.serverNode ?? 'hana.emulator:443',
    logins,
    refuseConnections: false,
    sessions: new Set(),
    log: [],
  };
  return {
    module: { createConnection: () => new EmulatedConnection(state) },
    serverNode: state.serverNode,
    database,
    statements: state.log,
    breakConnections() {
      for (const s of [...state.sessions]) s.breakNow();
    },
    refuseConnections(on) {
      state.refuseConnections = on;
    },
    openSessions: () => state.sessions.size,
    async close() {
      for (const s of [...state.sessions]) await s.close();
      await dropBackend(target, database);
    },
  };
}
