/**
 * The `endpoint.map` configuration shape (kept compatible with the seed
 * gateway's `endpointMapper` files) and the public result types of the mapper.
 */
import type { AttributeDefinition, Mutability, Returned, Uniqueness } from '@scimgw/core';
import type { FilterNode } from '@scimgw/core/filter';

/** Scalar value types a mapped value can have on either side. */
export type ScalarType = 'string' | 'boolean' | 'integer' | 'number' | 'datetime';

/**
 * `type` of a map entry: the shape and type of the value **at the endpoint**.
 * Aliases accepted when parsing (case-insensitive): `decimal` → `number`,
 * `dateTime`/`date` → `datetime`, `bool` → `boolean`, `int` → `integer`.
 */
export type MapValueType = ScalarType | 'array' | 'complexArray' | 'complexObject';

/**
 * How a `datetime` value is written to the endpoint (reading accepts all of them):
 * `iso` (`2024-05-01T10:00:00.000Z`, default), `generalizedTime` (LDAP, `20240501100000Z`),
 * `epochMillis`, `epochSeconds`, `fileTime` (Active Directory: 100 ns ticks since 1601, as a string).
 */
export type DatetimeFormat = 'iso' | 'generalizedTime' | 'epochMillis' | 'epochSeconds' | 'fileTime';

/** A value a `valueMap` can hold. */
export type MapScalar = string | number | boolean;

/**
 * One entry of `map.user` / `map.group`, keyed by the endpoint attribute name.
 * A dotted key (`passwordProfile.password`) addresses a nested endpoint value.
 *
 * @example
 * { "mail": { "mapTo": "emails.work.value,userName", "type": "string" } }
 */
export interface MapEntryConfig {
  /**
   * SCIM target(s), comma-separated: `userName`, `name.givenName`,
   * `emails.work.value` (type-keyed element), `members.value`,
   * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`,
   * or a custom name that becomes part of the generated schema.
   */
  mapTo: string;
  /** Endpoint value type/shape. Default `string`. */
  type?: MapValueType | string;
  /** Element type of an `array` (seed shape `items: { type }`). Default `string`. */
  items?: { type?: ScalarType | string };
  /**
   * Type of the SCIM side when it differs from the endpoint's, for custom
   * targets (seed name). `string` with `type: "array"` exposes the first element.
   */
  typeInbound?: ScalarType | 'array' | string;
  /**
   * Endpoint value → SCIM value. Values not listed are invisible to clients:
   * dropped when reading (on a single-valued attribute, by default the whole
   * resource is hidden; see {@link MapEntryConfig.unlisted}), rejected with
   * 400 `invalidValue` when written, ignored when removed.
   * An empty object disables it.
   */
  valueMap?: Record<string, MapScalar>;
  /**
   * What reading does with an endpoint value the `valueMap` does not list.
   * `hide` (default for single-valued attributes): the whole resource is hidden
   * (not listed, 404 on get). `drop`: the attribute is left out and the resource
   * stays visible; on a list (`type: "array"`) the element is left out, which is
   * what lists always do, so `hide` there is a configuration error. Ignored
   * without a `valueMap`.
   */
  unlisted?: 'hide' | 'drop';
  /** Endpoint representation of a `datetime`. Default `iso`. */
  format?: DatetimeFormat;
  /** Marks the SCIM attribute required in the generated schema. */
  required?: boolean;
  /** SCIM mutability in the generated schema; `readOnly` entries are never written. */
  mutability?: Mutability;
  returned?: Returned;
  caseExact?: boolean;
  uniqueness?: Uniqueness;
  description?: string;
  canonicalValues?: string[];
  /**
   * For `complexObject`/`complexArray`: the sub-attributes passed through
   * (empty or absent: all).
   */
  subAttributes?: string[];
  /** Free-form hints for provisioning agents (MCP tools), copied verbatim into the generated attribute. */
  'x-agent-schema'?: Record<string, unknown>;
  /** Unknown keys (e.g. a disabled `xvalueMap`) are ignored. */
  [other: string]: unknown;
}

/**
 * The attributes of one resource type: endpoint attribute → entry. A key
 * `x-agent-schema` holds schema-level agent hints instead of an entry.
 */
export type ResourceMapConfig = Record<string, MapEntryConfig | Record<string, unknown>>;

/** `endpoint.map`: `user`, `group` (and optionally other resource types, lower-cased). */
export interface MapConfig {
  user?: ResourceMapConfig;
  group?: ResourceMapConfig;
  [resourceType: string]: ResourceMapConfig | undefined;
}

/** A parsed `mapTo` element, before it is resolved against a schema. */
export interface RawTarget {
  /** The element as written. */
  text: string;
  /** Schema URN prefix, when written. */
  uri?: string;
  attr: string;
  /** `work` in `emails.work.value`. */
  typeKey?: string;
  sub?: string;
}

/** How a SCIM target holds its values. */
export type TargetShape =
  /** `displayName`, `name` (whole complex), custom scalars. */
  | 'single'
  /** A whole multi-valued attribute: `members`, `emails`, a custom string list. */
  | 'multi'
  /** `name.givenName`. */
  | 'subOfSingle'
  /** `members.value`: endpoint list elements ↔ one sub-attribute of each SCIM element. */
  | 'subOfMulti'
  /** `emails.work.value`: the elements of one `type`. */
  | 'typed';

/** A resolved SCIM target of a map entry (introspection). */
export interface MappedTarget {
  /** As written in `mapTo`. */
  text: string;
  /** Canonical SCIM path: `[urn:]attr[.sub]` (type key not included). */
  path: string;
  /** Extension URN; absent for the core schema. */
  extension?: string;
  attr: string;
  typeKey?: string;
  sub?: string;
  shape: TargetShape;
  /** True when the attribute is not in the standard schema and is defined by the mapping. */
  custom: boolean;
  readOnly: boolean;
  writeOnly: boolean;
}

/** One configured mapping, resolved (introspection). */
export interface MappedAttribute {
  /** Endpoint attribute (the map key). */
  endpoint: string;
  type: MapValueType;
  targets: readonly MappedTarget[];
  /** True when a `valueMap` is in force. */
  valueMapped: boolean;
  /** True when an unlisted value hides the whole resource (a single-valued `valueMap` with `unlisted: "hide"`). */
  hides: boolean;
  /** True when never written to the endpoint (`mutability: readOnly`, or every target read-only). */
  readOnly: boolean;
}

/**
 * Endpoint-neutral modifications computed from a SCIM change list. Keys are
 * endpoint attribute names as configured. A connector applies them in this
 * order: `clear`, `remove`, `set`, `add` (each key appears in at most one of
 * `clear`/`set`).
 */
export interface EndpointChanges {
  /** Replace the whole value (a list for array-typed attributes). */
  set: Record<string, unknown>;
  /** Add these values to a multi-valued attribute (values already present stay once). */
  add: Record<string, unknown[]>;
  /**
   * Remove these values if present. For a single-valued endpoint attribute:
   * clear it when it holds one of them.
   */
  remove: Record<string, unknown[]>;
  /** Clear these attributes. */
  clear: string[];
}

/**
 * A SCIM filter translated into endpoint attribute names and values.
 * `exact: false` means the endpoint filter only narrows (returns a superset):
 * the connector must check each mapped result with the original filter
 * (`matchesFilter` from `@scimgw/core`).
 */
export type TranslatedFilter =
  /** Nothing can match (e.g. `displayName eq` a value outside the valueMap): answer empty without asking the endpoint. */
  | { kind: 'none' }
  /** No endpoint filter: read everything (then post-filter unless exact). */
  | { kind: 'all'; exact: boolean }
  | { kind: 'filter'; filter: FilterNode; exact: boolean };

/** An attribute definition as generated, with the agent hints passed through. */
export type GeneratedAttribute = AttributeDefinition & { 'x-agent-schema'?: Record<string, unknown> };
