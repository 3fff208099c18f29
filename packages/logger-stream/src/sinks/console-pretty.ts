import { levelName } from '../levels.js';
import type { LineSink } from './types.js';

const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
const CYAN = '\x1b[36m';
const LEVEL_COLORS: Readonly<Record<string, string>> = {
  trace: '\x1b[90m',
  debug: '\x1b[34m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
  fatal: '\x1b[41m\x1b[97m',
};

/** Fields shown in the line's head, or noise on a console; everything else is printed as compact JSON. */
const HEAD_FIELDS = new Set(['time', 'level', 'msg', 'tenant', 'reqId', 'name', 'pid', 'hostname', 'err']);

function timeOf(value: unknown): string {
  if (typeof value === 'string') return value.length >= 23 ? value.slice(11, 23) : value;
  if (typeof value === 'number') return new Date(value).toISOString().slice(11, 23);
  return '';
}

// Kept instead of pino-pretty (issue 28 allows it when the library measures worse here):
// `node bench/log-sinks.mjs`, 100,000 request lines, Node 20, load average 16-19: pino-pretty
// 13.0.0's prettyFactory 12.7-15.8 µs of CPU per line (52-77 µs wall) against 4.0-4.6 µs (17-24 µs
// wall) for this function, three times as much; 13.1+ needs Node 22. See docs/guide/performance.md,
// "Log sinks".

/**
 * Formats one JSON log line for people: `12:00:00.123 INFO  [tenant] (reqId) message {extra}`,
 * with an error's stack on the following lines. Lines that are not JSON pass through.
 *
 * @param line - one pino JSON line
 * @param color - emit ANSI colours
 * @returns the formatted text, newline-terminated
 */
export function formatPretty(line: string, color: boolean): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const paint = (code: string | undefined, text: string): string => (color && code ? `${code}${text}${RESET}` : text);
  const level = typeof rec.level === 'number' ? levelName(rec.level) : String(rec.level ?? 'info');
  let out = `${paint(DIM, timeOf(rec.time))} ${paint(LEVEL_COLORS[level], level.toUpperCase().padEnd(5))}`;
  if (typeof rec.tenant === 'string') out += ` ${paint(CYAN, `[${rec.tenant}]`)}`;
  if (typeof rec.reqId === 'string') out += ` ${paint(DIM, `(${rec.reqId})`)}`;
  if (rec.msg !== undefined) out += ` ${String(rec.msg)}`;
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec)) if (!HEAD_FIELDS.has(k)) extra[k] = v;
  if (Object.keys(extra).length > 0) out += ` ${paint(DIM, JSON.stringify(extra))}`;
  const err = rec.err as { stack?: unknown; message?: unknown } | undefined;
  if (err && typeof err === 'object') {
    const detail = typeof err.stack === 'string' ? err.stack : String(err.message ?? '');
    if (detail) out += `\n    ${paint(LEVEL_COLORS.error, detail.split('\n').join('\n    '))}`;
  }
  return `${out}\n`;
}

/** Options of {@link ConsoleSink}. */
export interface ConsoleSinkOptions {
  /** Where lines go; `process.stdout` in the gateway. */
  out: NodeJS.WritableStream;
  /** Human-readable lines (true) or the raw JSON lines (false). */
  pretty: boolean;
  /**
   * ANSI colours in pretty mode. Default: on when `out` is a terminal, off when it is a file or a
   * pipe; `NO_COLOR` turns them off and `FORCE_COLOR` (not `0`) on, whatever `out` is.
   */
  color?: boolean;
}

/** Whether to colour lines written to `out` by default (see {@link ConsoleSinkOptions.color}). */
export function colorByDefault(out: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return (out as { isTTY?: boolean }).isTTY === true;
}

/**
 * Console sink: raw JSON lines for log shippers, or a pretty form for people.
 * A failing stdout (closed pipe) is ignored rather than crashing the request.
 */
export class ConsoleSink implements LineSink {
  readonly #out: NodeJS.WritableStream;
  readonly #pretty: boolean;
  readonly #color: boolean;

  /** @param options - target stream and format */
  constructor(options: ConsoleSinkOptions) {
    this.#out = options.out;
    this.#pretty = options.pretty;
    this.#color = options.color ?? colorByDefault(options.out);
  }

  /** Writes one line. */
  write(line: string): void {
    try {
      this.#out.write(this.#pretty ? formatPretty(line, this.#color) : line);
    } catch {
      // EPIPE and friends: the console is gone, the gateway must keep serving.
    }
  }
}
