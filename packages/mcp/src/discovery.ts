/**
 * What the gateway serves, read the way any SCIM client reads it: `/ServiceProviderConfig`,
 * `/ResourceTypes` and `/Schemas`, through the session's own SCIM requests. The tools are built
 * from these documents, so custom schemas, mapper-generated attributes and their
 * `x-agent-schema` hints reach the agent without code.
 */
import { z } from '@scimgw/config';
import type { ScimCall } from './call.js';

const hints = z.record(z.string(), z.unknown()).optional();

interface AttributeShape {
  name: string;
  type: string;
  multiValued: boolean;
  description?: string | undefined;
  required: boolean;
  caseExact: boolean;
  mutability: string;
  returned: string;
  uniqueness: string;
  canonicalValues?: string[] | undefined;
  referenceTypes?: string[] | undefined;
  subAttributes?: AttributeShape[] | undefined;
  'x-agent-schema'?: Record<string, unknown> | undefined;
}

const attributeSchema: z.ZodType<AttributeShape> = z.lazy(() =>
  z.looseObject({
    name: z.string(),
    type: z.string().default('string'),
    multiValued: z.boolean().default(false),
    description: z.string().optional(),
    required: z.boolean().default(false),
    caseExact: z.boolean().default(false),
    mutability: z.string().default('readWrite'),
    returned: z.string().default('default'),
    uniqueness: z.string().default('none'),
    canonicalValues: z
      .array(z.unknown())
      .transform((v) => v.map(String))
      .optional(),
    referenceTypes: z.array(z.string()).optional(),
    subAttributes: z.array(attributeSchema).optional(),
    'x-agent-schema': hints,
  }),
);

const schemaDocument = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  description: z.string().optional(),
  attributes: z.array(attributeSchema).default([]),
  'x-agent-schema': hints,
});

const resourceTypeDocument = z.looseObject({
  id: z.string(),
  name: z.string(),
  endpoint: z.string(),
  description: z.string().optional(),
  schema: z.string(),
  schemaExtensions: z.array(z.looseObject({ schema: z.string(), required: z.boolean().default(false) })).default([]),
});

const listOf = <T extends z.ZodType>(item: T) => z.looseObject({ Resources: z.array(item).default([]) });

const providerConfigDocument = z.looseObject({
  filter: z.looseObject({ supported: z.boolean().default(true), maxResults: z.number().int().min(1).optional() }).optional(),
  sort: z.looseObject({ supported: z.boolean().default(false) }).optional(),
  patch: z.looseObject({ supported: z.boolean().default(true) }).optional(),
});

/** An attribute definition as served under `/Schemas` (RFC 7643 §7), vendor keys kept. */
export type ServedAttribute = AttributeShape;
/** A schema as served under `/Schemas`. */
export type ServedSchema = z.output<typeof schemaDocument>;
/** A resource type as served under `/ResourceTypes`. */
export type ServedResourceType = z.output<typeof resourceTypeDocument>;

/** Everything the tools are built from. */
export interface Discovery {
  resourceTypes: ServedResourceType[];
  /** Schemas by lower-cased URN. */
  schemas: ReadonlyMap<string, ServedSchema>;
  /** Largest page the gateway serves (`filter.maxResults`). */
  maxResults: number | undefined;
  /** Whether `sortBy` is served. */
  sort: boolean;
}

/** The gateway's discovery documents could not be read. */
export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
}

/**
 * Reads the discovery documents through `call` (so the session's credential and tenant apply).
 *
 * @throws DiscoveryError when a document cannot be read or has an unexpected shape
 */
export async function discover(call: ScimCall, requestId: string): Promise<Discovery> {
  const read = async <T extends z.ZodType>(path: string, shape: T): Promise<z.output<T>> => {
    const res = await call({ method: 'GET', path }, { tool: 'discovery', requestId });
    if (res.status !== 200) {
      const detail = (res.body as { detail?: unknown } | undefined)?.detail;
      throw new DiscoveryError(`GET ${path} answered ${res.status}${typeof detail === 'string' ? `: ${detail}` : ''}`);
    }
    const parsed = shape.safeParse(res.body);
    if (!parsed.success)
      throw new DiscoveryError(`GET ${path}: unexpected document (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    return parsed.data;
  };
  const [config, types, schemas] = await Promise.all([
    read('/ServiceProviderConfig', providerConfigDocument),
    read('/ResourceTypes', listOf(resourceTypeDocument)),
    read('/Schemas', listOf(schemaDocument)),
  ]);
  return {
    resourceTypes: types.Resources,
    schemas: new Map(schemas.Resources.map((s) => [s.id.toLowerCase(), s])),
    maxResults: config.filter?.maxResults,
    sort: config.sort?.supported ?? false,
  };
}
