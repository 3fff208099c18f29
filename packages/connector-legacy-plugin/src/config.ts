/** The `endpoint` section of a legacy-plugin configuration: the plugin's own keys plus `legacyPlugin`. */
import { configSection, z } from '@scimgw/config';

const OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr'] as const;

/** Zod schema of `endpoint.legacyPlugin`: where the plugin file is and how it is driven. */
export const legacyPluginOptionsZod = z.strictObject({
  file: z
    .string()
    .min(1)
    .describe('The plugin file (.ts, .mts, .js, .mjs or .cjs), relative to the base directory (the folder above config/)'),
  filterOperators: z
    .array(z.enum(OPERATORS))
    .default([...OPERATORS])
    .describe(
      'Operators handed to getUsers/getGroups as getObj.operator (the older gateway handed every simple filter); the core evaluates the others',
    ),
  paging: z
    .boolean()
    .default(true)
    .describe('Hand startIndex/count to the plugin (it returns totalResults); false: the core pages what the plugin returns'),
  skipTypeConvert: z
    .boolean()
    .default(false)
    .describe(
      'The older scimgateway.scim.skipTypeConvert: multi-valued attributes reach the plugin as arrays, not type-keyed objects',
    ),
  groups: z.boolean().default(true).describe('Serve /Groups (false: a user-only plugin)'),
});

/**
 * Zod schema of the `endpoint` section: `legacyPlugin` is ours, every other key is the plugin's
 * own (what its `scimgateway.getConfig()` returns), so it is kept as written.
 */
export const legacyPluginConfigZod = z.looseObject({
  legacyPlugin: legacyPluginOptionsZod.describe('Which plugin file to run, and how'),
});

/** The `endpoint` section as a configuration section (validate + JSON Schema). */
// No static `passThroughAuth`: whether a plugin checks passed-through credentials is known once it
// has loaded (`authPassThroughAllowed`), so the gateway decides that when it starts.
export const configSchema = configSection(legacyPluginConfigZod, { title: 'connector-legacy-plugin endpoint' });

/** `endpoint` section as written. */
export type LegacyPluginConfig = z.input<typeof legacyPluginConfigZod>;
/** `endpoint.legacyPlugin` with defaults applied. */
export type LegacyPluginOptions = z.output<typeof legacyPluginOptionsZod>;
