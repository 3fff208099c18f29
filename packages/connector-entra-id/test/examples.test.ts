/** The shipped example configurations validate with the package's own configSchema. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/index.js';

describe('examples/', () => {
  for (const name of ['connector-entra-id.json', 'connector-entra-id-certificate.json']) {
    it(`${name} has a valid endpoint section`, () => {
      const file = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'examples', name), 'utf8')) as { endpoint: unknown };
      const r = configSchema.validate(file.endpoint);
      expect(r.ok ? [] : r.issues).toEqual([]);
      // Graph is signed in to with the gateway's application: check-config refuses auth.passThrough.
      if (r.ok) expect(configSchema.passThroughAuth?.(r.value)).toBe(false);
    });
  }
});
