/**
 * One TDS connection: login, then SQLBatch, RPC (sp_executesql), Transaction Manager and
 * Attention requests, each answered with a token stream. Statements run on a PostgreSQL session
 * of their own after translation; SQL Server's statement atomicity inside a transaction is kept
 * with a savepoint per statement.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type pg from 'pg';
import { connectSession, type PostgresTarget, uniqueConstraintNames } from './backend.js';
import { fromPostgres, TsqlError } from './errors.js';
import { pgType } from './keywords.js';
import { Encryption, fedAuthAck, parseLogin7, parsePreLogin, preLoginResponse } from './login.js';
import * as tok from './tokens.js';
import { type Param, type Statement, translateBatch } from './translate.js';
import { readTypedValue, type TdsValue } from './types.js';
import { type Message, MessageReader, PacketType, packets, Reader, Writer } from './wire.js';

/** What the emulator was told to accept and to do wrong on purpose. */
export interface SessionHost {
  target: PostgresTarget;
  database: string;
  /** Database name clients see (LOGIN7's database must be this or empty). */
  databaseName: string;
  logins: ReadonlyMap<string, string>;
  accessTokens: ReadonlySet<string>;
  /** Called with every executed T-SQL statement text and its parameters. */
  record(entry: { sql: string; params: unknown[] }): void;
  /** A fault to raise instead of running `sql`, if one is armed for it. */
  takeFault(sql: string): { number: number; drop?: boolean } | undefined;
  nextSpid(): number;
}

const FAULT_TEXT: Record<number, string> = {
  1205: 'Transaction (Process ID 51) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.',
  1222: 'Lock request time out period exceeded.',
  40613: 'Database is not currently available. Please retry the connection later.',
  40501: 'The service is currently busy. Retry the request after 10 seconds.',
  49918: 'Cannot process request. Not enough resources to process request.',
  4060: 'Cannot open database requested by the login. The login failed.',
  233: 'A transport-level error has occurred.',
  2627: "Violation of UNIQUE KEY constraint 'injected'. Cannot insert duplicate key in object 'dbo.injected'.",
};

const SP_EXECUTESQL = 10;

/** Serves one client socket until it closes. */
export class TdsSession {
  private reader = new MessageReader();
  private state: 'prelogin' | 'login' | 'ready' = 'prelogin';
  private packetSize = 4096;
  private pg: pg.Client | undefined;
  private queue: Promise<void> = Promise.resolve();
  private quotedIdentifier = true;
  private transaction: Buffer | undefined;
  private attention = false;
  private running = false;
  private readonly spid: number;
  private fedAuthOffered = false;

  constructor(
    private readonly socket: Socket,
    private readonly host: SessionHost,
  ) {
    this.spid = host.nextSpid();
    socket.on('data', (chunk: Buffer) => {
      let messages: Message[];
      try {
        messages = this.reader.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const m of messages) {
        if (m.type === PacketType.Attention) this.onAttention();
        else
          this.queue = this.queue
            .then(() => this.handle(m))
            .catch(() => {
              socket.destroy();
            });
      }
    });
    socket.on('close', () => {
      void this.pg?.end().catch(() => {});
    });
    socket.on('error', () => {});
  }

  private send(type: number, payload: Buffer): void {
    if (this.socket.destroyed) return;
    for (const p of packets(type, payload, this.packetSize, this.spid)) this.socket.write(p);
  }

  private async handle(m: Message): Promise<void> {
    if (this.state === 'prelogin') {
      if (m.type !== PacketType.PreLogin) throw new Error('expected PRELOGIN');
      const p = parsePreLogin(m.payload);
      // No TLS inside TDS 7.4 here: a client that insists on encryption is told it is not supported.
      this.fedAuthOffered = p.fedAuthRequired && this.host.accessTokens.size > 0;
      this.send(PacketType.TabularResult, preLoginResponse(Encryption.NotSupported, this.fedAuthOffered));
      this.state = 'login';
      return;
    }
    if (this.state === 'login') {
      if (m.type !== PacketType.Login7) throw new Error('expected LOGIN7');
      await this.login(m.payload);
      return;
    }
    const w = new Writer();
    this.running = true;
    try {
      if (m.type === PacketType.SqlBatch) await this.batch(m.payload, w);
      else if (m.type === PacketType.Rpc) await this.rpc(m.payload, w);
      else if (m.type === PacketType.TransactionManager) await this.transactionManager(m.payload, w);
      else throw new Error(`unexpected message type ${m.type}`);
    } finally {
      this.running = false;
    }
    if (this.attention) {
      this.attention = false;
      tok.done(w, 'done', tok.DONE.Attention, 0);
    }
    this.send(PacketType.TabularResult, w.build());
  }

  private onAttention(): void {
    if (!this.running) {
      const w = new Writer();
      tok.done(w, 'done', tok.DONE.Attention, 0);
      this.send(PacketType.TabularResult, w.build());
      return;
    }
    this.attention = true;
    const pid = (this.pg as unknown as { processID?: number } | undefined)?.processID;
    if (pid)
      void connectSession(this.host.target, this.host.database).then(async (c) => {
        await c.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => {});
        await c.end();
      });
  }

  private async login(payload: Buffer): Promise<void> {
    const login = parseLogin7(payload);
    const w = new Writer();
    const fail = (number: number, text: string) => {
      tok.message(w, 'error', { number, severity: 14, text });
      tok.done(w, 'done', tok.DONE.Error, 0);
      this.send(PacketType.TabularResult, w.build());
      this.socket.end();
    };
    if (login.integratedSecurity)
      return fail(
        18452,
        'Login failed. The login is from an untrusted domain and cannot be used with Integrated authentication. (The TDS emulator does not implement SSPI/NTLM.)',
      );
    if (login.fedAuthToken !== undefined) {
      if (!this.fedAuthOffered || !this.host.accessTokens.has(login.fedAuthToken))
        return fail(18456, "Login failed for user '<token-identified principal>'.");
    } else if (this.host.logins.get(login.userName) !== login.password) {
      return fail(18456, `Login failed for user '${login.userName}'.`);
    }
    if (login.database && login.database !== this.host.databaseName)
      return fail(4060, `Cannot open database "${login.database}" requested by the login. The login failed.`);
    this.pg = await connectSession(this.host.target, this.host.database, () => this.socket.destroy());
    this.packetSize = Math.min(Math.max(login.packetSize || 4096, 512), 32_767);
    tok.envDatabase(w, this.host.databaseName, 'master');
    tok.envCollation(w);
    tok.loginAck(w);
    if (login.fedAuthToken !== undefined) w.raw(fedAuthAck());
    tok.envPacketSize(w, this.packetSize, 4096);
    tok.done(w, 'done', 0, 0);
    this.send(PacketType.TabularResult, w.build());
    this.state = 'ready';
  }

  /** Skips ALL_HEADERS ([MS-TDS] 2.2.5.3). */
  private headers(r: Reader): void {
    const total = r.u32();
    if (total < 4) throw new RangeError('ALL_HEADERS too short');
    r.bytes(total - 4);
  }

  private async batch(payload: Buffer, w: Writer): Promise<void> {
    const r = new Reader(payload);
    this.headers(r);
    const text = r.ucs2(r.remaining / 2);
    await this.execute(text, new Map(), [], w, 'batch');
  }

  private async rpc(payload: Buffer, w: Writer): Promise<void> {
    const r = new Reader(payload);
    this.headers(r);
    const nameLength = r.u16();
    const proc = nameLength === 0xffff ? r.u16() : r.ucs2(nameLength).toLowerCase();
    r.u16(); // OptionFlags
    if (proc !== SP_EXECUTESQL && proc !== 'sp_executesql') {
      tok.message(w, 'error', { number: 2812, severity: 16, text: `Could not find stored procedure '${proc}'.` });
      tok.done(w, 'proc', tok.DONE.Error, 0);
      return;
    }
    const args: { name: string; value: TdsValue }[] = [];
    while (r.remaining > 0) {
      const name = r.bVarchar().toLowerCase();
      r.u8(); // StatusFlags
      args.push({ name, value: readTypedValue(r) });
    }
    const stmt = args[0]?.value.value;
    if (typeof stmt !== 'string') {
      tok.message(w, 'error', {
        number: 214,
        severity: 16,
        text: "Procedure expects parameter '@statement' of type 'ntext/nchar/nvarchar'.",
      });
      tok.done(w, 'proc', tok.DONE.Error, 0);
      return;
    }
    const declared = parseDeclarations(typeof args[1]?.value.value === 'string' ? args[1].value.value : '');
    const values: unknown[] = [];
    args.slice(2).forEach((a, i) => {
      const name = a.name || [...declared.keys()][i] || '';
      const p = declared.get(name);
      if (!p) throw new TsqlError(8145, `${name} is not a parameter for procedure sp_executesql.`);
      values[p.index - 1] = pgValue(a.value);
      if (a.value.value === null) p.isNull = true;
    });
    await this.execute(stmt, declared, values, w, 'rpc');
  }

  private async transactionManager(payload: Buffer, w: Writer): Promise<void> {
    const r = new Reader(payload);
    this.headers(r);
    const type = r.u16();
    try {
      if (type === 5) {
        const isolation = r.u8();
        await this.begin(w, isolation);
      } else if (type === 7 || type === 8) {
        r.bVarchar();
        const flags = r.remaining ? r.u8() : 0;
        await this.end(w, type === 7 ? 'commit' : 'rollback');
        if (flags & 1) await this.begin(w, r.remaining ? r.u8() : 0);
      } else {
        throw new TsqlError(102, `the TDS emulator does not implement transaction manager request ${type}`);
      }
      tok.done(w, 'done', 0, 0);
    } catch (e) {
      const err = e instanceof TsqlError ? e : fromPostgres(e, () => false);
      tok.message(w, 'error', { number: err.number, severity: err.severity, text: err.message });
      tok.done(w, 'done', tok.DONE.Error, 0);
    }
  }

  private async begin(w: Writer, isolation: number): Promise<void> {
    if (this.transaction) throw new TsqlError(102, 'the TDS emulator does not implement nested transactions');
    const level = isolation === 4 ? 'REPEATABLE READ' : isolation === 5 ? 'SERIALIZABLE' : 'READ COMMITTED';
    await this.pg?.query(`BEGIN ISOLATION LEVEL ${level}`);
    this.transaction = randomBytes(8);
    tok.envTransaction(w, 8, this.transaction);
  }

  private async end(w: Writer, op: 'commit' | 'rollback'): Promise<void> {
    const descriptor = this.transaction;
    if (!descriptor) throw new TsqlError(3902, 'The COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION.');
    this.transaction = undefined;
    tok.envTransaction(w, op === 'commit' ? 9 : 10, descriptor);
    await this.pg?.query(op === 'commit' ? 'COMMIT' : 'ROLLBACK');
  }

  private async execute(
    text: string,
    params: Map<string, Param>,
    values: unknown[],
    w: Writer,
    mode: 'batch' | 'rpc',
  ): Promise<void> {
    const doneToken = mode === 'rpc' ? 'inproc' : 'done';
    const finish = (error: boolean) => {
      if (mode === 'rpc') {
        tok.returnStatus(w, error ? -6 : 0);
        tok.done(w, 'proc', error ? tok.DONE.Error : 0, 0);
      } else if (error) {
        tok.done(w, 'done', tok.DONE.Error, 0);
      }
    };
    let statements: Statement[];
    try {
      statements = translateBatch(text, { params, quotedIdentifier: this.quotedIdentifier, trancount: this.transaction ? 1 : 0 });
    } catch (e) {
      this.error(w, e, text);
      finish(true);
      return;
    }
    const fault = this.host.takeFault(text);
    if (fault?.drop) {
      // A failover as the client sees it: the server closes the connection mid-request.
      this.socket.end();
      return;
    }
    if (fault) {
      if (fault.number === 1205 && this.transaction) await this.end(w, 'rollback').catch(() => {});
      tok.message(w, 'error', {
        number: fault.number,
        severity: fault.number === 1205 ? 13 : 16,
        text: FAULT_TEXT[fault.number] ?? `Injected error ${fault.number}.`,
      });
      finish(true);
      if (mode === 'batch') return;
      return;
    }
    this.host.record({ sql: text, params: values });
    for (let i = 0; i < statements.length; i++) {
      const last = i === statements.length - 1;
      try {
        await this.run(statements[i] as Statement, values, w, doneToken, last && mode === 'batch' ? 0 : tok.DONE.More);
      } catch (e) {
        this.error(w, e instanceof TsqlError ? e : await this.mapError(e), `${text}\n  => ${JSON.stringify(statements[i])}`);
        finish(true);
        return;
      }
    }
    if (statements.length === 0 && mode === 'batch') tok.done(w, 'done', 0, 0);
    finish(false);
  }

  private async mapError(e: unknown): Promise<TsqlError> {
    if ((e as { code?: string }).code === 'TS609')
      return new TsqlError(13609, 'JSON text is not properly formatted. Unexpected character is found at position 0.');
    let names = new Set<string>();
    if ((e as { code?: string }).code === '23505' && this.pg) names = await uniqueConstraintNames(this.pg).catch(() => names);
    const err = fromPostgres(e, (n) => names.has(n));
    if (err.number === 1205 && this.transaction) {
      // SQL Server rolls the deadlock victim's transaction back.
      const w = new Writer();
      await this.end(w, 'rollback').catch(() => {});
    }
    return err;
  }

  private error(w: Writer, e: unknown, sql?: string): void {
    const err = e instanceof TsqlError ? e : new TsqlError(102, String((e as Error)?.message ?? e), 15);
    // TDS_EMULATOR_DEBUG=1 prints what was refused, with the statement, to find dialect gaps quickly.
    if (process.env.TDS_EMULATOR_DEBUG) console.error(`[tds-emulator] ${err.number}: ${err.message}\n  ${sql ?? ''}`);
    tok.message(w, 'error', { number: err.number, state: err.state, severity: err.severity, text: err.message });
  }

  private async run(s: Statement, values: unknown[], w: Writer, token: 'done' | 'inproc', more: number): Promise<void> {
    const c = this.pg as pg.Client;
    switch (s.kind) {
      case 'set':
        if (s.option === 'QUOTED_IDENTIFIER') this.quotedIdentifier = s.value === 'ON';
        if (s.pg) await c.query(s.pg);
        tok.done(w, token, more, 0);
        return;
      case 'transaction':
        if (s.op === 'begin') await this.begin(w, 2);
        else await this.end(w, s.op);
        tok.done(w, token, more, 0);
        return;
      case 'waitfor':
        await c.query('SELECT pg_sleep($1)', [s.seconds]);
        tok.done(w, token, more, 0);
        return;
      case 'if': {
        const r = await this.query(
          c,
          s.condition,
          s.order.map((k) => values[k - 1]),
        );
        if (String(r.rows[0]?.[0]) === '1') await this.run(s.body, values, w, token, more);
        else tok.done(w, token, more, 0);
        return;
      }
      case 'pg': {
        const own = s.lockTable !== undefined && !this.transaction;
        if (own) await c.query('BEGIN');
        try {
          if (s.lockTable) await c.query(`LOCK TABLE ${s.lockTable} IN SHARE ROW EXCLUSIVE MODE`);
          const r = await this.query(
            c,
            s.text,
            s.order.map((k) => values[k - 1]),
          );
          if (own) await c.query('COMMIT');
          if (r.fields.length) {
            const cols = r.fields.map((f) => ({ name: f.name, type: columnType(f.dataTypeID) }));
            tok.columnMetadata(w, cols);
            for (const row of r.rows)
              tok.row(
                w,
                cols,
                (row as unknown[]).map((v, k) =>
                  v === null
                    ? null
                    : cols[k]?.type === 'datetime2'
                      ? String(v).replace(/\+00(:00)?$/, '')
                      : unescapeNul(String(v)),
                ),
              );
            tok.done(w, token, more | tok.DONE.Count, r.rows.length);
          } else {
            tok.done(w, token, more | (r.rowCount !== null ? tok.DONE.Count : 0), r.rowCount ?? 0);
          }
        } catch (e) {
          if (own) await c.query('ROLLBACK').catch(() => {});
          throw e;
        }
        return;
      }
    }
  }

  /** Runs one statement; inside a transaction a failing statement is undone alone (SQL Server's statement atomicity). */
  private async query(c: pg.Client, text: string, values: unknown[]): Promise<pg.QueryArrayResult> {
    const args = values;
    if (!this.transaction) return c.query({ text, values: args, rowMode: 'array' });
    await c.query('SAVEPOINT tds_statement');
    try {
      const r = await c.query({ text, values: args, rowMode: 'array' });
      await c.query('RELEASE SAVEPOINT tds_statement');
      return r;
    } catch (e) {
      await c.query('ROLLBACK TO SAVEPOINT tds_statement').catch(() => {});
      throw e;
    }
  }
}

/** `@p1 nvarchar(4000), @p2 int` → name → position and PostgreSQL type. */
export function parseDeclarations(text: string): Map<string, Param> {
  const out = new Map<string, Param>();
  if (!text.trim()) return out;
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  parts.forEach((p, i) => {
    const m = /^\s*(@[A-Za-z0-9_#$@]+)\s+([A-Za-z0-9_]+)\s*(?:\(([^)]*)\))?\s*(?:OUTPUT|OUT)?\s*$/i.exec(p);
    if (!m) throw new TsqlError(102, `Incorrect syntax near '${p.trim()}'.`, 15);
    const type = pgType(m[2] as string, m[3] ? m[3].split(',').map((s) => s.trim()) : []);
    if (!type) throw new TsqlError(2715, `Column, parameter, or variable #${i + 1}: Cannot find data type ${m[2]}.`);
    out.set((m[1] as string).toLowerCase(), { index: i + 1, pgType: type });
  });
  return out;
}

/**
 * PostgreSQL text cannot hold U+0000, SQL Server's can: text goes in with U+0000 and U+E000
 * written as U+E000 U+E001 and U+E000 U+E000 (an injective escape) and comes back unescaped.
 */
export function escapeNul(s: string): string {
  return /[\u0000\ue000]/.test(s) ? s.replace(/[\u0000\ue000]/g, (c) => (c === '\u0000' ? '\ue000\ue001' : '\ue000\ue000')) : s;
}

/** The inverse of {@link escapeNul}. */
export function unescapeNul(s: string): string {
  return s.includes('\ue000') ? s.replace(/\ue000([\ue000\ue001])/g, (_, c) => (c === '\ue001' ? '\u0000' : '\ue000')) : s;
}

function pgValue(v: TdsValue): unknown {
  if (v.value === null) return null;
  if (typeof v.value === 'string') return escapeNul(v.value);
  if (typeof v.value === 'bigint') return v.value.toString();
  return v.value;
}

function columnType(oid: number): 'bit' | 'int' | 'bigint' | 'smallint' | 'float' | 'datetime2' | 'nvarchar' {
  switch (oid) {
    case 16:
      return 'bit';
    case 20:
      return 'bigint';
    case 21:
      return 'smallint';
    case 23:
      return 'int';
    case 700:
    case 701:
    case 1700:
      return 'float';
    case 1114:
    case 1184:
      return 'datetime2';
    default:
      return 'nvarchar';
  }
}
