/** Sub-attribute definitions by name, as every write looks them up per key of every complex value. */
import type { AttributeDefinition } from './types.js';

/** Per complex attribute definition: its sub-attributes by name as defined and lower-cased. */
const byDefinition = new WeakMap<AttributeDefinition, ReadonlyMap<string, AttributeDefinition>>();

function namesOf(def: AttributeDefinition): ReadonlyMap<string, AttributeDefinition> {
  let names = byDefinition.get(def);
  if (names === undefined) {
    const m = new Map<string, AttributeDefinition>();
    // Each name, lower-cased and as defined, finds the first sub-attribute equal to it ignoring case.
    for (const s of def.subAttributes ?? []) if (!m.has(s.name.toLowerCase())) m.set(s.name.toLowerCase(), s);
    for (const s of def.subAttributes ?? []) m.set(s.name, m.get(s.name.toLowerCase()) as AttributeDefinition);
    names = m;
    byDefinition.set(def, names);
  }
  return names;
}

/**
 * The sub-attribute of `def` named `name`, compared case-insensitively (SCIM names are): the
 * first one defined that matches; undefined when there is none. The names are indexed once per definition, where a search lower-cased every name
 * for every key of every value written.
 *
 * @example subAttribute(emailsDef, 'Value') // the `value` sub-attribute of `emails`
 */
export function subAttribute(def: AttributeDefinition, name: string): AttributeDefinition | undefined {
  const names = namesOf(def);
  return names.get(name) ?? names.get(name.toLowerCase());
}
