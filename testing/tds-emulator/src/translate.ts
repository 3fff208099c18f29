/**
 * The T-SQL subset the emulator executes, translated to PostgreSQL. It is strict on purpose: what
 * SQL Server would refuse (LIMIT, `?`/`$1` placeholders, undeclared @variables, reserved words as
 * bare names, ORDER BY in a subquery without TOP/OFFSET, a MERGE without `;`, unknown functions
 * and types, `TRUE`/`FALSE`, `CREATE TABLE IF NOT EXISTS`) fails here with SQL Server's error
 * number, so that a connector speaking the wrong dialect fails against the emulator.
 */
import { TsqlError } from './errors.js';
import { EXPRESSION_START, FUNCTIONS, pgType, RESERVED } from './keywords.js';
import { isOp, isWord, type Token, tokenize } from './lexer.js';

/** A declared parameter of `sp_executesql`: its position ($n) and PostgreSQL type. */
export interface Param {
  index: number;
  pgType: string;
  /** The bound value is NULL. */
  isNull?: boolean | undefined;
}

/** Session state the translation depends on. */
export interface TranslateContext {
  params: Map<string, Param>;
  quotedIdentifier: boolean;
  trancount: number;
}

/** One statement of a batch, ready to run. */
export type Statement =
  | { kind: 'pg'; text: string; order: number[]; lockTable?: string | undefined }
  | { kind: 'set'; option: string; value: string; pg?: string | undefined }
  | { kind: 'if'; condition: string; order: number[]; body: Statement }
  | { kind: 'transaction'; op: 'begin' | 'commit' | 'rollback' }
  | { kind: 'waitfor'; seconds: number };

interface Frame {
  query: boolean;
  orderBy: boolean;
  top?: string | undefined;
  offset: boolean;
  suffix?: string | undefined;
}

/** Unreserved keywords that a parenthesis may follow without being a function call. */
const NOT_CALLS = new Set(['USING', 'INCLUDE', 'APPLY', 'MATCHED', 'PARTITION']);

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const quoteName = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Splits a batch into statements and translates each. */
export function translateBatch(text: string, ctx: TranslateContext): Statement[] {
  const tokens = tokenize(text);
  const out: Statement[] = [];
  let start = 0;
  let depth = 0;
  const flush = (end: number, terminated: boolean) => {
    const part = tokens.slice(start, end);
    if (part.some((t) => t.kind !== 'ws')) out.push(...statement(part, ctx, terminated));
    start = end + (terminated ? 1 : 0);
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (isOp(t, '(')) depth++;
    else if (isOp(t, ')')) depth--;
    else if (depth === 0 && isOp(t, ';')) flush(i, true);
    else if (depth === 0 && isWord(t, 'SET') && i > start && firstWord(tokens, start) === 'SET') {
      // The driver's session batch: "set a on\nset b off …" without semicolons.
      flush(i, false);
      start = i;
    }
  }
  flush(tokens.length, false);
  return out;
}

function firstWord(tokens: Token[], from: number): string | undefined {
  for (let i = from; i < tokens.length; i++) if (tokens[i]?.kind !== 'ws') return tokens[i]?.value;
  return undefined;
}

function statement(all: Token[], ctx: TranslateContext, terminated: boolean): Statement[] {
  const tokens = all.filter((t) => t.kind !== 'ws');
  const head = tokens[0]?.value;
  if (head === 'SET') return [setOption(tokens)];
  if (head === 'BEGIN' && isWord(tokens[1], 'TRAN', 'TRANSACTION')) return [{ kind: 'transaction', op: 'begin' }];
  if (head === 'COMMIT') return [{ kind: 'transaction', op: 'commit' }];
  if (head === 'ROLLBACK') return [{ kind: 'transaction', op: 'rollback' }];
  if (head === 'WAITFOR') {
    const m = isWord(tokens[1], 'DELAY') ? /^(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(tokens[2]?.value ?? '') : null;
    if (!m) throw new TsqlError(102, "Incorrect syntax near 'WAITFOR'.");
    return [{ kind: 'waitfor', seconds: Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) }];
  }
  if (head === 'IF') {
    const body = tokens.findIndex(
      (t, i) => i > 1 && depthAt(tokens, i) === 0 && isWord(t, 'CREATE', 'ALTER', 'INSERT', 'UPDATE', 'DELETE', 'DROP', 'EXEC'),
    );
    if (body < 0) throw new TsqlError(102, "Incorrect syntax near 'IF'.");
    const cond = new Emitter(tokens.slice(1, body), ctx);
    const condition = cond.run();
    const then = statement(tokens.slice(body), ctx, terminated);
    return then.map((s) => ({
      kind: 'if' as const,
      condition: `SELECT CASE WHEN ${condition} THEN 1 ELSE 0 END AS ok`,
      order: cond.order,
      body: s,
    }));
  }
  if (head === 'MERGE' && !terminated)
    throw new TsqlError(10713, 'A MERGE statement must be terminated by a semi-colon (;).', 15);
  if (head === 'CREATE' && isWord(tokens[1], 'TRIGGER', 'PROCEDURE', 'PROC', 'FUNCTION', 'VIEW'))
    throw new TsqlError(102, `the TDS emulator does not implement CREATE ${tokens[1]?.value}`);
  const e = new Emitter(tokens, ctx);
  const text = e.run();
  return [{ kind: 'pg', text, order: e.order, lockTable: e.lockTable }];
}

function depthAt(tokens: Token[], at: number): number {
  let d = 0;
  for (let i = 0; i < at; i++) {
    if (isOp(tokens[i], '(')) d++;
    else if (isOp(tokens[i], ')')) d--;
  }
  return d;
}

function setOption(tokens: Token[]): Statement {
  const option = tokens
    .slice(1)
    .map((t) => t.value)
    .join(' ');
  const m = /^(.*?) (ON|OFF|-?\d+|\S+)$/.exec(option);
  const name = m?.[1] ?? option;
  const value = m?.[2] ?? '';
  if (name === 'TRANSACTION ISOLATION LEVEL READ' || name.startsWith('TRANSACTION ISOLATION LEVEL')) {
    const level = option.replace('TRANSACTION ISOLATION LEVEL ', '');
    const pg = level === 'SNAPSHOT' ? 'REPEATABLE READ' : level === 'READ UNCOMMITTED' ? 'READ COMMITTED' : level;
    return {
      kind: 'set',
      option: 'ISOLATION',
      value: level,
      pg: `SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL ${pg}`,
    };
  }
  if (name === 'LOCK_TIMEOUT')
    return { kind: 'set', option: name, value, pg: `SET lock_timeout = ${Math.max(0, Number(value))}` };
  return { kind: 'set', option: name, value };
}

/** Translates one statement's tokens (whitespace removed), frame by frame. */
class Emitter {
  private out: string[] = [];
  private frames: Frame[] = [];
  private returning: string | undefined;
  lockTable: string | undefined;
  /** Positions (in the declaration) of the parameters, in the order of $1, $2 … of the translation. */
  readonly order: number[] = [];
  private readonly head: string | undefined;

  constructor(
    private readonly t: Token[],
    private readonly ctx: TranslateContext,
  ) {
    this.head = t[0]?.value;
  }

  run(): string {
    this.frames.push({ query: this.head === 'SELECT', orderBy: false, offset: false });
    this.range(0, this.t.length);
    const top = this.frames.pop() as Frame;
    if (top.top) this.out.push(` LIMIT ${top.top}`);
    if (this.returning) this.out.push(` RETURNING ${this.returning}`);
    return this.out.join(' ');
  }

  private sub(from: number, to: number): string {
    const saved = this.out;
    this.out = [];
    this.range(from, to);
    const text = this.out.join(' ');
    this.out = saved;
    return text;
  }

  private frame(): Frame {
    return this.frames[this.frames.length - 1] as Frame;
  }

  /** Index of the `)` matching the `(` at `open`. */
  private close(open: number): number {
    let d = 0;
    for (let i = open; i < this.t.length; i++) {
      if (isOp(this.t[i], '(')) d++;
      else if (isOp(this.t[i], ')') && --d === 0) return i;
    }
    throw new TsqlError(102, "Incorrect syntax near ')'.");
  }

  /** Depth-1 commas of the parenthesis at `open`: argument ranges. */
  private args(open: number): [number, number][] {
    const end = this.close(open);
    const out: [number, number][] = [];
    let d = 0;
    let from = open + 1;
    for (let i = open + 1; i < end; i++) {
      if (isOp(this.t[i], '(')) d++;
      else if (isOp(this.t[i], ')')) d--;
      else if (d === 0 && isOp(this.t[i], ',')) {
        out.push([from, i]);
        from = i + 1;
      }
    }
    out.push([from, end]);
    return out;
  }

  private typeAt(i: number): { pg: string; next: number } {
    const name = this.t[i];
    if (name?.kind !== 'word' && name?.kind !== 'bracket')
      throw new TsqlError(102, `Incorrect syntax near '${name?.text ?? ''}'.`);
    let args: string[] = [];
    let next = i + 1;
    if (isWord(name, 'DOUBLE') && isWord(this.t[i + 1], 'PRECISION')) return { pg: 'DOUBLE PRECISION', next: i + 2 };
    if (isOp(this.t[i + 1], '(')) {
      const end = this.close(i + 1);
      args = this.t
        .slice(i + 2, end)
        .filter((x) => !isOp(x, ','))
        .map((x) => x.value);
      next = end + 1;
    }
    const pg = pgType(name.value, args);
    if (!pg) throw new TsqlError(243, `Type ${name.value} is not a defined system type.`);
    return { pg, next };
  }

  private range(from: number, to: number): void {
    let i = from;
    while (i < to) i = this.token(i, to);
  }

  private prev(i: number): Token | undefined {
    return this.t[i - 1];
  }

  /** Emits token `i` (and whatever construct starts there); returns the next index. */
  private token(i: number, to: number): number {
    const t = this.t[i] as Token;
    const f = this.frame();
    switch (t.kind) {
      case 'string':
        this.out.push(lit(t.value));
        return i + 1;
      case 'number':
        this.out.push(t.text);
        return i + 1;
      case 'bracket':
        this.out.push(quoteName(t.value));
        return i + 1;
      case 'dquote':
        this.out.push(this.ctx.quotedIdentifier ? quoteName(t.value) : lit(t.value));
        return i + 1;
      case 'variable': {
        const p = this.ctx.params.get(t.value);
        if (!p) throw new TsqlError(137, `Must declare the scalar variable "${t.text}".`, 15, 2);
        // A NULL is untyped in SQL Server's implicit conversions (an nvarchar NULL goes into a bit column).
        if (p.isNull) {
          this.out.push('NULL');
          return i + 1;
        }
        let n = this.order.indexOf(p.index) + 1;
        if (n === 0) n = this.order.push(p.index);
        this.out.push(`CAST($${n} AS ${p.pgType})`);
        return i + 1;
      }
      case 'sysvar':
        if (t.value === '@@version') this.out.push(lit('Microsoft SQL Server 2019 (TDS emulator on PostgreSQL)'));
        else if (t.value === '@@spid') this.out.push('pg_backend_pid()');
        else if (t.value === '@@trancount') this.out.push(String(this.ctx.trancount));
        else throw new TsqlError(137, `Must declare the scalar variable "${t.text}".`, 15, 2);
        return i + 1;
      case 'op':
        return this.op(t, i, f);
      case 'word':
        return this.word(t, i, to, f);
      default:
        return i + 1;
    }
  }

  private op(t: Token, i: number, f: Frame): number {
    if (t.value === '(') {
      const query = isWord(this.t[i + 1], 'SELECT');
      this.frames.push({ query, orderBy: false, offset: false });
      this.out.push('(');
      return i + 1;
    }
    if (t.value === ')') {
      const closed = this.frames.pop();
      if (!closed || this.frames.length === 0) throw new TsqlError(102, "Incorrect syntax near ')'.");
      if (closed.query && closed.orderBy && !closed.top && !closed.offset)
        throw new TsqlError(
          1033,
          'The ORDER BY clause is invalid in views, inline functions, derived tables, subqueries, and common table expressions, unless TOP, OFFSET or FOR XML is also specified.',
        );
      if (closed.top) this.out.push(` LIMIT ${closed.top}`);
      this.out.push(')');
      if (closed.suffix) this.out.push(closed.suffix);
      return i + 1;
    }
    if (t.value === '!<') this.out.push('>=');
    else if (t.value === '!>') this.out.push('<=');
    else this.out.push(t.value);
    void f;
    return i + 1;
  }

  private word(t: Token, i: number, to: number, f: Frame): number {
    const w = t.value;
    const before = this.prev(i);
    const next = this.t[i + 1];
    if (RESERVED.has(w)) {
      // A reserved word where only a name can stand: SQL Server wants it bracketed.
      if (isOp(before, '.') || isWord(before, 'AS'))
        throw new TsqlError(156, `Incorrect syntax near the keyword '${t.text}'.`, 15);
      const list = isOp(before, ',') || isOp(before, '(') || isWord(before, 'SELECT') || isOp(before, '=');
      if (list && !EXPRESSION_START.has(w) && !(isOp(before, '(') && isWord(this.t[i - 2], 'OVER'))) {
        throw new TsqlError(156, `Incorrect syntax near the keyword '${t.text}'.`, 15);
      }
    }
    switch (w) {
      case 'LIMIT':
      case 'RETURNING':
      case 'ILIKE':
      case 'NULLS':
      case 'SERIAL':
      case 'JSONB':
      case 'BOOLEAN':
        throw new TsqlError(102, `Incorrect syntax near '${t.text}'.`, 15);
      case 'TRUE':
      case 'FALSE':
        throw new TsqlError(207, `Invalid column name '${t.text}'.`);
      case 'ON':
        if (isWord(next, 'CONFLICT', 'DUPLICATE')) throw new TsqlError(102, `Incorrect syntax near '${next?.text}'.`, 15);
        break;
      case 'IF':
        throw new TsqlError(156, "Incorrect syntax near the keyword 'IF'.", 15);
      case 'CLUSTERED':
      case 'NONCLUSTERED':
        return i + 1;
      case 'TOP': {
        if (f.offset) throw new TsqlError(10741, 'A TOP can not be used in the same query or sub-query as a OFFSET.', 15);
        if (isOp(next, '(')) {
          const end = this.close(i + 1);
          f.top = `(${this.sub(i + 2, end)})`;
          return end + 1;
        }
        if (next?.kind !== 'number') throw new TsqlError(102, "Incorrect syntax near 'TOP'.", 15);
        f.top = next.text;
        return i + 2;
      }
      case 'ORDER':
        if (isWord(next, 'BY')) f.orderBy = true;
        break;
      case 'OFFSET':
        if (f.top) throw new TsqlError(10741, 'A TOP can not be used in the same query or sub-query as a OFFSET.', 15);
        if (!f.orderBy) throw new TsqlError(102, "Incorrect syntax near 'OFFSET'.", 15);
        f.offset = true;
        break;
      case 'FETCH':
        if (!f.offset) throw new TsqlError(153, 'Invalid usage of the option NEXT in the FETCH statement.', 15);
        break;
      case 'OUTPUT': {
        if (this.head !== 'INSERT') throw new TsqlError(102, 'the TDS emulator implements OUTPUT only in INSERT', 15);
        let end = i + 1;
        while (end < to && !isWord(this.t[end], 'VALUES', 'SELECT', 'DEFAULT')) end++;
        this.returning = this.sub(i + 1, end).replace(/\bINSERTED\s*\.\s*/gi, '');
        return end;
      }
      case 'HOLDLOCK':
        return i + 1;
      case 'WITH':
        if (this.head === 'MERGE' && isOp(next, '(') && isWord(this.t[i + 2], 'HOLDLOCK', 'SERIALIZABLE', 'UPDLOCK')) {
          this.lockTable = this.out.slice(1).join('').replace(/^INTO/i, '').trim();
          return this.close(i + 1) + 1;
        }
        break;
      case 'BY':
        if (isWord(before, 'MATCHED') && isWord(next, 'TARGET')) return i + 2;
        break;
      case 'IDENTITY':
        if (isOp(next, '(')) {
          this.out.push('GENERATED ALWAYS AS IDENTITY');
          return this.close(i + 1) + 1;
        }
        break;
      case 'COLLATE': {
        const name = next?.value ?? '';
        if (!/_BIN2?$|_CI_|_CS_|_CI$|_CS$/.test(name)) throw new TsqlError(448, `Invalid collation '${next?.text ?? ''}'.`);
        // In expressions a binary collation compares like PostgreSQL's "C". Columns keep the database
        // default (C.UTF-8: exact equality, Unicode LOWER()), because a "C" column would make
        // LOWER() fold ASCII only, where SQL Server folds all of Unicode even on a BIN2 column.
        if (this.head !== 'CREATE' && this.head !== 'ALTER') this.out.push('COLLATE "C"');
        return i + 2;
      }
      case 'PERSISTED':
        return i + 1;
      case 'AS': {
        // A computed column in CREATE TABLE: `[c] AS expr [PERSISTED]` → a stored generated column.
        const bb = this.prev(i - 1);
        if (
          this.head !== 'CREATE' ||
          !(before?.kind === 'bracket' || before?.kind === 'word') ||
          !(isOp(bb, '(') || isOp(bb, ','))
        )
          break;
        let end = i + 1;
        let d = 0;
        while (end < to && !(d === 0 && (isOp(this.t[end], ',') || isOp(this.t[end], ')')))) {
          if (isOp(this.t[end], '(')) d++;
          if (isOp(this.t[end], ')')) d--;
          end++;
        }
        const exprEnd = isWord(this.t[end - 1], 'PERSISTED') ? end - 1 : end;
        this.out.push(`VARCHAR(4000) GENERATED ALWAYS AS (${this.sub(i + 1, exprEnd)}) STORED`);
        return end;
      }
      case 'LIKE':
        return this.like(i, to, false);
      case 'NOT':
        if (isWord(next, 'LIKE')) return this.like(i + 1, to, true);
        break;
      case 'CROSS':
        if (isWord(next, 'APPLY')) {
          this.out.push('CROSS JOIN');
          return i + 2;
        }
        break;
    }
    if (this.isType(i)) {
      const { pg, next: n } = this.typeAt(i);
      this.out.push(pg);
      return n;
    }
    if (isOp(next, '(') && !RESERVED.has(w) && !NOT_CALLS.has(w) && !this.isNameBeforeColumns(i)) return this.call(t, i);
    if (isOp(next, '(') && ['LEFT', 'RIGHT', 'COALESCE', 'NULLIF', 'CONVERT'].includes(w)) return this.call(t, i);
    this.out.push(t.text);
    return i + 1;
  }

  /** In `CREATE TABLE t (…)`, `INSERT INTO t (…)`, `AS src (…)`: a name followed by a column list. */
  private isNameBeforeColumns(i: number): boolean {
    const b = this.prev(i);
    return isWord(b, 'INTO', 'TABLE', 'ON', 'REFERENCES', 'AS', 'INDEX', 'MERGE', 'UPDATE') || isOp(b, '.');
  }

  /** A column type in CREATE TABLE / ALTER TABLE: a type word right after a column name inside the column list. */
  private isType(i: number): boolean {
    if (this.head !== 'CREATE' && this.head !== 'ALTER') return false;
    const b = this.prev(i);
    if (b?.kind !== 'bracket' && b?.kind !== 'word' && b?.kind !== 'dquote') return false;
    const bb = this.prev(i - 1);
    return (isOp(bb, '(') || isOp(bb, ',') || isWord(bb, 'ADD', 'COLUMN')) && pgType(this.t[i]?.value ?? '', ['1']) !== undefined;
  }

  /** `x LIKE p [ESCAPE 'c']` → `x ~ tsql.like_re(p, 'c')`: SQL Server's pattern language ([…] included). */
  private like(i: number, to: number, negated: boolean): number {
    let end = this.primaryEnd(i + 1, to);
    const pattern = this.sub(i + 1, end);
    let escapeChar = 'NULL';
    if (isWord(this.t[end], 'ESCAPE')) {
      const e = this.t[end + 1];
      if (e?.kind !== 'string' || [...e.value].length !== 1)
        throw new TsqlError(506, 'The invalid escape character was specified in a LIKE predicate.');
      escapeChar = lit(e.value);
      end += 2;
    }
    if (negated) this.out.pop();
    this.out.push(`${negated ? '!~' : '~'} tsql.like_re(${pattern}, ${escapeChar})`);
    return end;
  }

  /** End (exclusive) of the primary expression starting at `i`. */
  private primaryEnd(i: number, to: number): number {
    const t = this.t[i];
    if (!t || i >= to) throw new TsqlError(102, "Incorrect syntax near 'LIKE'.");
    if (isOp(t, '(')) return this.close(i) + 1;
    if (t.kind === 'word' && isOp(this.t[i + 1], '(')) return this.close(i + 1) + 1;
    let j = i + 1;
    while (isOp(this.t[j], '.') && j + 1 < to) j += 2;
    return j;
  }

  /** A function call (checked against the implemented built-ins, some rewritten). */
  private call(t: Token, i: number): number {
    const w = t.value;
    if (!FUNCTIONS.has(w)) throw new TsqlError(195, `'${t.text}' is not a recognized built-in function name.`);
    const open = i + 1;
    const end = this.close(open);
    const args = this.args(open);
    const arg = (k: number) => {
      const [a, b] = args[k] ?? [0, 0];
      return this.sub(a, b);
    };
    switch (w) {
      case 'COUNT': {
        // SQL Server's COUNT is an int (PostgreSQL's a bigint); a window stays inside the cast.
        if (isWord(this.t[end + 1], 'OVER') && isOp(this.t[end + 2], '(')) {
          const overEnd = this.close(end + 2);
          this.out.push(`CAST(COUNT(${arg(0)}) ${this.sub(end + 1, overEnd + 1)} AS INTEGER)`);
          return overEnd + 1;
        }
        this.out.push(`CAST(COUNT(${arg(0)}) AS INTEGER)`);
        return end + 1;
      }
      case 'COUNT_BIG':
        this.out.push(`COUNT(${arg(0)})`);
        return end + 1;
      case 'ISNULL':
        this.out.push(`COALESCE(${arg(0)}, ${arg(1)})`);
        return end + 1;
      case 'CAST':
      case 'TRY_CAST': {
        const [a, b] = args[0] as [number, number];
        let as = -1;
        for (let k = b - 1; k > a; k--)
          if (isWord(this.t[k], 'AS') && depthAt(this.t.slice(a, k), k - a) === 0) {
            as = k;
            break;
          }
        if (as < 0) throw new TsqlError(1035, `Incorrect syntax near '${w}', expected 'AS'.`, 15);
        const { pg } = this.typeAt(as + 1);
        const expr = this.sub(a, as);
        if (w === 'CAST') this.out.push(`CAST(${expr} AS ${pg})`);
        else if (/INTEGER|BIGINT|SMALLINT|NUMERIC|DOUBLE/.test(pg))
          this.out.push(`CAST(tsql.try_number(CAST(${expr} AS TEXT)) AS ${pg})`);
        else throw new TsqlError(102, `the TDS emulator implements TRY_CAST only to numbers, not ${pg}`);
        return end + 1;
      }
      case 'CONVERT': {
        const [a] = args[0] as [number, number];
        const { pg } = this.typeAt(a);
        const style = args[2] ? arg(2) : 'NULL';
        this.out.push(`CAST(tsql.convert_style(${arg(1)}, ${style}) AS ${pg})`);
        return end + 1;
      }
      case 'DATEPART': {
        const part = this.t[(args[0] as [number, number])[0]]?.value ?? '';
        this.out.push(`tsql.datepart(${lit(part)}, ${arg(1)})`);
        return end + 1;
      }
      case 'OPENJSON':
        return this.openJson(i, end, args.length > 1 ? arg(1) : undefined);
      default:
        this.out.push(
          `${w === 'OBJECT_ID' || w === 'INDEXPROPERTY' || w === 'ISJSON' || w === 'LEN' || w === 'SCHEMA_NAME' || w === 'DB_NAME' || w === 'SYSUTCDATETIME' || w === 'GETUTCDATE' || w === 'NEWID' || w === 'JSON_VALUE' ? 'tsql.' : ''}${w}(${args
            .map((_, k) => arg(k))
            .filter((s) => s !== '')
            .join(', ')})`,
        );
        return end + 1;
    }
  }

  /** `OPENJSON(doc) WITH (name type 'path', …) AS alias` → a LATERAL subquery over tsql.openjson. */
  private openJson(i: number, end: number, path: string | undefined): number {
    if (path !== undefined) throw new TsqlError(102, 'the TDS emulator implements OPENJSON with one argument');
    const doc = this.sub(i + 2, end);
    let k = end + 1;
    if (!isWord(this.t[k], 'WITH') || !isOp(this.t[k + 1], '('))
      throw new TsqlError(102, 'the TDS emulator implements OPENJSON … WITH (…) only');
    const close = this.close(k + 1);
    const cols: string[] = [];
    let j = k + 2;
    while (j < close) {
      const name = this.t[j] as Token;
      const type = this.typeAt(j + 1);
      j = type.next;
      let p = '$.' + name.value;
      if (this.t[j]?.kind === 'string') p = (this.t[j++] as Token).value;
      if (isWord(this.t[j], 'AS') && isWord(this.t[j + 1], 'JSON'))
        throw new TsqlError(102, 'the TDS emulator does not implement AS JSON');
      cols.push(`CAST(tsql.json_path("tsql_j".value, ${lit(p)}) AS ${type.pg}) AS ${quoteName(name.value)}`);
      if (isOp(this.t[j], ',')) j++;
    }
    k = close + 1;
    if (isWord(this.t[k], 'AS')) k++;
    const alias = this.t[k];
    if (alias?.kind !== 'bracket' && alias?.kind !== 'word') throw new TsqlError(102, 'OPENJSON needs an alias here');
    this.out.push(
      `LATERAL (SELECT ${cols.join(', ')} FROM tsql.openjson(CAST(${doc} AS TEXT)) AS "tsql_j"(value)) AS ${quoteName(alias.value)}`,
    );
    return k + 1;
  }
}
