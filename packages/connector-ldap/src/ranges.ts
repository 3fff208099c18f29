/**
 * Range retrieval of attribute values (Active Directory). A server that limits how many values of
 * one attribute a search returns (AD's `MaxValRange`: 1,500 since Windows Server 2003, 1,000
 * before) answers a group of 2,000 members with `member;range=0-1499` and no `member` at all; the
 * rest must be asked for by name, `member;range=1500-*`, until an answer ends in `-*`. Without
 * this, a big AD group reads as empty or cut short, and whatever is written from that read (a
 * PATCH applied to the list read, a failed write put back) loses the members past the first
 * range. {@link completeRanges} turns every ranged attribute of the entries a search returned into
 * the whole attribute, so no reader sees a range.
 */
import type { LdapValue } from './codec.js';
import type { LdapEntry } from './entry.js';
import { resultCodeOf } from './errors.js';

/** An attribute description's range option, parsed (`member;range=1500-*`). */
export interface RangeOption {
  /** The attribute description without the range option, as the server spelled it (lower case here). */
  attribute: string;
  /** Index of the first value in this answer (0-based). */
  low: number;
  /** Index of the last value in this answer; `undefined` for `*`, the last value of the attribute. */
  high: number | undefined;
}

const RANGE = /^(.+?);range=(\d{1,9})-(\d{1,9}|\*)((?:;.*)?)$/i;

/**
 * Parses a returned attribute description that carries a range option; `undefined` for one that
 * does not, or whose range is malformed (high below low). Other options stay on the attribute
 * (`member;range=0-1499` → `member`, `x;binary;range=0-*` → `x;binary`).
 */
export function parseRangeOption(description: string): RangeOption | undefined {
  const m = RANGE.exec(description);
  if (!m) return undefined;
  const low = Number(m[2]);
  const high = m[3] === '*' ? undefined : Number(m[3]);
  if (high !== undefined && high < low) return undefined;
  return { attribute: `${m[1]}${m[4] ?? ''}`, low, high };
}

/** The next range to ask for after an answer that ended at `high`. */
export const nextRange = (attribute: string, high: number) => `${attribute};range=${high + 1}-*`;

/** Fetches one entry with only the named (ranged) attribute, by base search. */
export type RangeFetch = (dn: string, attribute: string) => Promise<LdapEntry | undefined>;

/** Thrown when a server's ranges do not add up (an answer that does not start where the last ended). */
export class RangeRetrievalError extends Error {
  override readonly name = 'RangeRetrievalError';
}

/**
 * Replaces every ranged attribute of `entries` by the whole attribute under its plain name,
 * fetching the values past each answer's range with one base search per range, in order. The
 * entries are changed in place and returned.
 *
 * AD keeps no snapshot between those searches. A value that moves between them (the group
 * changed meanwhile) may be read twice, and is kept once. When the server refuses a later range
 * (AD fails a search for a range that starts past the last value, which happens when the
 * attribute shrank meanwhile), the attribute is read again from its first range, once; a second
 * refusal is thrown.
 */
export async function completeRanges(entries: LdapEntry[], fetch: RangeFetch): Promise<LdapEntry[]> {
  for (const entry of entries) {
    let ranged: [string, RangeOption][] | undefined;
    for (const key of entry.attrs.keys()) {
      // Every search comes through here: most attributes carry no option at all.
      if (!key.includes(';')) continue;
      const r = parseRangeOption(key);
      if (r) (ranged ??= []).push([key, r]);
    }
    if (!ranged) continue;
    for (const [key, first] of ranged) {
      const values = entry.attrs.get(key) ?? [];
      entry.attrs.delete(key);
      let all: LdapValue[];
      try {
        all = first.high === undefined ? values : await rest(entry.dn, first, values, fetch);
      } catch (e) {
        if (!restartable(e)) throw e;
        all = await again(entry.dn, first.attribute, fetch);
      }
      const plain = entry.attrs.get(first.attribute);
      entry.attrs.set(first.attribute, unique(plain ? [...plain, ...all] : all));
    }
  }
  return entries;
}

/** The whole attribute again, from its first range. */
async function again(dn: string, attribute: string, fetch: RangeFetch): Promise<LdapValue[]> {
  const found = rangedIn(await fetch(dn, `${attribute};range=0-*`), attribute);
  if (!found) return [];
  const [r, v] = found;
  if (r.low !== 0) throw new RangeRetrievalError(`the directory answered ${attribute};range=0-* with values from ${r.low}`);
  return r.high === undefined ? v : rest(dn, r, v, fetch);
}

/** Reads the ranges after `first` until the one that ends in `*`. */
async function rest(dn: string, first: RangeOption, values: LdapValue[], fetch: RangeFetch): Promise<LdapValue[]> {
  const out = [...values];
  let high = first.high as number;
  for (;;) {
    const wanted = nextRange(first.attribute, high);
    // No such attribute in the answer: nothing is left past `high` (the values shrank meanwhile).
    const found = rangedIn(await fetch(dn, wanted), first.attribute);
    if (!found) return out;
    const [r, v] = found;
    if (r.low !== high + 1) throw new RangeRetrievalError(`the directory answered ${wanted} with values from ${r.low}`);
    out.push(...v);
    if (r.high === undefined) return out;
    high = r.high;
  }
}

/** The ranged `attribute` of an answer, with its range. */
function rangedIn(e: LdapEntry | undefined, attribute: string): [RangeOption, LdapValue[]] | undefined {
  for (const [k, v] of e?.attrs ?? []) {
    const r = parseRangeOption(k);
    if (r && r.attribute.toLowerCase() === attribute.toLowerCase()) return [r, v];
  }
  return undefined;
}

/**
 * A later range the server refused with a result code (not a lost connection, which the pool
 * handles): worth one more read from the start.
 */
function restartable(e: unknown): boolean {
  return e instanceof RangeRetrievalError || (resultCodeOf(e) ?? 0) > 0;
}

/** Values once each (equal when their bytes are: a value read twice between two ranges). */
function unique(values: LdapValue[]): LdapValue[] {
  const seen = new Set<string>();
  const out: LdapValue[] = [];
  for (const v of values) {
    const k = typeof v === 'string' ? `s${v}` : `b${v.toString('base64')}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(v);
  }
  return out;
}
