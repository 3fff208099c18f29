/**
 * Schema model (RFC 7643 §7). Attribute characteristics drive filtering,
 * projection, PATCH validation and output.
 */

export type AttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'binary' | 'complex';

export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

/** One attribute definition as published under `/Schemas`. */
export interface AttributeDefinition {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description?: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDefinition[];
}

/** A schema (core or extension) as published under `/Schemas`. */
export interface SchemaDefinition {
  id: string;
  name: string;
  description?: string;
  attributes: AttributeDefinition[];
  /** Vendor extensions such as `x-agent-schema`, published as they are. */
  [vendorKey: `x-${string}`]: unknown;
}

/** A resource type as published under `/ResourceTypes`. */
export interface ResourceTypeDefinition {
  /** `User`, `Group`, `Role`, `Entitlement` or a custom name. */
  id: string;
  name: string;
  /** Path segment, e.g. `/Users`. */
  endpoint: string;
  description?: string;
  /** URN of the core schema. */
  schema: string;
  schemaExtensions: { schema: string; required: boolean }[];
}

/** Loose attribute input accepted by {@link attr}: unset characteristics take RFC defaults. */
export type AttributeInput = Partial<Omit<AttributeDefinition, 'subAttributes'>> & {
  name: string;
  subAttributes?: AttributeInput[];
};

/**
 * Builds an attribute definition with RFC 7643 §2.2 defaults
 * (string, single-valued, not required, caseExact false, readWrite, default, none).
 */
export function attr(input: AttributeInput): AttributeDefinition {
  const def: AttributeDefinition = {
    name: input.name,
    type: input.type ?? (input.subAttributes ? 'complex' : 'string'),
    multiValued: input.multiValued ?? false,
    required: input.required ?? false,
    caseExact: input.caseExact ?? false,
    mutability: input.mutability ?? 'readWrite',
    returned: input.returned ?? 'default',
    uniqueness: input.uniqueness ?? 'none',
  };
  if (input.description !== undefined) def.description = input.description;
  if (input.canonicalValues !== undefined) def.canonicalValues = input.canonicalValues;
  if (input.referenceTypes !== undefined) def.referenceTypes = input.referenceTypes;
  if (input.subAttributes) def.subAttributes = input.subAttributes.map(attr);
  return def;
}
