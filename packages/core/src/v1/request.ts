/**
 * SCIM 1.1 requests → the 2.0 model. POST/PUT bodies already work through
 * schema aliases; PATCH in 1.1 is a partial resource (Broadcom Identity
 * Manager): multi-valued elements marked `"operation":"delete"` are removed,
 * attributes listed in `meta.attributes` are cleared, everything else is set.
 */
import { InvalidSyntaxError } from '../errors.js';
import { parseAttrPath } from '../filter/path.js';
import type { SchemaRegistry } from '../schema/registry.js';
import type { ResourceTypeDefinition } from '../schema/types.js';
import { URN } from '../schema/urns.js';
import { getCI, isObject } from '../util/object.js';

type Operation = { op: 'add' | 'replace' | 'remove'; path: string; value?: unknown };

/** True when a PATCH body is a 1.1 partial resource rather than a 2.0 PatchOp. */
export function isPartialResource(body: unknown): boolean {
  return isObject(body) && getCI(body, 'Operations') === undefined;
}

/** Converts a SCIM 1.1 partial-resource PATCH body into a 2.0 PatchOp body. */
export function partialResourceToPatchOp(
  registry: SchemaRegistry,
  rt: ResourceTypeDefinition,
  body: unknown,
): { schemas: string[]; Operations: Operation[] } {
  if (!isObject(body)) throw new InvalidSyntaxError('PATCH body must be a JSON object');
  const ops: Operation[] = [];
  const meta = getCI(body, 'meta');
  const clear = isObject(meta) ? getCI(meta, 'attributes') : undefined;
  if (clear !== undefined) {
    if (!Array.isArray(clear)) throw new InvalidSyntaxError('meta.attributes must be an array');
    for (const a of clear) ops.push({ op: 'remove', path: canonicalPath(registry, rt, String(a)) });
  }
  const visit = (prefix: string | undefined, obj: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(obj)) {
      const k = key.toLowerCase();
      if (!prefix && (k === 'schemas' || k === 'meta' || k === 'id')) continue;
      const ext = prefix ? undefined : registry.canonicalUrn(rt, key);
      if (ext && ext !== rt.schema && isObject(value)) {
        visit(ext, value);
        continue;
      }
      const path = prefix ? `${prefix}:${key}` : key;
      const r = registry.resolve(rt, parseAttrPath(path));
      if (r?.attrDef?.multiValued && Array.isArray(value)) {
        const adds: unknown[] = [];
        for (const el of value) {
          if (isObject(el) && String(getCI(el, 'operation') ?? '').toLowerCase() === 'delete') {
            const { operation: _o, ...rest } = el;
            if (rest.value !== undefined) ops.push({ op: 'remove', path, value: [{ value: rest.value }] });
            else {
              // `{"type":"home","operation":"delete"}` — remove the element(s) with those fields.
              const terms = Object.entries(rest).map(([sk, sv]) => `${sk} eq ${JSON.stringify(sv)}`);
              if (terms.length) ops.push({ op: 'remove', path: `${path}[${terms.join(' and ')}]` });
            }
          } else adds.push(el);
        }
        if (adds.length) ops.push({ op: 'add', path, value: adds });
      } else if (value === null) {
        ops.push({ op: 'remove', path });
      } else {
        ops.push({ op: 'replace', path, value });
      }
    }
  };
  visit(undefined, body);
  return { schemas: [URN.PatchOp], Operations: ops };
}

function canonicalPath(registry: SchemaRegistry, rt: ResourceTypeDefinition, p: string): string {
  const at = p.lastIndexOf(':');
  if (/^urn:/i.test(p) && at > 0) {
    const ext = registry.canonicalUrn(rt, p.slice(0, at));
    if (ext) return `${ext}:${p.slice(at + 1)}`;
  }
  return p;
}
