/**
 * One emulated HANA session on one PostgreSQL connection: statements run one at a time (the
 * client serialises calls on a connection too), autocommit on by default, autocommit off opening a
 * transaction that COMMIT or ROLLBACK ends. HANA undoes a failed statement alone and keeps the
 * transaction (a savepoint around each statement here), except for a deadlock or a lock wait
 * timeout, which roll the whole transaction back.
 */
import pg from 'pg';
import { clientBase, type PostgresTarget } from './backend.js';
import { CODES, fromPostgres, HanaError } from './errors.js';
import { type DoBlock, type PgStatement, render, translate } from './translate.js';

/** What a statement returned, in the client's shapes: rows, an affected-row count, or nothing (DDL). */
export interface ExecResult {
  value: Record<string, unknown>[] | number | undefined;
  columns: { columnName: string; typeName: string }[];
}

const TYPE_NAMES: Record<number, string> = {
  16: 'BOOLEAN',
  20: 'BIGINT',
  21: 'SMALLINT',
  23: 'INTEGER',
  25: 'NCLOB',
  1043: 'NVARCHAR',
  1082: 'DATE',
  1114: 'TIMESTAMP',
  700: 'REAL',
  701: 'DOUBLE',
  1700: 'DECIMAL',
  17: 'VARBINARY',
};

/** Values as the client returns them: BIGINT as a number, TIMESTAMP as text with nine fractional digits, DECIMAL as text. */
const TYPES = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 20)
      return (v: string) => {
        const n = Number(v);
        return Number.isSafeInteger(n) ? n : v;
      };
    if (oid === 1114)
      return (v: string) => {
        const [date, time = '00:00:00'] = v.split(' ');
        const [hms, frac = ''] = time.split('.');
        return `${date} ${hms}.${frac.padEnd(9, '0')}`;
      };
    if (oid === 1700) return (v: string) => v;
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as unknown as pg.CustomTypesConfig;

/** The placeholder of one bound value, typed by its JavaScript type as the client binds it. */
function placeholder(v: unknown, n: number): string {
  if (typeof v === 'boolean') return `CAST($${n} AS boolean)`;
  if (typeof v === 'number') return Number.isInteger(v) ? `CAST($${n} AS bigint)` : `CAST($${n} AS double precision)`;
  if (Buffer.isBuffer(v)) return `CAST($${n} AS bytea)`;
  return `$${n}`;
}

/** Shared state of one emulator (logins, faults). */
export interface EmulatorState {
  target: PostgresTarget;
  database: string;
  serverNode: string;
  logins: ReadonlyMap<string, string>;
  refuseConnections: boolean;
  sessions: Set<HanaSession>;
  /** Every statement text a client sent (for tests: what the connector really said). */
  log: string[];
}

/** One session. */
export class HanaSession {
  private client: pg.Client | undefined;
  private broken = false;
  autoCommit = true;
  private inTransaction = false;
  private timeoutMs = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly state: EmulatorState) {}

  /** Runs `f` after every earlier call of this session. */
  serial<T>(f: () => Promise<T>): Promise<T> {
    const r = this.queue.then(f, f);
    this.queue = r.catch(() => {});
    return r;
  }

  async open(options: Record<string, unknown>): Promise<void> {
    if (this.client) throw new HanaError(-10821, 'Session already connected');
    if (this.state.refuseConnections || options.serverNode !== this.state.serverNode)
      throw new HanaError(
        CODES.connectionFailed,
        `Connection failed (RTE:[89006] System call 'connect' failed, rc=111:Connection refused {${String(options.serverNode)}})`,
      );
    const uid = String(options.uid ?? options.UID ?? '');
    const pwd = String(options.pwd ?? options.PWD ?? '');
    if (this.state.logins.get(uid.toUpperCase()) !== pwd || pwd === '')
      throw new HanaError(CODES.authenticationFailed, 'authentication failed', '28000');
    const schema = typeof options.currentSchema === 'string' ? options.currentSchema : uid.toUpperCase();
    const c = new pg.Client({ ...clientBase(this.state.target), database: this.state.database, types: TYPES });
    c.on('error', () => {
      this.broken = true;
    });
    await c.connect();
    await c.query(`SET search_path = "${schema.replace(/"/g, '""')}", hana_builtin; SET TIME ZONE 'UTC'; SET lock_timeout = 0`);
    this.client = c;
    this.state.sessions.add(this);
  }

  private pg(): pg.Client {
    if (!this.client || this.broken) throw new HanaError(CODES.connectionDown, 'Connection down: socket closed');
    return this.client;
  }

  private async raw(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
    const c = this.pg();
    try {
      return await c.query(text, values);
    } catch (e) {
      if ((e as { code?: unknown }).code === undefined) {
        this.broken = true;
        throw new HanaError(CODES.connectionDown, 'Connection down: socket closed');
      }
      throw e;
    }
  }

  /** Translates (refusing what HANA refuses); used by `prepare` so that errors surface there. */
  static parse(text: string): PgStatement | DoBlock {
    return translate(text);
  }

  /** Runs a statement with bound values. */
  async execute(text: string, parsed: PgStatement | DoBlock, values: readonly unknown[], timeoutS = 0): Promise<ExecResult> {
    this.state.log.push(text);
    this.pg();
    const ms = Math.max(0, Math.round(timeoutS * 1000));
    if (ms !== this.timeoutMs) {
      await this.raw(`SET statement_timeout = ${ms}`);
      this.timeoutMs = ms;
    }
    if (!this.autoCommit && !this.inTransaction) {
      await this.raw('BEGIN ISOLATION LEVEL READ COMMITTED');
      this.inTransaction = true;
    }
    if (this.inTransaction) await this.raw('SAVEPOINT hana_statement');
    try {
      const result = parsed.kind === 'do' ? await this.runBlock(parsed) : await this.run(parsed, values);
      if (this.inTransaction) await this.raw('RELEASE SAVEPOINT hana_statement');
      return result;
    } catch (e) {
      const err = e instanceof HanaError ? e : fromPostgres(e);
      if (this.inTransaction && !this.broken) {
        if (err.code === CODES.deadlock || err.code === CODES.lockWaitTimeout) await this.endTransaction('ROLLBACK');
        else await this.raw('ROLLBACK TO SAVEPOINT hana_statement').catch(() => {});
      }
      throw err;
    }
  }

  private async run(s: PgStatement, values: readonly unknown[]): Promise<ExecResult> {
    if (values.length !== s.params)
      throw new HanaError(
        CODES.syntax,
        `sql syntax error: ${s.params} parameters in the statement, ${values.length} values bound`,
        '07001',
      );
    const bound: unknown[] = [];
    const text = render(s.parts, (i) => {
      const v = values[i];
      if (v === null || v === undefined) return 'NULL';
      bound.push(v);
      return placeholder(v, bound.length);
    });
    const r = await this.raw(text, bound);
    const columns = (r.fields ?? []).map((f) => ({ columnName: f.name, typeName: TYPE_NAMES[f.dataTypeID] ?? 'NVARCHAR' }));
    if (r.command === 'SELECT' || (r.fields?.length ?? 0) > 0) return { value: r.rows, columns };
    if (['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(r.command)) return { value: r.rowCount ?? 0, columns };
    return { value: undefined, columns };
  }

  private async runBlock(block: DoBlock): Promise<ExecResult> {
    const vars = new Map<string, unknown>();
    for (const step of block.steps) {
      if (step.kind === 'declare') vars.set(step.name, null);
      else if (step.kind === 'selectInto') {
        const r = await this.run(step.statement, []);
        const row = Array.isArray(r.value) ? r.value[0] : undefined;
        vars.set(step.name, row ? Object.values(row)[0] : null);
      } else {
        const v = Number(vars.get(step.name));
        const hit =
          step.op === '='
            ? v === step.value
            : step.op === '<>'
              ? v !== step.value
              : step.op === '>'
                ? v > step.value
                : v < step.value;
        if (hit) for (const text of step.then) await this.run(mustBeStatement(translate(text)), []);
      }
    }
    return { value: undefined, columns: [] };
  }

  private async endTransaction(op: 'COMMIT' | 'ROLLBACK'): Promise<void> {
    if (!this.inTransaction) return;
    this.inTransaction = false;
    await this.raw(op);
    if (op === 'ROLLBACK') this.timeoutMs = -1;
  }

  commit = () => this.endTransaction('COMMIT');
  rollback = () => this.endTransaction('ROLLBACK');

  /** Autocommit on commits an open transaction (as the client does). */
  async setAutoCommit(on: boolean): Promise<void> {
    this.autoCommit = on;
    if (on) await this.endTransaction('COMMIT');
  }

  /** Closes the session (an open transaction is rolled back). */
  async close(): Promise<void> {
    this.state.sessions.delete(this);
    const c = this.client;
    this.client = undefined;
    this.inTransaction = false;
    await c?.end().catch(() => {});
  }

  /** Fault: the connection breaks (the server went away). */
  breakNow(): void {
    this.broken = true;
    this.state.sessions.delete(this);
    this.client?.end().catch(() => {});
  }

  get connected(): boolean {
    return this.client !== undefined && !this.broken;
  }
}

function mustBeStatement(p: PgStatement | DoBlock): PgStatement {
  if (p.kind !== 'pg')
    throw new HanaError(CODES.syntax, 'sql syntax error: nested DO blocks are not implemented by the emulator');
  return p;
}
