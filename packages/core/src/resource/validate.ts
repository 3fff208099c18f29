/**
 * The one schema-driven value check of every write (POST, PUT, each PATCH operation, every Bulk
 * operation): a value either has the type its attribute definition says (RFC 7643 §2.3) or the
 * write is refused with a 400 naming the attribute. Nothing is coerced; the only reshaping is done
 * by named client-dialect rules ({@link PatchQuirk}), each reported, each limited to the form real
 * clients send.
 */
import { InvalidPathError, InvalidValueError } from '../errors.js';
import type { PatchQuirk } from '../patch/normalize.js';
import { subAttribute } from '../schema/sub-attribute.js';
import type { AttributeDefinition } from '../schema/types.js';
import { isObject } from '../util/object.js';

/** What the gateway does with attributes its schemas do not define (`unknownAttributes`). */
export type UnknownAttributePolicy = 'reject' | 'ignore';

/**
 * Where a write came from: a resource body (POST/PUT) is taken strictly; a PATCH value may
 * arrive in the wrapped or unwrapped forms real clients send (each a named quirk).
 */
export type WriteForm = 'body' | 'patch';

/** The context of one check. */
export interface ValueCheck {
  form: WriteForm;
  quirk: (q: PatchQuirk) => void;
  /**
   * Called for an attribute no schema defines, with its path as the client wrote it (and the
   * value it was given); throws under the `reject` policy, records it (and the value is left out)
   * under `ignore`, except a deactivation (see {@link unknownAttributeHandler}).
   */
  unknown: (path: string, inPath?: boolean, value?: unknown) => void;
}

/** `active` set to false (as a boolean, or Entra ID's string `"False"`), core URN prefix or not. */
function isDeactivation(path: string, value: unknown): boolean {
  const p = path.toLowerCase();
  if (p !== 'active' && p !== 'urn:ietf:params:scim:schemas:core:2.0:user:active') return false;
  return value === false || (typeof value === 'string' && value.toLowerCase() === 'false');
}

/**
 * A {@link ValueCheck.unknown} for `policy`: `reject` throws 400 (`invalidPath` when the name
 * was a PATCH path, `invalidValue` when it was a key of a value), `ignore` calls `seen`.
 *
 * `active: false` to a resource type without `active` is refused under either policy: it is how
 * identity providers take access away (Okta never deletes a user), and dropping it would answer
 * success with the account still usable.
 */
export function unknownAttributeHandler(
  policy: UnknownAttributePolicy,
  seen: (path: string) => void = () => {},
): (path: string, inPath?: boolean, value?: unknown) => void {
  return (path, inPath, value) => {
    if (isDeactivation(path, value)) {
      throw new InvalidValueError(
        `${path}: this resource type has no attribute "active" here (see /Schemas), so it cannot be disabled and would stay enabled; give the connector a place for it`,
      );
    }
    if (policy === 'ignore') {
      seen(path);
      return;
    }
    const detail = `Attribute "${path}" is not defined by the schemas of this resource type`;
    throw inPath ? new InvalidPathError(detail) : new InvalidValueError(detail);
  };
}

/**
 * Checks `value` against `def`. With `asList` the result is always an array of elements (a
 * multi-valued attribute as a whole). `where` names the attribute in error messages.
 *
 * @throws InvalidValueError for a value of the wrong type or shape
 */
export function checkValue(c: ValueCheck, def: AttributeDefinition, value: unknown, where: string, asList: boolean): unknown {
  if (asList) {
    let list: unknown[];
    if (Array.isArray(value)) list = value;
    else if (c.form === 'patch') {
      // RFC 7644 §3.5.2.1 has the value of a multi-valued add be an array; clients send one element bare.
      c.quirk('singleValueForList');
      list = [value];
    } else throw new InvalidValueError(`Attribute "${where}" is multi-valued: its value must be an array`);
    const out: unknown[] = [];
    for (const [i, e] of list.entries()) {
      if (e === null || e === undefined) continue;
      if (Array.isArray(e)) throw new InvalidValueError(`Attribute "${where}[${i}]" must not be an array`);
      out.push(element(c, def, e, `${where}[${i}]`));
    }
    // RFC 7643 §2.4: "primary" true appears no more than once. A PATCH that marks another value
    // primary clears the rest (RFC 7644 §3.5.2, patch/apply.ts); a whole resource cannot say which.
    if (c.form !== 'patch' && out.filter((e) => isObject(e) && e.primary === true).length > 1)
      throw new InvalidValueError(`Attribute "${where}" has more than one value with "primary": true (RFC 7643 §2.4)`);
    return out;
  }
  let v = value;
  if (Array.isArray(v)) {
    // Entra ID wraps single values in a one-element array in PATCH values only.
    if (c.form !== 'patch' || v.length !== 1)
      throw new InvalidValueError(`Attribute "${where}" is single-valued but got an array of ${v.length}`);
    c.quirk('wrappedSingleValue');
    v = v[0];
  }
  if (def.type !== 'complex' && isObject(v) && c.form === 'patch' && 'value' in v) {
    // `[{"$ref":null,"value":"User x"}]` for a simple attribute (Entra ID).
    c.quirk('wrappedSingleValue');
    v = v.value;
  }
  return element(c, def, v, where);
}

/** True when `def` has a `$ref` sub-attribute (its `type` then names a resource type). */
const hasRef = (def: AttributeDefinition) => def.subAttributes?.some((s) => s.name === '$ref') ?? false;

function element(c: ValueCheck, def: AttributeDefinition, v: unknown, where: string): unknown {
  if (def.type !== 'complex') return scalar(c, def, v, where);
  if (!isObject(v)) {
    // `manager` as a bare id (Entra ID, in PATCH and in POST/PUT bodies): that is its `value`.
    // Only where the schema has a `value` sub-attribute of that type; nothing is invented.
    const valueDef = def.subAttributes?.find((s) => s.name === 'value');
    if (!def.multiValued && valueDef && typeof v === 'string') {
      c.quirk('bareComplexValue');
      return { value: scalar(c, valueDef, v, `${where}.value`) };
    }
    throw new InvalidValueError(`Attribute "${where}" is complex: its value must be an object, got ${describe(v)}`);
  }
  const out: Record<string, unknown> = {};
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    const sv = v[k];
    if (sv === null || sv === undefined) continue; // null is "no value" (RFC 7643 §2.5); Entra sends `$ref: null`
    const sd = subAttribute(def, k);
    if (!sd) {
      c.unknown(`${where}.${k}`);
      continue;
    }
    if (sd.mutability === 'readOnly') continue; // RFC 7644 §3.3: read-only values sent by a client are ignored
    let value = scalar(c, sd, sv, `${where}.${sd.name}`);
    // The `type` of a reference names what the reference points at: only the listed resource types.
    if (sd.name === 'type' && sd.canonicalValues && typeof value === 'string' && hasRef(def)) {
      const canon = sd.canonicalValues.find((x) => x.toLowerCase() === (value as string).toLowerCase());
      if (!canon)
        throw new InvalidValueError(
          `Attribute "${where}.type" must be one of ${sd.canonicalValues.map((x) => `"${x}"`).join(', ')}`,
        );
      value = canon;
    }
    out[sd.name] = value;
  }
  return out;
}

/** xsd:dateTime (RFC 7643 §2.3.5): date, `T`, time, optional fraction and optional zone. */
const DATE_TIME =
  /^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$/;
/** RFC 4648 §4 base64 (RFC 7643 §2.3.6), padded. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number' && !Number.isFinite(v)) return 'a number out of range';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function wrong(def: AttributeDefinition, v: unknown, where: string): InvalidValueError {
  const article = def.type === 'integer' ? 'an' : 'a';
  return new InvalidValueError(`Attribute "${where}" must be ${article} ${def.type}, got ${describe(v)}`);
}

/** One simple value (RFC 7643 §2.3.1–§2.3.7). */
export function scalar(c: Pick<ValueCheck, 'quirk'>, def: AttributeDefinition, v: unknown, where: string): unknown {
  switch (def.type) {
    case 'string':
    case 'reference':
      if (typeof v !== 'string') throw wrong(def, v, where);
      return v;
    case 'boolean':
      if (typeof v === 'boolean') return v;
      // Entra ID (without aadOptscim062020) sends `"True"` / `"False"`; that spelling only.
      if (typeof v === 'string' && /^(true|false)$/i.test(v)) {
        c.quirk('stringBoolean');
        return v.toLowerCase() === 'true';
      }
      throw wrong(def, v, where);
    case 'integer':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw wrong(def, v, where);
      return v;
    case 'decimal':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw wrong(def, v, where);
      return v;
    case 'dateTime':
      if (typeof v !== 'string' || !DATE_TIME.test(v) || Number.isNaN(Date.parse(v)))
        throw new InvalidValueError(`Attribute "${where}" must be an xsd:dateTime such as "2026-01-31T12:00:00Z"`);
      return v;
    case 'binary':
      if (typeof v !== 'string' || !BASE64.test(v))
        throw new InvalidValueError(`Attribute "${where}" must be base64-encoded binary (RFC 4648 §4)`);
      return v;
    case 'complex':
      throw new InvalidValueError(`Attribute "${where}" must not hold a complex value`);
  }
}
