/**
 * The API surface of `@sap/hana-client` the emulator replaces: `createConnection()`, and on a
 * connection `connect`, `exec`/`execute`, `prepare` (a statement with `exec`/`execute`,
 * `setTimeout`, `getColumnInfo`, `drop`), `setAutoCommit`, `commit`, `rollback`, `disconnect`/
 * `close`/`end`, `state`. Callback forms only, called asynchronously, with the client's argument
 * shapes: `exec(sql[, params][, options], cb)`. Errors are `HanaError`s (`code`, `sqlState`,
 * `message`).
 */
import { HanaError } from './errors.js';
import { type EmulatorState, type ExecResult, HanaSession } from './session.js';
import type { DoBlock, PgStatement } from './translate.js';

type Callback<T> = (error: Error | null, result?: T) => void;

function later<T>(p: Promise<T>, cb: Callback<T> | undefined): void {
  if (typeof cb !== 'function') throw new TypeError('the HANA emulator implements the callback forms only');
  p.then(
    (r) => setImmediate(() => cb(null, r)),
    (e: unknown) => setImmediate(() => cb(e instanceof Error ? e : new Error(String(e)))),
  );
}

/** `(params?, options?, cb)` as the client accepts them. */
function callArgs(args: unknown[]): { params: unknown[]; cb: Callback<unknown> | undefined } {
  const cb = typeof args[args.length - 1] === 'function' ? (args.pop() as Callback<unknown>) : undefined;
  const params = Array.isArray(args[0]) ? (args[0] as unknown[]) : [];
  return { params, cb };
}

/** A prepared statement. */
export class EmulatedStatement {
  private timeoutS = 0;
  private columns: ExecResult['columns'] = [];
  private dropped = false;

  constructor(
    private readonly session: HanaSession,
    private readonly text: string,
    private readonly parsed: PgStatement | DoBlock,
  ) {}

  exec(...args: unknown[]): void {
    const { params, cb } = callArgs(args);
    later(
      this.session.serial(async () => {
        if (this.dropped) throw new HanaError(-10305, 'Invalid statement: the statement was dropped');
        const r = await this.session.execute(this.text, this.parsed, params, this.timeoutS);
        this.columns = r.columns;
        return r.value;
      }),
      cb,
    );
  }

  execute(...args: unknown[]): void {
    this.exec(...args);
  }

  /** Query timeout in seconds (0: none). */
  setTimeout(seconds: number): void {
    this.timeoutS = seconds;
  }

  getColumnInfo(): { columnName: string; typeName: string }[] {
    return this.columns.map((c) => ({ ...c }));
  }

  drop(cb?: Callback<void>): void {
    this.dropped = true;
    if (cb) setImmediate(() => cb(null));
  }
}

/** A connection, as `createConnection()` returns it. */
export class EmulatedConnection {
  private readonly session: HanaSession;

  constructor(state: EmulatorState) {
    this.session = new HanaSession(state);
  }

  connect(options: Record<string, unknown> | Callback<void>, cb?: Callback<void>): void {
    const opts = typeof options === 'function' ? {} : options;
    const done = typeof options === 'function' ? options : cb;
    later(
      this.session.serial(() => this.session.open(opts)),
      done,
    );
  }

  exec(sql: string, ...args: unknown[]): void {
    const { params, cb } = callArgs(args);
    later(
      this.session.serial(async () => (await this.session.execute(sql, HanaSession.parse(sql), params)).value),
      cb,
    );
  }

  execute(sql: string, ...args: unknown[]): void {
    this.exec(sql, ...args);
  }

  prepare(sql: string, options: unknown, cb?: Callback<EmulatedStatement>): void {
    const done = (typeof options === 'function' ? options : cb) as Callback<EmulatedStatement>;
    later(
      this.session.serial(async () => {
        if (!this.session.connected) throw new HanaError(-10807, 'Connection down: socket closed');
        return new EmulatedStatement(this.session, sql, HanaSession.parse(sql));
      }),
      done,
    );
  }

  setAutoCommit(flag: boolean): void {
    this.session.serial(() => this.session.setAutoCommit(flag)).catch(() => {});
  }

  commit(cb?: Callback<void>): void {
    later(
      this.session.serial(() => this.session.commit()),
      cb ?? (() => {}),
    );
  }

  rollback(cb?: Callback<void>): void {
    later(
      this.session.serial(() => this.session.rollback()),
      cb ?? (() => {}),
    );
  }

  disconnect(cb?: Callback<void>): void {
    later(
      this.session.serial(() => this.session.close()),
      cb ?? (() => {}),
    );
  }

  close(cb?: Callback<void>): void {
    this.disconnect(cb);
  }

  end(cb?: Callback<void>): void {
    this.disconnect(cb);
  }

  /** `connected` or `disconnected`. */
  state(): string {
    return this.session.connected ? 'connected' : 'disconnected';
  }
}
