/**
 * Real IdP request bodies (packages/core/test/fixtures/idp-traffic.ts) through the core handler
 * with this connector, against both example SOAP services.
 */
import { createScimHandler } from '@scimgw/core/handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BROADCOM_V1,
  ENTRA_FLAG,
  ENTRA_NO_FLAG,
  NONSTANDARD_DELETE_OP,
  OKTA,
  ONELOGIN,
  type Step,
} from '../../core/test/fixtures/idp-traffic.js';
import { connectorFor, type Example, type ExampleServer, exampleEndpoint, startExampleServer } from './helpers.js';

let server: ExampleServer;
beforeAll(async () => {
  server = await startExampleServer({ port: 0 });
});
afterAll(async () => {
  await server?.close();
});

function fill(v: unknown, vars: Record<string, string>): unknown {
  if (typeof v === 'string') return v.replace(/\{\{(\w+)\}\}/g, (_, k: string) => vars[k] ?? `{{${k}}}`);
  if (Array.isArray(v)) return v.map((x) => fill(x, vars));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [fill(k, vars) as string, fill(x, vars)]));
  return v;
}

async function replay(which: Example, steps: Step[]): Promise<void> {
  const { connector } = await connectorFor(exampleEndpoint(which, server.origin));
  const h = createScimHandler({ connector });
  const vars: Record<string, string> = {};
  try {
    for (const step of steps) {
      const res = await h.handle({
        method: step.method,
        url: fill(step.url, vars) as string,
        headers: step.headers ?? {},
        ...(step.body === undefined ? {} : { body: JSON.stringify(fill(step.body, vars)) }),
      });
      expect(res.status, `${step.name}: ${JSON.stringify(res.body)}`).toBe(step.status);
      for (const [name, key] of Object.entries(step.capture ?? {}))
        vars[name] = String((res.body as Record<string, unknown>)[key]);
      try {
        step.check?.(res.body);
      } catch (e) {
        throw new Error(`${step.name}: ${(e as Error).message}`);
      }
    }
  } finally {
    await connector.close?.();
  }
}

/** Both services start empty for every replay: fixtures reuse names (dade.murphy, displayName …). */
function reset() {
  for (const m of [
    server.store.directory.users,
    server.store.directory.groups,
    server.store.legacy.accounts,
    server.store.legacy.roles,
  ])
    m.clear();
}

describe.each([
  ['DirectoryService (document/literal)', 'document'],
  ['LegacyDirectory (rpc/encoded)', 'rpc'],
] as [string, Example][])('IdP replays against %s', (_label, which) => {
  it('Entra ID without the 2020 compliance flag', async () => {
    reset();
    await replay(which, ENTRA_NO_FLAG);
  });
  it('Entra ID with aadOptscim062020', async () => {
    reset();
    await replay(which, ENTRA_FLAG);
  });
  it('Okta (OIN and custom apps)', async () => {
    reset();
    await replay(which, OKTA);
  });
  it('OneLogin', async () => {
    reset();
    await replay(which, ONELOGIN);
  });
  it('non-standard "op":"delete"', async () => {
    reset();
    await replay(which, NONSTANDARD_DELETE_OP);
  });
  it('Broadcom Identity Manager (SCIM 1.1)', async () => {
    reset();
    await replay(which, BROADCOM_V1);
  });
});
