/**
 * The SAP HANA SQL subset the emulator executes, translated to PostgreSQL. Strict on purpose: what
 * HANA refuses (`$1`/`@p1` placeholders, back-quotes, brackets, `::`, `ON CONFLICT`, `RETURNING`,
 * `ILIKE`, `OFFSET … FETCH`, `TOP` with `LIMIT`/`OFFSET`, `OFFSET` without `LIMIT`, `CREATE … IF
 * NOT EXISTS`, a `SELECT` without `FROM`, unknown functions and types, `CONCAT` with more than two
 * arguments) fails here with HANA's error code, so that a connector speaking another dialect fails.
 *
 * Translation: undelimited names are upper-cased and delimited (HANA folds them to upper case),
 * `?` become numbered PostgreSQL parameters typed by the bound value, `LIKE` gets `ESCAPE ''` when
 * it has none (HANA has no default escape character; PostgreSQL's is the backslash), `CREATE
 * COLUMN TABLE` becomes `CREATE TABLE`, calculated columns become stored generated columns,
 * `JSON_TABLE` becomes a lateral subquery over the emulator's JSON functions, `DUMMY` and the `SYS`
 * catalog views are views of the backend database.
 */
import { CODES, HanaError, notImplemented, syntaxError } from './errors.js';
import { BARE_IN_POSTGRES, FOREIGN_WORDS, FUNCTIONS, KEYWORDS, pgType, RESERVED } from './keywords.js';
import { isOp, isWord, type Token, tokenize } from './lexer.js';

/** Statement text with the positions of the bound values (0-based, in `?` order). */
export type Part = string | { param: number };

/** A statement for PostgreSQL. */
export interface PgStatement {
  kind: 'pg';
  parts: Part[];
  /** Number of `?` in the statement. */
  params: number;
}

/** One step of an anonymous block (`DO BEGIN … END`). */
export type DoStep =
  | { kind: 'declare'; name: string }
  | { kind: 'selectInto'; name: string; statement: PgStatement }
  | { kind: 'if'; name: string; op: '=' | '<>' | '>' | '<'; value: number; then: string[] };

/** An anonymous SQLScript block. */
export interface DoBlock {
  kind: 'do';
  steps: DoStep[];
}

const HEADS = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'CREATE', 'DROP', 'WITH', 'ALTER']);
/** Words after which a name, not a function, stands before `(`. */
const NAME_BEFORE_PAREN = new Set(['TABLE', 'INTO', 'ON', 'REFERENCES', 'MERGE', 'UPDATE']);

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
const delimited = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Translates one statement (a trailing `;` is allowed). */
export function translate(text: string): PgStatement | DoBlock {
  const tokens = tokenize(text).filter((t) => t.kind !== 'ws');
  while (isOp(tokens[tokens.length - 1], ';')) tokens.pop();
  const head = tokens[0];
  if (!head) throw syntaxError('', 'empty statement');
  if (isWord(head, 'DO')) return doBlock(tokens);
  if (head.kind !== 'word' || !HEADS.has(head.value)) throw notImplemented(`statements beginning with ${head.text}`);
  const semi = tokens.findIndex((t) => isOp(t, ';'));
  if (semi >= 0) throw syntaxError(';', 'one statement per call');
  if (isWord(head, 'UPSERT', 'REPLACE')) throw notImplemented('UPSERT');
  return statement(tokens);
}

function statement(tokens: Token[], variables = false): PgStatement {
  const e = new Emitter(tokens, variables);
  return { kind: 'pg', parts: e.run(), params: e.params };
}

/** `DO BEGIN DECLARE v INTEGER; SELECT COUNT(*) INTO v FROM …; IF :v = 0 THEN EXEC '…'; END IF; END`. */
function doBlock(t: Token[]): DoBlock {
  if (!isWord(t[1], 'BEGIN') || !isWord(t[t.length - 1], 'END')) throw syntaxError(t[1]?.text ?? 'DO', 'DO BEGIN … END');
  const body = t.slice(2, -1);
  const steps: DoStep[] = [];
  let i = 0;
  const until = (from: number) => {
    let j = from;
    while (j < body.length && !isOp(body[j], ';')) j++;
    return j;
  };
  while (i < body.length) {
    const w = body[i];
    if (isWord(w, 'DECLARE')) {
      const end = until(i);
      const name = body[i + 1];
      if (name?.kind !== 'word' || end < i + 3) throw syntaxError(name?.text ?? 'DECLARE');
      steps.push({ kind: 'declare', name: name.value });
      i = end + 1;
    } else if (isWord(w, 'SELECT')) {
      const end = until(i);
      const part = body.slice(i, end);
      const into = part.findIndex((x) => isWord(x, 'INTO'));
      const name = part[into + 1];
      if (into < 0 || name?.kind !== 'word') throw notImplemented('SELECT without INTO in a DO block');
      steps.push({
        kind: 'selectInto',
        name: name.value,
        statement: statement([...part.slice(0, into), ...part.slice(into + 2)]),
      });
      i = end + 1;
    } else if (isWord(w, 'IF')) {
      const v = body[i + 1];
      const op = body[i + 2];
      const n = body[i + 3];
      if (v?.kind !== 'variable' || op?.kind !== 'op' || !['=', '<>', '>', '<'].includes(op.value) || n?.kind !== 'number')
        throw notImplemented('IF conditions other than :variable <op> number');
      if (!isWord(body[i + 4], 'THEN')) throw syntaxError(body[i + 4]?.text ?? 'IF', 'THEN expected');
      const then: string[] = [];
      let j = i + 5;
      while (!(isWord(body[j], 'END') && isWord(body[j + 1], 'IF'))) {
        if (j >= body.length) throw syntaxError('IF', 'END IF expected');
        if (!isWord(body[j], 'EXEC') || body[j + 1]?.kind !== 'string' || !isOp(body[j + 2], ';'))
          throw notImplemented("statements other than EXEC '…' inside IF");
        then.push((body[j + 1] as Token).value);
        j += 3;
      }
      steps.push({ kind: 'if', name: v.value, op: op.value as '=', value: Number(n.value), then });
      i = until(j) + 1;
    } else throw notImplemented(`SQLScript statement ${w?.text ?? ''}`);
  }
  return { kind: 'do', steps };
}

/** Translates the tokens (whitespace removed) of one statement. */
class Emitter {
  private out: Part[] = [];
  params = 0;
  private depth = 0;
  private readonly createTable: boolean;

  constructor(
    private readonly t: Token[],
    private readonly variables: boolean,
  ) {
    this.createTable = isWord(t[0], 'CREATE') && t.slice(1, 4).some((x) => isWord(x, 'TABLE'));
  }

  run(): Part[] {
    this.range(0, this.t.length);
    return this.out;
  }

  private emit(s: string): void {
    this.out.push(s);
  }

  private range(from: number, to: number): void {
    let i = from;
    const end = Math.min(to, this.t.length);
    while (i < end) i = this.token(i);
  }

  /** Index of the `)` matching the `(` at `open`. */
  private close(open: number): number {
    let d = 0;
    for (let i = open; i < this.t.length; i++) {
      if (isOp(this.t[i], '(')) d++;
      else if (isOp(this.t[i], ')') && --d === 0) return i;
    }
    throw syntaxError('(', 'unbalanced parentheses');
  }

  /** Depth-0 comma-separated ranges inside the parenthesis at `open`. */
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
    if (from < end || out.length) out.push([from, end]);
    return out;
  }

  /** A data type at `i` (name and optional arguments) → PostgreSQL; 257 for what HANA has no type for. */
  private type(i: number): { pg: string; next: number } {
    const name = this.t[i];
    if (name?.kind !== 'word') throw syntaxError(name?.text ?? '', 'data type expected');
    let args: string[] = [];
    let next = i + 1;
    if (isOp(this.t[i + 1], '(')) {
      const end = this.close(i + 1);
      args = this.t
        .slice(i + 2, end)
        .filter((x) => !isOp(x, ','))
        .map((x) => x.value);
      next = end + 1;
    }
    const pg = pgType(name.value, args);
    if (!pg) throw syntaxError(name.text, 'invalid datatype');
    return { pg, next };
  }

  private token(i: number): number {
    const t = this.t[i] as Token;
    switch (t.kind) {
      case 'string':
        this.emit(literal(t.value));
        return i + 1;
      case 'ident':
        // A delimited name, then (in CREATE TABLE's column list) its data type.
        this.emit(delimited(t.value));
        if (this.createTable && this.depth === 1 && (isOp(this.t[i - 1], '(') || isOp(this.t[i - 1], ','))) {
          const ty = this.type(i + 1);
          this.emit(ty.pg);
          return ty.next;
        }
        return i + 1;
      case 'number':
        this.emit(t.text);
        return i + 1;
      case 'param':
        this.out.push({ param: this.params++ });
        return i + 1;
      case 'variable':
        if (!this.variables) throw syntaxError(t.text, 'variables exist only in SQLScript');
        this.emit(delimited(t.value));
        return i + 1;
      case 'op':
        if (t.value === '(') this.depth++;
        else if (t.value === ')') this.depth--;
        this.emit(t.value);
        return i + 1;
      case 'word':
        return this.word(t, i);
      default:
        return i + 1;
    }
  }

  private word(t: Token, i: number): number {
    const v = t.value;
    const next = this.t[i + 1];
    const reason = FOREIGN_WORDS.get(v);
    if (reason) throw syntaxError(t.text, reason);
    if (v === 'TOP') {
      if (this.t.some((x) => isWord(x, 'LIMIT', 'OFFSET'))) throw syntaxError('TOP', 'TOP cannot be combined with LIMIT/OFFSET');
      throw notImplemented('SELECT TOP');
    }
    if (v === 'IF' && isWord(next, 'NOT', 'EXISTS')) throw syntaxError('IF', 'HANA 2 has no IF [NOT] EXISTS clause');
    if (v === 'CREATE' && isWord(next, 'COLUMN', 'ROW') && isWord(this.t[i + 2], 'TABLE')) {
      this.emit('CREATE TABLE');
      return i + 3;
    }
    if (v === 'GENERATED' && isWord(next, 'ALWAYS') && isWord(this.t[i + 2], 'AS') && !isWord(this.t[i + 3], 'IDENTITY'))
      return this.generated(i + 3);
    if (v === 'LIKE_REGEXPR') {
      this.emit('~');
      return i + 1;
    }
    if (v === 'LIKE') return this.like(i);
    if (v === 'OFFSET' && !isWord(this.t[i - 2], 'LIMIT')) throw syntaxError('OFFSET', 'OFFSET needs LIMIT before it');
    if (v === 'SELECT') {
      const rows = this.rowsChain(i);
      if (rows) return rows;
      this.requireFrom(i);
    }
    if (isOp(next, '(')) {
      if (v === 'JSON_TABLE') return this.jsonTable(i);
      if (v === 'CAST') return this.cast(i);
      if (v === 'CONCAT' && this.args(i + 1).length !== 2)
        throw new HanaError(CODES.wrongArguments, 'wrong number of arguments in function invocation: CONCAT');
      if (FUNCTIONS.has(v)) {
        const pg = FUNCTIONS.get(v) ?? v;
        if (BARE_IN_POSTGRES.has(pg)) {
          if (!isOp(this.t[i + 2], ')'))
            throw new HanaError(CODES.wrongArguments, `wrong number of arguments in function invocation: ${v}`);
          this.emit(pg);
          return i + 3;
        }
        this.emit(pg);
        return i + 1;
      }
      if (!RESERVED.has(v) && !KEYWORDS.has(v) && !isWord(this.t[i - 1], ...NAME_BEFORE_PAREN))
        throw new HanaError(CODES.invalidFunction, `invalid name of function or procedure: ${v}`);
    }
    if (v === 'CURRENT_UTCTIMESTAMP') {
      this.emit("(now() AT TIME ZONE 'UTC')");
      return i + 1;
    }
    if (v === 'CURRENT_TIMESTAMP') {
      this.emit('LOCALTIMESTAMP');
      return i + 1;
    }
    if (RESERVED.has(v) || KEYWORDS.has(v)) {
      this.emit(v);
      return i + 1;
    }
    if (this.createTable && this.depth === 1 && (isOp(this.t[i - 1], '(') || isOp(this.t[i - 1], ','))) {
      // An undelimited column name, then its type.
      this.emit(delimited(v));
      const ty = this.type(i + 1);
      this.emit(ty.pg);
      return ty.next;
    }
    if (this.variables && v === 'DUMMY') {
      this.emit('"DUMMY"');
      return i + 1;
    }
    // An undelimited name: HANA folds it to upper case.
    this.emit(delimited(v));
    return i + 1;
  }

  /** `SELECT` must have a `FROM` at its own level (HANA: `FROM DUMMY` for a row without a table). */
  private requireFrom(at: number): void {
    let d = 0;
    for (let j = at + 1; j < this.t.length; j++) {
      const x = this.t[j];
      if (isOp(x, '(')) d++;
      else if (isOp(x, ')')) {
        if (--d < 0) break;
      } else if (d === 0 && isWord(x, 'FROM')) return;
      else if (d === 0 && isWord(x, 'UNION', 'EXCEPT', 'INTERSECT', 'MINUS')) break;
    }
    throw syntaxError('SELECT', 'a SELECT needs a FROM clause (FROM DUMMY)');
  }

  /**
   * `SELECT <row> FROM DUMMY UNION ALL SELECT <row> FROM DUMMY …` (rows of bound values): HANA types
   * each column over all rows; PostgreSQL resolves a UNION pairwise (two NULLs become text before
   * a boolean is met), so the chain becomes one `VALUES` list, which it resolves as a whole.
   */
  private rowsChain(at: number): number | undefined {
    const branches: [number, number][] = [];
    let i = at;
    for (;;) {
      if (!isWord(this.t[i], 'SELECT')) return undefined;
      let d = 0;
      let from = -1;
      for (let j = i + 1; j < this.t.length; j++) {
        if (isOp(this.t[j], '(')) d++;
        else if (isOp(this.t[j], ')')) {
          if (--d < 0) break;
        } else if (d === 0 && isWord(this.t[j], 'FROM')) {
          from = j;
          break;
        }
      }
      if (from < 0 || !isWord(this.t[from + 1], 'DUMMY')) return undefined;
      branches.push([i + 1, from]);
      i = from + 2;
      if (isWord(this.t[i], 'UNION') && isWord(this.t[i + 1], 'ALL')) i += 2;
      else break;
    }
    const after = this.t[i];
    if (branches.length < 2 || !(after === undefined || isOp(after, ')'))) return undefined;
    const names: string[] = [];
    const rows = branches.map(([from, to]) =>
      this.items(from, to).map(([f, t]): [number, number, string | undefined] => {
        const named = isWord(this.t[t - 2], 'AS') && (this.t[t - 1]?.kind === 'ident' || this.t[t - 1]?.kind === 'word');
        return named ? [f, t - 2, (this.t[t - 1] as Token).value] : [f, t, undefined];
      }),
    );
    (rows[0] ?? []).forEach(([, , name], k) => {
      names.push(name ?? `COLUMN_${k + 1}`);
    });
    this.emit('SELECT * FROM (VALUES');
    rows.forEach((row, b) => {
      if (row.length !== names.length) throw syntaxError('UNION', 'all branches of a UNION need the same number of columns');
      this.emit(b ? ', (' : '(');
      row.forEach(([f, t], k) => {
        if (k) this.emit(',');
        const depth = this.depth;
        this.range(f, t);
        this.depth = depth;
      });
      this.emit(')');
    });
    this.emit(`) AS hana_rows(${names.map(delimited).join(', ')})`);
    return i;
  }

  /** Depth-0 comma-separated ranges in `[from, to)`. */
  private items(from: number, to: number): [number, number][] {
    const out: [number, number][] = [];
    let d = 0;
    let start = from;
    for (let i = from; i < to; i++) {
      if (isOp(this.t[i], '(')) d++;
      else if (isOp(this.t[i], ')')) d--;
      else if (d === 0 && isOp(this.t[i], ',')) {
        out.push([start, i]);
        start = i + 1;
      }
    }
    out.push([start, to]);
    return out;
  }

  /** `LIKE <operand> [ESCAPE …]`: without ESCAPE, `ESCAPE ''` (no escape character, as in HANA). */
  private like(i: number): number {
    this.emit('LIKE');
    let e = i + 1;
    const first = this.t[e];
    if (!first) throw syntaxError('LIKE', 'a pattern expected');
    if (isOp(first, '(')) e = this.close(e) + 1;
    else if (first?.kind === 'word' && isOp(this.t[e + 1], '(')) e = this.close(e + 1) + 1;
    else {
      e++;
      while (isOp(this.t[e], '.') && this.t[e + 1]) e += 2;
    }
    this.range(i + 1, e);
    if (!isWord(this.t[e], 'ESCAPE')) this.emit("ESCAPE ''");
    return e;
  }

  /** `GENERATED ALWAYS AS <expression>` (a calculated column) → a stored generated column. */
  private generated(from: number): number {
    let d = 0;
    let end = from;
    for (; end < this.t.length; end++) {
      if (isOp(this.t[end], '(')) d++;
      else if (isOp(this.t[end], ')')) {
        if (d === 0) break;
        d--;
      } else if (d === 0 && isOp(this.t[end], ',')) break;
    }
    this.emit('GENERATED ALWAYS AS (');
    const saved = this.depth;
    this.range(from, end);
    this.depth = saved;
    this.emit(') STORED');
    return end;
  }

  /** `CAST(<expression> AS <type>)`. */
  private cast(i: number): number {
    const end = this.close(i + 1);
    let d = 0;
    let as = -1;
    for (let j = i + 2; j < end; j++) {
      if (isOp(this.t[j], '(')) d++;
      else if (isOp(this.t[j], ')')) d--;
      else if (d === 0 && isWord(this.t[j], 'AS')) as = j;
    }
    if (as < 0) throw syntaxError('CAST', 'AS <type> expected');
    this.emit('CAST(');
    this.range(i + 2, as);
    const ty = this.type(as + 1);
    if (ty.next !== end) throw syntaxError(this.t[ty.next]?.text ?? ')', 'one data type expected');
    this.emit(`AS ${ty.pg})`);
    return end + 1;
  }

  /** `JSON_TABLE(<doc>, '<path>' COLUMNS (<name> <type> PATH '<path>', …))` → a lateral subquery. */
  private jsonTable(i: number): number {
    const end = this.close(i + 1);
    const [doc, rest] = this.args(i + 1);
    if (!doc || !rest) throw syntaxError('JSON_TABLE', 'JSON_TABLE(<document>, <path> COLUMNS (…))');
    const path = this.t[rest[0]];
    if (path?.kind !== 'string' || !isWord(this.t[rest[0] + 1], 'COLUMNS') || !isOp(this.t[rest[0] + 2], '('))
      throw syntaxError(path?.text ?? 'JSON_TABLE', 'a path and COLUMNS (…) expected');
    const colsOpen = rest[0] + 2;
    const colsClose = this.close(colsOpen);
    if (colsClose !== end - 1) throw notImplemented('JSON_TABLE error clauses');
    const cols: string[] = [];
    for (const [from, to] of this.args(colsOpen)) {
      const name = this.t[from];
      if (name?.kind !== 'ident' && name?.kind !== 'word') throw syntaxError(name?.text ?? ',', 'column name expected');
      const ty = this.type(from + 1);
      const p = this.t[ty.next + 1];
      if (!isWord(this.t[ty.next], 'PATH') || p?.kind !== 'string' || ty.next + 2 !== to)
        throw notImplemented('JSON_TABLE columns other than <name> <type> PATH <path>');
      cols.push(`CAST(hana_builtin.json_path(hana_e.v, ${literal(p.value)}) AS ${ty.pg}) AS ${delimited(name.value)}`);
    }
    this.emit(`LATERAL (SELECT ${cols.join(', ')} FROM hana_builtin.json_items((`);
    const saved = this.depth;
    this.range(doc[0], doc[1]);
    this.depth = saved;
    this.emit(`), ${literal(path.value)}) AS hana_e(v))`);
    return end + 1;
  }
}

/** The statement text with `$n` parameters; `cast` gives each bound value's placeholder. */
export function render(parts: readonly Part[], placeholder: (index: number) => string): string {
  return parts.map((p) => (typeof p === 'string' ? p : placeholder(p.param))).join(' ');
}
