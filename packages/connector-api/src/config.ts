/** The `endpoint` section of the API connector: its validator, JSON Schema and type, declared once. */
import { configSection, z } from '@scimgw/config';
import { callerCredentialTenants, connectionConfigSchema } from '@scimgw/helper-rest';

/** Zod schema of the `endpoint` section of `connector-api.json`. */
export const apiConfigZod = z.strictObject({
  resourcePath: z
    .string()
    .min(1)
    .optional()
    .describe('Collection path at the REST backend. Default /products. Without any baseUrls the built-in example store answers'),
  public: z
    .strictObject({
      enabled: z.boolean().describe('Serve the unauthenticated GET /pub/api at all. Default true'),
      filters: z.array(z.string()).describe('Query parameters clients may filter by (others are ignored). Default ["model"]'),
      fields: z
        .array(z.string())
        .describe('The only fields returned publicly. Default ["id", "model", "title", "price", "year"]'),
    })
    .partial()
    .optional()
    .describe('The unauthenticated GET /pub/api'),
  entity: z
    .record(z.string(), z.strictObject({ connection: connectionConfigSchema.nullable().optional() }).nullable())
    .nullable()
    .optional()
    .describe('Tenants by baseEntity (the default tenant is "undefined"), each with the connection to its backend'),
});

/**
 * The `endpoint` section as a configuration section: the gateway runs it in `start` and
 * `check-config` before `createConnector`; `scimgw schema --connector @scimgw/connector-api`
 * prints its JSON Schema.
 */
export const configSchema = configSection(apiConfigZod, {
  title: 'connector-api endpoint',
  passThroughAuth: (config) => callerCredentialTenants(config.entity) !== false,
});

/** `endpoint` section of `connector-api.json`. */
export type ApiConfig = z.input<typeof apiConfigZod>;
