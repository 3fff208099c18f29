/** Shared test helpers: the example server and the example configurations, pointed at it. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testContext } from '@scimgw/core/testkit';
import { startExampleServer } from '../examples/server.mjs';
import { createConnector, createSoapConnector, type SoapConfig, type SoapConfigInput } from '../src/index.js';

export const here = dirname(fileURLToPath(import.meta.url));
export const examplesDir = join(here, '..', 'examples');

export type ExampleServer = Awaited<ReturnType<typeof startExampleServer>>;
export { startExampleServer };

/** Empties both example services (users, groups, accounts, roles). */
export function clearStores(server: ExampleServer): void {
  for (const m of [
    server.store.directory.users,
    server.store.directory.groups,
    server.store.legacy.accounts,
    server.store.legacy.roles,
  ])
    m.clear();
}

/** Which example configuration: the document/literal or the rpc/encoded service. */
export type Example = 'document' | 'rpc';

/** The `endpoint` section of an example configuration file, with its port moved to `origin`. */
export function exampleEndpoint(which: Example, origin: string): Record<string, unknown> {
  const file = join(examplesDir, which === 'document' ? 'connector-soap.json' : 'connector-soap-legacy.json');
  const text = readFileSync(file, 'utf8').split('http://localhost:8890').join(origin);
  return (JSON.parse(text) as { endpoint: Record<string, unknown> }).endpoint;
}

/** Deep-merges `patch` into a copy of `base` (objects merge, everything else replaces; `undefined` deletes). */
export function merge<T>(base: T, patch: Record<string, unknown>): T {
  const out = structuredClone(base) as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    const cur = out[k];
    if (v === undefined) delete out[k];
    else if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)) {
      out[k] = merge(cur, v as Record<string, unknown>);
    } else out[k] = v;
  }
  return out as T;
}

/**
 * A connector for an endpoint section (through the package entry, or with TLS and key files read
 * from `certsDir`), and the test context that records its logs.
 */
export async function connectorFor(endpoint: Record<string, unknown>, certsDir?: string) {
  const ctx = testContext(endpoint as unknown as SoapConfig, { baseDir: examplesDir });
  const connector = certsDir
    ? await createSoapConnector({
        config: endpoint as SoapConfigInput,
        baseDir: examplesDir,
        certsDir,
        logger: ctx.log,
        registry: ctx.registry,
      })
    : await createConnector(ctx);
  return { connector, ctx };
}
