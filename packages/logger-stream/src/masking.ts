import { MASK, maskEmbeddedJson, maskTextPatterns, maskWholeJson } from './mask-text.js';
import { TEXT_TRIGGERS, sensitiveNameTest } from './sensitive.js';

export { MASK } from './mask-text.js';

/** Options of {@link createMasker}. */
export interface MaskerOptions {
  /** Extra attribute names to mask (`log.customMasking`), e.g. `["SSN", "weight"]`. Case-insensitive. */
  customMasking?: readonly string[];
  /** Literal secret values (e.g. the e-mail password) to blank out wherever they appear. */
  secretValues?: readonly string[];
}

/** Masks secrets in values headed for a log. */
export interface Masker {
  /**
   * Returns `value` with every secret replaced by `********`. Never mutates the
   * input; returns the same reference when nothing needed masking.
   */
  mask(value: unknown): unknown;
  /** Masks one string (JSON, XML, headers, query strings, prose). */
  maskString(text: string): string;
  /** Whether a key, attribute path or XML element name holds a secret. */
  isSensitiveName(name: string): boolean;
  /** Adds a literal secret value to blank out from now on (values shorter than 4 characters are ignored). */
  addSecretValue(value: string | undefined): void;
}

/** Object keys that name the attribute whose data sits in a sibling `value`/`values` (PATCH ops, LDAP changes). */
const NAME_KEYS = ['path', 'name', 'type', 'attribute', 'attr', 'attributeName'];
const VALUE_KEYS = new Set(['value', 'values']);
const MAX_DEPTH = 32;

/** Plain-object form of an Error, so its message, stack and extra fields can be masked and serialised. */
function errorToObject(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.name, message: err.message, stack: err.stack };
  for (const key of Object.keys(err)) out[key] = (err as unknown as Record<string, unknown>)[key];
  if (err.cause !== undefined) out.cause = err.cause;
  if (err instanceof AggregateError) out.errors = err.errors;
  return out;
}

/**
 * Creates a masker. The gateway creates one from `log.customMasking`; it is
 * exposed as `GatewayLogger.mask` for code that logs or stores values elsewhere.
 *
 * @param options - custom names and literal secrets
 * @example
 * ```ts
 * const m = createMasker({ customMasking: ['SSN'] });
 * m.mask({ userName: 'bjensen', password: 'x', ssn: '123' });
 * // → { userName: 'bjensen', password: '********', ssn: '********' }
 * ```
 */
export function createMasker(options: MaskerOptions = {}): Masker {
  const isSensitive = sensitiveNameTest(options.customMasking ?? []);
  const secrets = new Set<string>();
  const escapeRe = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // One case-insensitive alternation: far cheaper than lower-casing every string and probing each word.
  const trigger = new RegExp([...TEXT_TRIGGERS, ...(options.customMasking ?? [])].filter(Boolean).map(escapeRe).join('|'), 'i');

  const addSecretValue = (value: string | undefined): void => {
    if (typeof value === 'string' && value.length >= 4) secrets.add(value);
  };
  for (const s of options.secretValues ?? []) addSecretValue(s);

  const maskString = (text: string): string => {
    let out = text;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join(MASK);
    if (!trigger.test(out)) return out;
    const whole = maskWholeJson(out, walkRoot);
    if (whole !== undefined) return whole === out ? out : whole;
    return maskTextPatterns(maskEmbeddedJson(out, walkRoot), isSensitive);
  };

  /** Value of a secret field: scalars become the mask, empty values stay visible as empty. */
  const hide = (v: unknown): unknown => (v === null || v === undefined || v === '' ? v : MASK);

  const walk = (value: unknown, stack: object[]): unknown => {
    if (typeof value === 'string') return maskString(value);
    if (value === null || typeof value !== 'object') return value;
    if (stack.length >= MAX_DEPTH) return '[depth limit]';
    if (stack.includes(value)) return '[Circular]';
    if (value instanceof Date) return value;
    if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
    if (value instanceof Error) return walk(errorToObject(value), stack);
    if (value instanceof Map) return walk(Object.fromEntries(value), stack);
    if (value instanceof Set) return walk([...value], stack);
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      try {
        return walk(toJSON.call(value), stack);
      } catch {
        return '[unserialisable]';
      }
    }
    stack.push(value);
    try {
      if (Array.isArray(value)) {
        let copy: unknown[] | undefined;
        for (let i = 0; i < value.length; i++) {
          const m = walk(value[i], stack);
          if (m !== value[i]) {
            copy ??= value.slice();
            copy[i] = m;
          }
        }
        return copy ?? value;
      }
      const obj = value as Record<string, unknown>;
      // PATCH op `{"path":"password","value":"x"}` or LDAP change `{"type":"userPassword","values":[…]}`.
      const valueIsSecret = NAME_KEYS.some((k) => typeof obj[k] === 'string' && isSensitive(obj[k] as string));
      let copy: Record<string, unknown> | undefined;
      for (const key of Object.keys(obj)) {
        const child = obj[key];
        const m = isSensitive(key) || (valueIsSecret && VALUE_KEYS.has(key)) ? hide(child) : walk(child, stack);
        if (m !== child) {
          copy ??= { ...obj };
          copy[key] = m;
        }
      }
      return copy ?? value;
    } finally {
      stack.pop();
    }
  };

  function walkRoot(value: unknown): unknown {
    return walk(value, []);
  }

  return { mask: walkRoot, maskString, isSensitiveName: isSensitive, addSecretValue };
}
