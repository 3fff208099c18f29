/**
 * The driver boundary: the part of `@sap/hana-client`'s Connection API this connector uses
 * (connect, exec with bound parameters, commit/rollback with autocommit off, disconnect), as
 * promises. `@sap/hana-client` is native and large, so it is an optional peer dependency loaded
 * only when the connector starts; tests supply their own {@link HanaClient}.
 */

/** One connection. `exec` returns rows for queries and the affected row count for other statements. */
export interface HanaSession {
  exec(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[] | number>;
  setAutoCommit(on: boolean): void;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
}

/** Opens sessions. */
export interface HanaClient {
  connect(): Promise<HanaSession>;
}

/** Connection settings of `@sap/hana-client` (the keys it documents). */
export interface HanaConnectOptions {
  serverNode: string;
  uid: string;
  pwd: string;
  encrypt: boolean;
  sslValidateCertificate: boolean;
  sslTrustStore?: string | undefined;
  currentSchema?: string | undefined;
}

type Callback<T> = (err: Error | null | undefined, result?: T) => void;
interface NativeConnection {
  connect(options: Record<string, unknown>, cb: Callback<void>): void;
  exec(sql: string, params: unknown[], cb: Callback<Record<string, unknown>[] | number>): void;
  setAutoCommit(on: boolean): void;
  commit(cb: Callback<void>): void;
  rollback(cb: Callback<void>): void;
  disconnect(cb: Callback<void>): void;
}

const promised = <T>(f: (cb: Callback<T>) => void) =>
  new Promise<T>((resolve, reject) => f((err, result) => (err ? reject(err) : resolve(result as T))));

/** A {@link HanaClient} on `@sap/hana-client`; throws a startup message naming the package when it is not installed. */
export async function nativeHanaClient(options: HanaConnectOptions): Promise<HanaClient> {
  let hana: { createConnection(): NativeConnection };
  try {
    const mod = (await import('@sap/hana-client' as string)) as { default?: unknown };
    hana = (mod.default ?? mod) as typeof hana;
  } catch (e) {
    throw new Error('@scimgw/connector-saphana needs the native driver: npm install @sap/hana-client', { cause: e });
  }
  return {
    async connect() {
      const c = hana.createConnection();
      await promised<void>((cb) => c.connect({ ...options }, cb));
      return {
        exec: (sql, params = []) => promised((cb) => c.exec(sql, [...params], cb)),
        setAutoCommit: (on) => c.setAutoCommit(on),
        commit: () => promised<void>((cb) => c.commit(cb)),
        rollback: () => promised<void>((cb) => c.rollback(cb)),
        close: () => promised<void>((cb) => c.disconnect(cb)),
      };
    },
  };
}
