/**
 * The part of `@sap/hana-client`'s API the table mode uses, as the client documents it: a module
 * with `createConnection()`, and connections with callback methods (`connect`, `exec`, `prepare`,
 * `setAutoCommit`, `commit`, `rollback`, `disconnect`). Errors carry `code` (the HANA error code),
 * `sqlState` and `message`. Tests pass the HANA emulator's module in its place.
 */

/** A callback as the client calls it: an error, or nothing and a result. */
export type HanaCallback<T> = (error: Error | null | undefined, result?: T) => void;

/** A prepared statement. */
export interface HanaNativeStatement {
  exec(params: unknown[], cb: HanaCallback<unknown>): void;
  /** Query timeout of this statement, in seconds (0: none). */
  setTimeout?(seconds: number): void;
  /** Columns of the result (after execution): `typeName` is HANA's type (`NVARCHAR`, `TIMESTAMP` …). */
  getColumnInfo?(): { columnName: string; typeName: string }[];
  drop(cb: HanaCallback<void>): void;
}

/** One connection of `@sap/hana-client`. */
export interface HanaNativeConnection {
  connect(options: Record<string, unknown>, cb: HanaCallback<void>): void;
  /** Rows (array) for a query, the affected row count for DML, nothing for DDL. */
  exec(sql: string, params: unknown[], cb: HanaCallback<unknown>): void;
  prepare(sql: string, cb: HanaCallback<HanaNativeStatement>): void;
  setAutoCommit(on: boolean): void;
  commit(cb: HanaCallback<void>): void;
  rollback(cb: HanaCallback<void>): void;
  disconnect(cb: HanaCallback<void>): void;
}

/** The `@sap/hana-client` module (or a stand-in with the same shape). */
export interface HanaModule {
  createConnection(): HanaNativeConnection;
}

/** Loads `@sap/hana-client`; throws a startup message naming the package when it is not installed. */
export async function loadHanaModule(): Promise<HanaModule> {
  try {
    const mod = (await import('@sap/hana-client' as string)) as { default?: unknown };
    return (mod.default ?? mod) as HanaModule;
  } catch (e) {
    throw new Error('@scimgw/connector-saphana needs the native driver: npm install @sap/hana-client', { cause: e });
  }
}

/** A callback API call as a promise. */
export const promised = <T>(f: (cb: HanaCallback<T>) => void) =>
  new Promise<T>((resolve, reject) => f((err, result) => (err ? reject(err) : resolve(result as T))));
