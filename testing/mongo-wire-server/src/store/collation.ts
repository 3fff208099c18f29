import { commandError } from '../errors.js';
import { isPlainObject } from './values.js';

/** A collation document in the full form MongoDB stores and reports (listIndexes, listCollections). */
export interface CollationSpec {
  locale: string;
  caseLevel: boolean;
  caseFirst: 'upper' | 'lower' | 'off';
  strength: 1 | 2 | 3 | 4 | 5;
  numericOrdering: boolean;
  alternate: 'non-ignorable' | 'shifted';
  maxVariable: 'punct' | 'space';
  normalization: boolean;
  backwards: boolean;
  version: string;
}

const FIELDS = new Set([
  'locale',
  'caseLevel',
  'caseFirst',
  'strength',
  'numericOrdering',
  'alternate',
  'maxVariable',
  'normalization',
  'backwards',
  'version',
]);

// The ICU version MongoDB 8.0 reports for its collations.
const ICU_VERSION = '57.1';

/**
 * A string comparison with MongoDB's collation semantics, built on ICU through `Intl.Collator`.
 *
 * {@link compare} orders strings; {@link key} maps a string to a form that is equal for strings the
 * collation treats as equal (used for index keys and equality), e.g. `"Alice"` and `"ALICE"` at
 * strength 2.
 */
export class Collation {
  /** The full collation document. */
  readonly spec: Readonly<CollationSpec>;
  readonly #collator: Intl.Collator;
  readonly #keys = new Map<string, string>();

  constructor(spec: CollationSpec) {
    this.spec = Object.freeze({ ...spec });
    const sensitivity =
      spec.strength === 1
        ? spec.caseLevel
          ? 'case'
          : 'base'
        : spec.strength === 2
          ? spec.caseLevel
            ? 'variant'
            : 'accent'
          : 'variant';
    this.#collator = new Intl.Collator(spec.locale, {
      usage: 'sort',
      sensitivity,
      numeric: spec.numericOrdering,
      caseFirst: spec.caseFirst === 'off' ? 'false' : spec.caseFirst,
      ignorePunctuation: spec.alternate === 'shifted',
    });
  }

  /** Orders two strings (negative, zero, positive). */
  compare(a: string, b: string): number {
    return this.#collator.compare(a, b);
  }

  /** The equality key of `s` under this collation. */
  key(s: string): string {
    const cached = this.#keys.get(s);
    if (cached !== undefined) return cached;
    const key = this.#computeKey(s);
    if (this.#keys.size > 100_000) this.#keys.clear();
    this.#keys.set(s, key);
    return key;
  }

  /** Whether `other` is the same collation. */
  equals(other: Collation | undefined): boolean {
    if (!other) return false;
    return JSON.stringify(this.spec) === JSON.stringify(other.spec);
  }

  #computeKey(s: string): string {
    const { strength, caseLevel, alternate, maxVariable, numericOrdering } = this.spec;
    // Characters ICU treats as completely ignorable (controls, format characters).
    let out = s.normalize(strength >= 3 ? 'NFD' : 'NFKD').replace(/[\p{Cc}\p{Cf}]/gu, '');
    if (alternate === 'shifted') out = out.replace(maxVariable === 'space' ? /\p{Z}/gu : /[\p{P}\p{Z}]/gu, '');
    if (strength === 1) out = out.replace(/\p{M}/gu, '');
    if (strength <= 2 && !caseLevel) out = out.toLowerCase().replace(/ß/g, 'ss');
    if (numericOrdering) out = out.replace(/\d+/g, (digits) => digits.replace(/^0+(?=\d)/, ''));
    return out;
  }
}

const cache = new Map<string, Collation>();

/**
 * Validates a client's `collation` option and returns the collation, or `undefined` for the simple
 * (binary) collation (`{ locale: 'simple' }` or no option).
 *
 * @throws MongoCommandError (BadValue, FailedToParse, TypeMismatch, Location40415) as MongoDB does
 *   for a malformed collation.
 */
export function parseCollation(input: unknown): Collation | undefined {
  if (input === undefined) return undefined;
  if (!isPlainObject(input)) {
    throw commandError('TypeMismatch', `BSON field 'collation' is the wrong type '${typeof input}', expected type 'object'`);
  }
  for (const field of Object.keys(input)) {
    if (!FIELDS.has(field)) throw commandError('Location40415', `BSON field 'collation.${field}' is an unknown field.`);
  }
  const locale = input['locale'];
  if (typeof locale !== 'string')
    throw commandError('FailedToParse', "BSON field 'collation.locale' is missing but a required field");
  if (locale === 'simple') {
    if (Object.keys(input).length > 1) {
      throw commandError('FailedToParse', 'If "locale" is set to "simple", then no other fields may be set');
    }
    return undefined;
  }
  const spec: CollationSpec = {
    locale,
    caseLevel: readBool(input, 'caseLevel', false),
    caseFirst: readEnum(input, 'caseFirst', ['upper', 'lower', 'off'] as const, 'off'),
    strength: readStrength(input),
    numericOrdering: readBool(input, 'numericOrdering', false),
    alternate: readEnum(input, 'alternate', ['non-ignorable', 'shifted'] as const, 'non-ignorable'),
    maxVariable: readEnum(input, 'maxVariable', ['punct', 'space'] as const, 'punct'),
    normalization: readBool(input, 'normalization', false),
    backwards: readBool(input, 'backwards', false),
    version: ICU_VERSION,
  };
  if (input['version'] !== undefined && input['version'] !== ICU_VERSION) {
    throw commandError(
      'BadValue',
      `Requested collation version ${String(input['version'])} but the only available collator version was ${ICU_VERSION}. Requested collation spec: ${JSON.stringify(input)}`,
    );
  }
  if (!isKnownLocale(locale)) {
    throw commandError('BadValue', `Field 'locale' is invalid in: { locale: ${JSON.stringify(locale)} }`);
  }
  const id = JSON.stringify(spec);
  let collation = cache.get(id);
  if (!collation) {
    collation = new Collation(spec);
    cache.set(id, collation);
  }
  return collation;
}

function isKnownLocale(locale: string): boolean {
  if (!/^[A-Za-z]{2,3}(?:_[A-Za-z0-9]{2,8})*(?:@[A-Za-z0-9=;-]+)?$/.test(locale)) return false;
  try {
    return Intl.Collator.supportedLocalesOf([locale.replace(/@.*$/, '').replace(/_/g, '-')]).length > 0;
  } catch {
    return false;
  }
}

function readBool(input: Record<string, unknown>, field: string, fallback: boolean): boolean {
  const value = input[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw commandError(
      'TypeMismatch',
      `BSON field 'collation.${field}' is the wrong type '${typeof value}', expected type 'bool'`,
    );
  }
  return value;
}

function readEnum<T extends string>(input: Record<string, unknown>, field: string, allowed: readonly T[], fallback: T): T {
  const value = input[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw commandError('BadValue', `Enumeration value '${String(value)}' for field 'collation.${field}' is not a valid value.`);
  }
  return value as T;
}

function readStrength(input: Record<string, unknown>): CollationSpec['strength'] {
  const value = input['strength'];
  if (value === undefined) return 3;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 5) {
    throw commandError('BadValue', `Field 'strength' must be an integer 1 through 5. Got: ${String(value)}`);
  }
  return value as CollationSpec['strength'];
}
