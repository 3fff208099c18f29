/**
 * What a filter, `$select` or `$orderby` is evaluated against: a type whose property paths
 * resolve (case-insensitively) to a definition and a getter.
 */
import { badRequest, echo } from '../graph/errors.js';
import { COMPLEX_TYPES, type ScalarType, type TypeDef, findProperty } from '../model/schema.js';

/** A resolved property path. */
export interface ResolvedPath {
  /** Canonical spelling, e.g. `employeeOrgData/division`. */
  readonly canonical: string;
  readonly type: ScalarType | 'complex';
  readonly complex: string | undefined;
  readonly collection: boolean;
  readonly get: (record: unknown) => unknown;
}

/** A queryable collection's element type. */
export interface QueryTarget {
  /** `microsoft.graph.user` style name for messages. */
  readonly odataName: string;
  /** `User` style label for messages. */
  readonly label: string;
  resolve(segments: readonly string[]): ResolvedPath;
}

/** Graph's message for a property name it does not know. */
export function unknownProperty(name: string, odataName: string): Error {
  return badRequest(`Could not find a property named '${echo(name)}' on type '${odataName}'.`);
}

function readField(value: unknown, name: string): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  return Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined;
}

/** Resolves `segments` inside `type`, walking into complex types. */
export function resolveIn(type: TypeDef, segments: readonly string[], odataName: string): ResolvedPath {
  let current: TypeDef | undefined = type;
  const names: string[] = [];
  let def: ReturnType<typeof findProperty>;
  for (const [index, segment] of segments.entries()) {
    def = current ? findProperty(current, segment) : undefined;
    if (!def) {
      throw unknownProperty(segment, index === 0 ? odataName : `microsoft.graph.${current?.name ?? 'unknown'}`);
    }
    names.push(def.name);
    if (index < segments.length - 1) {
      if (def.type !== 'complex' || def.collection) throw unknownProperty(segments[index + 1] as string, odataName);
      current = def.complex ? COMPLEX_TYPES.get(def.complex) : undefined;
    }
  }
  const last = def as NonNullable<typeof def>;
  const path = names.slice();
  return {
    canonical: names.join('/'),
    type: last.type,
    complex: last.complex,
    collection: last.collection,
    get: (record) => path.reduce<unknown>((value, name) => readField(value, name), record),
  };
}

/** A target over records whose fields are the type's canonical property names. */
export function typeTarget(type: TypeDef): QueryTarget {
  const odataName = `microsoft.graph.${type.name}`;
  return { odataName, label: type.label, resolve: (segments) => resolveIn(type, segments, odataName) };
}
