/** The `endpoint` section of the Loki connector: its validator and JSON Schema, declared once. */
import { configSection, z } from '@scimgw/config';

const mib = (doc: string, min: number) => z.number().min(min).describe(doc);

/** Zod schema of the `endpoint` section. */
export const lokiConfigZod = z.strictObject({
  persistence: z.boolean().default(true).describe('Keep the store on disk; false keeps everything in memory'),
  directory: z.string().min(1).default('data').describe("Directory of the data files, relative to the gateway's base directory"),
  fsync: z.boolean().default(true).describe('fdatasync each journal batch (survives power loss, not only a crash)'),
  exampleData: z.boolean().default(true).describe('Seed a new store with example users, groups, roles and entitlements'),
  compactMiB: mib('Fold the journal into the snapshot once it passes this many MiB', 0.001).default(64),
  preallocateMiB: mib('Grow the journal file by this many MiB of zeros at a time; 0 appends instead', 0).default(1),
  idStrategy: z
    .enum(['uuid', 'legacy'])
    .default('uuid')
    .describe(
      'Ids of new resources: uuid (random), or legacy: id = userName for users and displayName for groups, as the older scimgateway plugin-loki gave them',
    ),
  entity: z
    .record(
      z.string(),
      z
        .looseObject({
          importLokiFile: z
            .string()
            .min(1)
            .optional()
            .describe(
              "The older scimgateway plugin-loki database file (relative to the gateway's base directory), imported with its ids when this tenant's store is created",
            ),
        })
        .nullable(),
    )
    .optional()
    .describe('Tenants by baseEntity (each tenant gets its own files); the default tenant is "undefined"'),
});

/** The `endpoint` section as a configuration section; the gateway runs it before `createConnector`. */
export const configSchema = configSection(lokiConfigZod, {
  title: 'connector-loki endpoint',
  // The embedded store has no accounts: a passed-through credential would be checked by nothing.
  passThroughAuth: () => false,
});

/** The `endpoint` section as written in a configuration file. */
export type LokiConfig = z.input<typeof lokiConfigZod>;
