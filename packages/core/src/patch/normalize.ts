/**
 * PATCH request → normalized {@link Change} list (RFC 7644 §3.5.2), with every
 * real client dialect reduced to one form. Each quirk is named in
 * {@link PatchQuirk} and reported through `onQuirk`, so replay tests can
 * assert which dialect rule fired.
 */
import type { Change, ChangePath } from '../contract/types.js';
import { InvalidSyntaxError, InvalidValueError, MutabilityError, NoTargetError } from '../errors.js';
import type { AttrPath, FilterNode } from '../filter/ast.js';
import { parseAttrPath } from '../filter/path.js';
import type { SchemaRegistry } from '../schema/registry.js';
import { subAttribute } from '../schema/sub-attribute.js';
import type { AttributeDefinition, ResourceTypeDefinition } from '../schema/types.js';
import { getCI, isObject } from '../util/object.js';
import { checkValue, unknownAttributeHandler, type ValueCheck } from '../resource/validate.js';
import { type PatchPath, parsePatchPath } from './path.js';

/** Client dialect rules applied while normalizing PATCH requests. */
export type PatchQuirk =
  /** Entra ID: `"op":"Replace"` — ops compared case-insensitively. */
  | 'capitalisedOp'
  /** Some 2.0 clients and Broadcom: `"op":"delete"` means remove. */
  | 'deleteOp'
  /** Entra ID (no 2020 flag): `{"op":"Remove","path":"members","value":[{"value":"id"}]}` removes only those. */
  | 'removeByValueList'
  /** Entra ID with flag / Okta: `members[value eq "id"]` normalized to a value-list removal. */
  | 'removeBySelector'
  /** Entra ID: single-valued attribute wrapped in an array, `[{"$ref":null,"value":"x"}]`. */
  | 'wrappedSingleValue'
  /** Entra ID: `null` as the value clears the attribute. */
  | 'nullClears'
  /** Entra ID / Okta: path-less add/replace whose value keys are paths (`name.givenName`, URN-qualified). */
  | 'pathlessKeys'
  /** Okta: path-less replace carrying read-only `id` (group rename) — ignored. */
  | 'ignoredReadOnlyKey'
  /** An empty removal list (`"value":[]`) removes nothing rather than everything. */
  | 'emptyRemoveList'
  /** Operations given as a single object instead of an array. */
  | 'operationsObject'
  /** SCIM 1.1 (Broadcom Identity Manager): PATCH body is a partial resource with `operation: "delete"` and `meta.attributes`. */
  | 'partialResourcePatch'
  /** Entra ID (no 2020 flag): a boolean sent as the string `"True"` / `"False"` (any case); no other string is a boolean. */
  | 'stringBoolean'
  /** Entra ID: `manager` (a single-valued complex attribute with a `value`) sent as the bare id. */
  | 'bareComplexValue'
  /** PATCH: one element of a multi-valued attribute sent without its array. */
  | 'singleValueForList';

/** Options for {@link patchToChanges}. */
export interface PatchOptions {
  /** Called once per quirk rule applied (for logging and tests). */
  onQuirk?: (quirk: PatchQuirk) => void;
  /**
   * What to do with an attribute no schema defines (`inPath`: it was named by a PATCH `path`):
   * throws to refuse it, returns to leave the operation on it out. Default: refuse (400
   * `invalidPath` for a path, `invalidValue` for a key of a value).
   */
  onUnknownAttribute?: (path: string, inPath?: boolean, value?: unknown) => void;
}

type Op = 'add' | 'replace' | 'remove';

/**
 * Converts a PATCH body into normalized changes without reading the resource.
 *
 * @throws ScimError `invalidSyntax`, `invalidPath`, `invalidValue`, `mutability`, `noTarget`, `invalidFilter`
 * @see RFC 7644 §3.5.2
 */
export function patchToChanges(
  registry: SchemaRegistry,
  rt: ResourceTypeDefinition,
  body: unknown,
  options: PatchOptions = {},
): Change[] {
  const quirk = options.onQuirk ?? (() => {});
  if (!isObject(body)) throw new InvalidSyntaxError('PATCH body must be a JSON object');
  let ops = getCI(body, 'Operations');
  if (isObject(ops)) {
    quirk('operationsObject');
    ops = [ops];
  }
  if (!Array.isArray(ops) || ops.length === 0) throw new InvalidSyntaxError('PATCH body needs a non-empty "Operations" array');
  const n = new Normalizer(registry, rt, {
    form: 'patch',
    quirk,
    unknown: options.onUnknownAttribute ?? unknownAttributeHandler('reject'),
  });
  for (const [i, raw] of ops.entries()) {
    if (!isObject(raw)) throw new InvalidSyntaxError(`Operations[${i}] must be an object`);
    const opRaw = getCI(raw, 'op');
    if (typeof opRaw !== 'string') throw new InvalidSyntaxError(`Operations[${i}].op is required`);
    let op = opRaw.toLowerCase();
    if (op !== opRaw) quirk('capitalisedOp');
    if (op === 'delete') {
      quirk('deleteOp');
      op = 'remove';
    }
    if (op !== 'add' && op !== 'replace' && op !== 'remove') {
      throw new InvalidSyntaxError(`Operations[${i}].op "${opRaw}" is not add, replace or remove`);
    }
    const path = getCI(raw, 'path');
    const hasValue = Object.keys(raw).some((k) => k.toLowerCase() === 'value');
    const value = getCI(raw, 'value');
    if (path === undefined || path === null || path === '') {
      n.pathless(op, value, hasValue);
    } else {
      if (typeof path !== 'string') throw new InvalidSyntaxError(`Operations[${i}].path must be a string`);
      n.withPath(op, parsePatchPath(path), value, hasValue);
    }
  }
  return n.changes;
}

class Normalizer {
  readonly changes: Change[] = [];
  private readonly quirk: (q: PatchQuirk) => void;
  constructor(
    private readonly registry: SchemaRegistry,
    private readonly rt: ResourceTypeDefinition,
    private readonly check: ValueCheck,
  ) {
    this.quirk = check.quirk;
  }

  pathless(op: Op, value: unknown, hasValue: boolean): void {
    if (op === 'remove') throw new NoTargetError('remove requires a "path"');
    if (!hasValue || !isObject(value)) throw new InvalidValueError(`${op} without "path" needs an object "value"`);
    for (const [key, v] of Object.entries(value)) {
      const k = key.toLowerCase();
      if (k === 'schemas' || k === 'meta' || k === 'id') {
        if (k === 'id') this.quirk('ignoredReadOnlyKey');
        continue;
      }
      const ext = this.registry.canonicalUrn(this.rt, key);
      if (ext && ext !== this.rt.schema) {
        if (!isObject(v)) throw new InvalidValueError(`Value of extension "${key}" must be an object`);
        for (const [ek, ev] of Object.entries(v)) {
          // `schemas` repeated inside an extension object says nothing new.
          if (ek.toLowerCase() === 'schemas') continue;
          const p = this.keyPath(ek, ext);
          if (p) this.withPath(op, p, ev, true, false);
        }
        continue;
      }
      if (/[.[]/.test(key) || /^urn:/i.test(key)) this.quirk('pathlessKeys');
      const p = this.keyPath(key);
      if (p) this.withPath(op, p, v, true, false);
    }
  }

  /**
   * A key of a path-less value as a path; `undefined` (after the unknown-attribute policy) when it
   * is no name. A key may be a value path (`emails[type eq "work"].value`: Entra ID with the 2020
   * flag), read as the same `path` would be.
   */
  private keyPath(key: string, ext?: string): PatchPath | undefined {
    if (key.includes('[')) {
      const p = parsePatchPath(key);
      if (ext && !p.uri) p.uri = ext;
      return p;
    }
    try {
      const p = parseAttrPath(key, (d) => new InvalidValueError(d));
      if (ext && !p.uri) p.uri = ext;
      return p;
    } catch {
      this.check.unknown(ext ? `${ext}:${key}` : key);
      return undefined;
    }
  }

  private push(change: Change): void {
    this.changes.push(change);
  }

  /** A removal, refused when it would leave a required attribute without a value. */
  private remove(path: ChangePath, def: AttributeDefinition, value?: unknown[]): void {
    if (def.required && value === undefined && !path.where) {
      const name = `${path.extension ? `${path.extension}:` : ''}${path.attr}${path.sub ? `.${path.sub}` : ''}`;
      throw new InvalidValueError(`Attribute "${name}" is required and cannot be removed`);
    }
    this.push(value === undefined ? { op: 'remove', path } : { op: 'remove', path, value });
  }

  withPath(op: Op, pp: PatchPath, value: unknown, hasValue: boolean, inPath = true): void {
    // A bare extension URN as the path: the value holds that extension's attributes.
    if (pp.uri && !pp.sub && !pp.where) {
      const whole = this.registry.canonicalUrn(this.rt, `${pp.uri}:${pp.attr}`);
      if (whole && whole !== this.rt.schema) {
        if (op === 'remove') {
          for (const a of this.registry.schema(whole)?.attributes ?? []) {
            if (a.mutability !== 'readOnly') this.remove({ extension: whole, attr: a.name }, a);
          }
          return;
        }
        if (!isObject(value)) throw new InvalidValueError(`Value for extension "${whole}" must be an object`);
        for (const [k, v] of Object.entries(value)) {
          if (k.toLowerCase() === 'schemas') continue;
          const p = this.keyPath(k, whole);
          if (p) this.withPath(op, p, v, true, false);
        }
        return;
      }
    }
    const r = this.registry.resolve(this.rt, pp as AttrPath);
    if (!r?.attrDef || (pp.sub !== undefined && !r.subDef)) {
      this.check.unknown(
        `${pp.uri ? `${pp.uri}:` : ''}${pp.attr}${pp.sub !== undefined ? `.${pp.sub}` : ''}`,
        inPath,
        op === 'remove' ? undefined : value,
      );
      return;
    }
    const def = r.attrDef;
    const target = r.subDef ?? def;
    const where = `${r.attr}${r.sub ? `.${r.sub}` : ''}`;
    if (target.mutability === 'readOnly' || def.mutability === 'readOnly') {
      throw new MutabilityError(`Attribute "${where}" is read-only`);
    }
    // Immutable (RFC 7643 §7): set once. A sub-attribute of an element already there, or a
    // single value already set, cannot change; adding new elements of a multi-valued one can.
    if (
      (r.subDef?.mutability === 'immutable' && op !== 'add') ||
      (def.mutability === 'immutable' && !def.multiValued && op !== 'add')
    ) {
      throw new MutabilityError(`Attribute "${where}" is immutable`);
    }
    const path: ChangePath = { attr: r.attr };
    if (r.extension) path.extension = r.extension;
    if (r.sub) path.sub = r.sub;
    if (pp.where) {
      if (!def.multiValued) throw new InvalidValueError(`Value filter on single-valued attribute "${r.attr}"`);
      path.where = canonicalWhere(pp.where, def);
    }

    if (op === 'remove') {
      const selected = path.where && !path.sub ? valueSelector(path.where) : undefined;
      if (selected) {
        this.quirk('removeBySelector');
        const { where: _w, ...rest } = path;
        this.push({ op: 'remove', path: rest, value: selected.map((v) => ({ value: v })) });
        return;
      }
      if (hasValue && value !== null && value !== undefined && def.multiValued && !path.sub && !path.where) {
        const list = checkValue(this.check, def, value, where, true) as unknown[];
        if (list.length === 0) {
          this.quirk('emptyRemoveList');
          return;
        }
        this.quirk('removeByValueList');
        this.remove(path, def, list);
        return;
      }
      this.remove(path, target);
      return;
    }

    if (!hasValue || value === undefined) throw new InvalidValueError(`${op} of "${where}" needs a "value"`);
    if (value === null) {
      this.quirk('nullClears');
      this.remove(path, target);
      return;
    }
    if (target.required && value === '') throw new InvalidValueError(`Attribute "${where}" is required and cannot be empty`);
    // Complex single-valued attribute given as an object: sub-attributes not named stay (RFC 7644 §3.5.2.3).
    if (def.type === 'complex' && !def.multiValued && !path.sub) {
      let v = value;
      if (Array.isArray(v) && v.length === 1) {
        this.quirk('wrappedSingleValue');
        v = v[0];
      }
      if (!isObject(v)) {
        const obj = checkValue(this.check, def, v, where, false) as Record<string, unknown>;
        for (const [sub, sv] of Object.entries(obj)) this.push({ op, path: { ...path, sub }, value: sv });
        return;
      }
      for (const [k, sv] of Object.entries(v)) {
        const sd = subAttribute(def, k);
        if (!sd) {
          if (!(k === '$ref' && sv === null)) this.check.unknown(`${where}.${k}`);
          continue;
        }
        if (sd.mutability === 'readOnly') continue;
        const p: ChangePath = { ...path, sub: sd.name };
        if (sv === null) this.remove(p, sd);
        else this.push({ op, path: p, value: checkValue(this.check, sd, sv, `${where}.${sd.name}`, false) });
      }
      return;
    }
    if (path.sub) {
      const sd = r.subDef as AttributeDefinition;
      this.push({ op, path, value: checkValue(this.check, sd, value, where, false) });
      return;
    }
    if (def.multiValued) {
      // One element for a value filter's selection is the RFC's form, not a dialect.
      let list = checkValue(this.check, def, path.where && !Array.isArray(value) ? [value] : value, where, true) as unknown[];
      if (path.where && op === 'replace' && list.length === 1) list = list.slice(0, 1);
      if (def.required && op === 'replace' && list.length === 0)
        throw new InvalidValueError(`Attribute "${where}" is required and cannot be emptied`);
      this.push({ op, path, value: path.where ? list[0] : list });
      return;
    }
    this.push({ op, path, value: checkValue(this.check, def, value, where, false) });
  }
}

/** Canonical casing for a value filter's sub-attribute names. */
function canonicalWhere(node: FilterNode, def: AttributeDefinition): FilterNode {
  const fix = (name: string) => def.subAttributes?.find((s) => s.name.toLowerCase() === name.toLowerCase())?.name ?? name;
  switch (node.type) {
    case 'compare':
    case 'present':
      return { ...node, path: { attr: fix(node.path.attr) } };
    case 'and':
    case 'or':
      return { type: node.type, filters: node.filters.map((f) => canonicalWhere(f, def)) };
    case 'not':
      return { type: 'not', filter: canonicalWhere(node.filter, def) };
    case 'valuePath':
      return node;
  }
}

/** `value eq "x"` or `value eq "x" or value eq "y"` → ['x', 'y']; anything else → undefined. */
export function valueSelector(node: FilterNode): (string | number | boolean)[] | undefined {
  const terms = node.type === 'or' ? node.filters : [node];
  const out: (string | number | boolean)[] = [];
  for (const t of terms) {
    if (t.type !== 'compare' || t.op !== 'eq' || t.path.attr !== 'value' || t.path.sub || t.value === null) return undefined;
    out.push(t.value);
  }
  return out;
}
