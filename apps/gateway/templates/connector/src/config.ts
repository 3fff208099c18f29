/** The `endpoint` section of this connector: the gateway runs this validator in `start` and `check-config`. */
import { configSection, z } from '@scimgw/config';

const schema = z.strictObject({
  // Replace these with your backend's settings (URL, credentials, …); unknown keys are errors.
  exampleData: z.boolean().default(false).describe('Start with two example users'),
});

/** Exported by the package as `configSchema`. */
export const configSchema = configSection(schema, {
  title: '{{name}} endpoint',
  // Whether the connector checks callers' own credentials (`passThroughAuth` in src/index.ts) with
  // this section: it does not, so `scimgw check-config` refuses `auth.passThrough.enabled`.
  passThroughAuth: () => false,
});

/** The `endpoint` section as written in a configuration file. */
export type Config = z.input<typeof schema>;
