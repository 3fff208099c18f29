#!/usr/bin/env node
// Writes the JSON Schema of the bundled example configuration (examples/connector-loki.schema.json)
// from the built gateway, so the file an example's "$schema" names always matches the validator.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { configJsonSchemaFor } = await import(join(root, 'dist', 'index.js'));
const schema = await configJsonSchemaFor('@scimgw/connector-loki', root);
writeFileSync(join(root, 'examples', 'connector-loki.schema.json'), `${JSON.stringify(schema, null, 2)}\n`);
