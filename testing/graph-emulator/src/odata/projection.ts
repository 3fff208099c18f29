/**
 * `$select` and the default property sets: which properties of an entity a response carries.
 * Write-only properties (passwordProfile) always come back as null.
 */
import { badRequest, echo } from '../graph/errors.js';
import { type TypeDef, findProperty, odataType } from '../model/schema.js';

/** Graph's message for an unknown `$select`/`$expand` name. */
export function selectError(name: string, typeName: string): Error {
  return badRequest(
    `Parsing OData Select and Expand failed: Could not find a property named '${echo(name)}' on type 'microsoft.graph.${typeName}'.`,
  );
}

/** Canonical names of a `$select` list for `type`, or a 400. */
export function resolveSelect(types: readonly TypeDef[], select: readonly string[], typeName: string, single: boolean): string[] {
  return select.map((name) => {
    if (name === '*') return '*';
    for (const type of types) {
      const def = findProperty(type, name);
      if (!def) continue;
      if (def.singleOnly && !single) {
        throw badRequest(`The property '${def.name}' can only be selected when reading a single ${type.name}, not in a list.`);
      }
      return def.name;
    }
    throw selectError(name, typeName);
  });
}

/** Builds the response object of one entity. */
export function project(
  type: TypeDef,
  data: Readonly<Record<string, unknown>>,
  select: readonly string[] | undefined,
  options: { withType?: boolean } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (options.withType) out['@odata.type'] = odataType(type);
  const names =
    select === undefined ? type.defaults : select.includes('*') ? [...type.properties.values()].map((p) => p.name) : select;
  for (const name of names) {
    const def = findProperty(type, name);
    if (!def) continue;
    if (def.writeOnly) {
      out[def.name] = null;
      continue;
    }
    const value = Object.hasOwn(data, def.name) ? data[def.name] : undefined;
    out[def.name] = value === undefined ? (def.collection ? [] : null) : value;
  }
  return out;
}

/** The `@odata.context` fragment for a collection and select list, e.g. `users(id,displayName)`. */
export function contextFragment(entitySet: string, select: readonly string[] | undefined): string {
  return select && select.length > 0 ? `${entitySet}(${select.join(',')})` : entitySet;
}
