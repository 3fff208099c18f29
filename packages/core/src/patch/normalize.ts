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
import type { AttributeDefinition, ResourceTypeDefinition } from '../schema/types.js';
import { getCI, isObject } from '../util/object.js';
import { normalizeValue } from './values.js';
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
  | 'partialResourcePatch';

/** Options for {@link patchToChanges}. */
export interface PatchOptions {
  /** Called once per quirk rule applied (for logging and tests). */
  onQuirk?: (quirk: PatchQuirk) => void;
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
  const n = new Normalizer(registry, rt, quirk);
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
  constructor(
    private readonly registry: SchemaRegistry,
    private readonly rt: ResourceTypeDefinition,
    private readonly quirk: (q: PatchQuirk) => void,
  ) {}

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
        for (const [ek, ev] of Object.entries(v)) this.withPath(op, this.keyPath(ek, ext), ev, true);
        continue;
      }
      if (key.includes('.') || /^urn:/i.test(key)) this.quirk('pathlessKeys');
      this.withPath(op, this.keyPath(key), v, true);
    }
  }

  private keyPath(key: string, ext?: string): PatchPath {
    const p = parseAttrPath(key, (d) => new InvalidValueError(d));
    if (ext && !p.uri) p.uri = ext;
    return p;
  }

  withPath(op: Op, pp: PatchPath, value: unknown, hasValue: boolean): void {
    // A bare extension URN as the path: the value holds that extension's attributes.
    if (pp.uri && !pp.sub && !pp.where) {
      const whole = this.registry.canonicalUrn(this.rt, `${pp.uri}:${pp.attr}`);
      if (whole && whole !== this.rt.schema) {
        if (op === 'remove') {
          for (const a of this.registry.schema(whole)?.attributes ?? []) {
            if (a.mutability !== 'readOnly') this.changes.push({ op: 'remove', path: { extension: whole, attr: a.name } });
          }
          return;
        }
        if (!isObject(value)) throw new InvalidValueError(`Value for extension "${whole}" must be an object`);
        for (const [k, v] of Object.entries(value)) this.withPath(op, this.keyPath(k, whole), v, true);
        return;
      }
    }
    const r = this.registry.resolveStrict(this.rt, pp as AttrPath);
    const def = r.attrDef as AttributeDefinition;
    const target = r.subDef ?? def;
    if (target.mutability === 'readOnly' || def.mutability === 'readOnly') {
      throw new MutabilityError(`Attribute "${r.sub ? `${r.attr}.${r.sub}` : r.attr}" is read-only`);
    }
    const path: ChangePath = { attr: r.attr };
    if (r.extension) path.extension = r.extension;
    if (r.sub) path.sub = r.sub;
    if (pp.where) {
      if (!def.multiValued) throw new InvalidValueError(`Value filter on single-valued attribute "${r.attr}"`);
      path.where = canonicalWhere(pp.where, def);
    }
    const where = `${r.attr}${r.sub ? `.${r.sub}` : ''}`;

    if (op === 'remove') {
      const selected = path.where && !path.sub ? valueSelector(path.where) : undefined;
      if (selected) {
        this.quirk('removeBySelector');
        const { where: _w, ...rest } = path;
        this.changes.push({ op: 'remove', path: rest, value: selected.map((v) => ({ value: v })) });
        return;
      }
      if (hasValue && value !== null && value !== undefined && def.multiValued && !path.sub && !path.where) {
        const list = normalizeValue(this.registry, def, value, where, this.quirk, true) as unknown[];
        if (list.length === 0) {
          this.quirk('emptyRemoveList');
          return;
        }
        this.quirk('removeByValueList');
        this.changes.push({ op: 'remove', path, value: list });
        return;
      }
      this.changes.push({ op: 'remove', path });
      return;
    }

    if (!hasValue || value === undefined) throw new InvalidValueError(`${op} of "${where}" needs a "value"`);
    if (value === null) {
      this.quirk('nullClears');
      this.changes.push({ op: 'remove', path });
      return;
    }
    // Complex single-valued attribute given as an object: sub-attributes not named stay (RFC 7644 §3.5.2.3).
    if (def.type === 'complex' && !def.multiValued && !path.sub) {
      const obj = normalizeValue(this.registry, def, value, where, this.quirk, false);
      if (!isObject(obj)) throw new InvalidValueError(`"${where}" must be an object`);
      for (const [sub, sv] of Object.entries(obj)) {
        const sd = def.subAttributes?.find((s) => s.name === sub);
        if (sd?.mutability === 'readOnly') continue;
        const p: ChangePath = { ...path, sub };
        if (sv === null) this.changes.push({ op: 'remove', path: p });
        else this.changes.push({ op, path: p, value: sv });
      }
      return;
    }
    if (path.sub) {
      const sd = r.subDef as AttributeDefinition;
      this.changes.push({ op, path, value: normalizeValue(this.registry, sd, value, where, this.quirk, false) });
      return;
    }
    if (def.multiValued) {
      let list = normalizeValue(this.registry, def, value, where, this.quirk, true) as unknown[];
      if (path.where && op === 'replace' && list.length === 1) list = list.slice(0, 1);
      this.changes.push({ op, path, value: path.where ? list[0] : list });
      return;
    }
    this.changes.push({ op, path, value: normalizeValue(this.registry, def, value, where, this.quirk, false) });
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
