/**
 * A recording's lines read and checked: each non-blank line one JSON value, the header first (if
 * any), then exchanges. Any problem is an `Error` naming the line (or array entry).
 */
import type { RecordedExchange, RecordingHeader } from './types.js';

/** An exchange and where it came from (`line 3`, `entry 3`), for messages. */
export interface Located {
  exchange: RecordedExchange;
  where: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** What is wrong with `v` as a header, or `undefined`. */
function headerProblem(v: Record<string, unknown>): string | undefined {
  if (v.recording !== 'scimgw/1') return `unsupported recording format ${JSON.stringify(v.recording)} (expected "scimgw/1")`;
  if (typeof v.started !== 'string') return 'the header has no "started" time';
  if (typeof v.pseudonymized !== 'boolean') return 'the header has no "pseudonymized" flag';
  return undefined;
}

/** What is wrong with `v` as an exchange, or `undefined`. */
function exchangeProblem(v: Record<string, unknown>): string | undefined {
  for (const key of ['seq', 'at', 'ms'] as const) if (!isNumber(v[key])) return `"${key}" is not a number`;
  if (typeof v.method !== 'string' || v.method === '') return '"method" is not a method';
  if (typeof v.url !== 'string') return '"url" is not a string';
  if (!Number.isInteger(v.status) || (v.status as number) < 100 || (v.status as number) > 599)
    return '"status" is not an HTTP status';
  if (v.headers !== undefined && (!isObject(v.headers) || Object.values(v.headers).some((h) => typeof h !== 'string')))
    return '"headers" is not an object of strings';
  return undefined;
}

/** Checks one parsed record; a header only as the first one. */
function check(value: unknown, first: boolean, where: string): RecordingHeader | RecordedExchange {
  if (!isObject(value)) throw new Error(`${where}: not a recorded exchange (not an object)`);
  if ('recording' in value) {
    if (!first) throw new Error(`${where}: a recording header after the first line`);
    const problem = headerProblem(value);
    if (problem) throw new Error(`${where}: ${problem}`);
    return value as unknown as RecordingHeader;
  }
  const problem = exchangeProblem(value);
  if (problem) throw new Error(`${where}: not a recorded exchange (${problem})`);
  return value as unknown as RecordedExchange;
}

/** The JSON values of the non-blank lines of `text`, each with its line number. */
function lines(text: string): { value: unknown; where: string }[] {
  const out: { value: unknown; where: string }[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `line ${i + 1}`;
    try {
      out.push({ value: JSON.parse(line), where });
    } catch (e) {
      throw new Error(`${where}: not JSON (${e instanceof Error ? e.message : String(e)})`);
    }
  });
  return out;
}

/**
 * The exchanges of a recording (its JSONL text, or its records), in arrival order: by `at`, then
 * `seq` (a recorder may write exchanges in the order it answered them).
 */
export function readRecording(input: string | readonly unknown[]): Located[] {
  const records = typeof input === 'string' ? lines(input) : input.map((value, i) => ({ value, where: `entry ${i + 1}` }));
  const out: Located[] = [];
  records.forEach(({ value, where }, i) => {
    const record = check(value, i === 0, where);
    if (!('recording' in record)) out.push({ exchange: record, where });
  });
  return out.sort((a, b) => a.exchange.at - b.exchange.at || a.exchange.seq - b.exchange.seq);
}
