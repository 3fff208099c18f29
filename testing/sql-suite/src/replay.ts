/**
 * The IdP replay suite: the real request bodies of Entra ID (with and without the 2020 flag),
 * Okta, OneLogin, the non-standard `"op":"delete"` and Broadcom's SCIM 1.1, in order, through the
 * core's request handler, each on an empty database.
 */
import { createScimHandler } from '@scimgw/core/handler';
import {
  BROADCOM_V1,
  ENTRA_FLAG,
  ENTRA_NO_FLAG,
  NONSTANDARD_DELETE_OP,
  OKTA,
  ONELOGIN,
  type Step,
} from '../../../packages/core/test/fixtures/idp-traffic.js';
import type { FreshFactory, SuiteCase } from './types.js';

function fill(v: unknown, vars: Record<string, string>): unknown {
  if (typeof v === 'string') return v.replace(/\{\{(\w+)\}\}/g, (_, k: string) => vars[k] ?? `{{${k}}}`);
  if (Array.isArray(v)) return v.map((x) => fill(x, vars));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [fill(k, vars) as string, fill(x, vars)]));
  return v;
}

/** Replays `steps` against a fresh connector; throws naming the first step that differs. */
export async function replay(fresh: FreshFactory, steps: Step[]): Promise<void> {
  const { connector, done } = await fresh();
  try {
    const h = createScimHandler({ connector });
    const vars: Record<string, string> = {};
    for (const step of steps) {
      const url = fill(step.url, vars) as string;
      const res = await h.handle({
        method: step.method,
        url,
        headers: step.headers ?? {},
        ...(step.body === undefined ? {} : { body: JSON.stringify(fill(step.body, vars)) }),
      });
      if (res.status !== step.status) {
        throw new Error(`${step.name}: expected ${step.status}, got ${res.status}: ${JSON.stringify(res.body)}`);
      }
      for (const [name, key] of Object.entries(step.capture ?? {}))
        vars[name] = String((res.body as Record<string, unknown>)[key]);
      try {
        step.check?.(res.body);
      } catch (e) {
        throw new Error(`${step.name}: ${(e as Error).message}`);
      }
    }
  } finally {
    await done();
  }
}

/** One case per client. */
export function replayCases(fresh: FreshFactory): SuiteCase[] {
  const suites: [string, Step[]][] = [
    ['Entra ID without the 2020 compliance flag', ENTRA_NO_FLAG],
    ['Entra ID with aadOptscim062020', ENTRA_FLAG],
    ['Okta (OIN and custom apps)', OKTA],
    ['OneLogin', ONELOGIN],
    ['non-standard "op":"delete"', NONSTANDARD_DELETE_OP],
    ['Broadcom Identity Manager (SCIM 1.1)', BROADCOM_V1],
  ];
  return suites.map(([name, steps]) => ({ name, run: () => replay(fresh, steps) }));
}
