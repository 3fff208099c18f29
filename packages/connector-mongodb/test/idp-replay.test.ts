/**
 * Real IdP request bodies (Entra ID with and without the 2020 flag, Okta, OneLogin, the non-standard
 * "delete" op, Broadcom IM in SCIM 1.1) through the core's handler into MongoDB.
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
import type { MongoConnector } from '../src/index.js';
import { type Backend, connectorOn, startBackend } from './helpers/backend.js';

let backend: Backend;
beforeAll(async () => {
  backend = await startBackend();
});
afterAll(() => backend.stop());

function fill(v: unknown, vars: Record<string, string>): unknown {
  if (typeof v === 'string') return v.replace(/\{\{(\w+)\}\}/g, (_, k: string) => vars[k] ?? `{{${k}}}`);
  if (Array.isArray(v)) return v.map((x) => fill(x, vars));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [fill(k, vars) as string, fill(x, vars)]));
  return v;
}

async function replay(steps: Step[]): Promise<void> {
  const connector: MongoConnector = connectorOn(backend.url, { indexes: { uniqueGroupDisplayName: false } });
  try {
    await connector.open();
    const h = createScimHandler({ connector });
    const vars: Record<string, string> = {};
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

describe('IdP replays against MongoDB', () => {
  it('Entra ID without the 2020 compliance flag', () => replay(ENTRA_NO_FLAG));
  it('Entra ID with aadOptscim062020', () => replay(ENTRA_FLAG));
  it('Okta (OIN and custom apps)', () => replay(OKTA));
  it('OneLogin', () => replay(ONELOGIN));
  it('non-standard "op":"delete"', () => replay(NONSTANDARD_DELETE_OP));
  it('Broadcom Identity Manager (SCIM 1.1)', () => replay(BROADCOM_V1));
});
