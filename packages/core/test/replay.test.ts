import { describe, expect, it } from 'vitest';
import { createScimHandler } from '../src/handler/index.js';
import type { PatchQuirk } from '../src/patch/index.js';
import {
  BROADCOM_V1,
  ENTRA_FLAG,
  ENTRA_NO_FLAG,
  NONSTANDARD_DELETE_OP,
  OKTA,
  ONELOGIN,
  type Step,
} from './fixtures/idp-traffic.js';
import { memoryConnector } from './fixtures/memory-connector.js';

function fill(v: unknown, vars: Record<string, string>): unknown {
  if (typeof v === 'string') return v.replace(/\{\{(\w+)\}\}/g, (_, k: string) => vars[k] ?? `{{${k}}}`);
  if (Array.isArray(v)) return v.map((x) => fill(x, vars));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [fill(k, vars) as string, fill(x, vars)]));
  return v;
}

async function replay(steps: Step[], withModify: boolean): Promise<PatchQuirk[]> {
  const quirks: PatchQuirk[] = [];
  const h = createScimHandler({ connector: memoryConnector({ withModify }), onQuirk: (q) => quirks.push(q) });
  const vars: Record<string, string> = {};
  for (const step of steps) {
    const url = fill(step.url, vars) as string;
    const res = await h.handle({
      method: step.method,
      url,
      headers: step.headers ?? {},
      ...(step.body === undefined ? {} : { body: JSON.stringify(fill(step.body, vars)) }),
    });
    expect(res.status, `${step.name}: ${JSON.stringify(res.body)}`).toBe(step.status);
    for (const [name, key] of Object.entries(step.capture ?? {})) vars[name] = String((res.body as Record<string, unknown>)[key]);
    try {
      step.check?.(res.body);
    } catch (e) {
      throw new Error(`${step.name}: ${(e as Error).message}`);
    }
  }
  return quirks;
}

describe.each([
  ['connector with modify', true],
  ['connector with replace only', false],
])('IdP replays (%s)', (_label, withModify) => {
  it('Entra ID without the 2020 compliance flag', async () => {
    const q = await replay(ENTRA_NO_FLAG, withModify);
    expect(q).toEqual(expect.arrayContaining(['capitalisedOp', 'wrappedSingleValue', 'nullClears', 'removeByValueList']));
  });
  it('Entra ID with aadOptscim062020', async () => {
    const q = await replay(ENTRA_FLAG, withModify);
    expect(q).toEqual(expect.arrayContaining(['pathlessKeys', 'removeBySelector']));
  });
  it('Okta (OIN and custom apps)', async () => {
    const q = await replay(OKTA, withModify);
    expect(q).toContain('ignoredReadOnlyKey');
  });
  it('OneLogin', () => replay(ONELOGIN, withModify));
  it('non-standard "op":"delete"', async () => {
    expect(await replay(NONSTANDARD_DELETE_OP, withModify)).toContain('deleteOp');
  });
  it('Broadcom Identity Manager (SCIM 1.1)', async () => {
    expect(await replay(BROADCOM_V1, withModify)).toContain('partialResourcePatch');
  });
});
