/**
 * IdP replays: the real request bodies of packages/core/test/fixtures/idp-traffic.ts (Entra ID with
 * and without the 2020 flag, Okta, OneLogin, the non-standard `"op":"delete"`, Broadcom's SCIM 1.1)
 * through the core's request handler into any connector, in order, with captured ids filled in.
 */
import type { Connector } from '@scimgw/core';
import { createScimHandler } from '@scimgw/core/handler';
import * as traffic from '../../../packages/core/test/fixtures/idp-traffic.js';
import type { Step } from '../../../packages/core/test/fixtures/idp-traffic.js';

export type { Step as ReplayStep };

/** Where a backend answers a step differently from a plain store: the step's name → its answer. */
export type ReplayAnswers = Record<string, Partial<Pick<Step, 'status' | 'check'>>>;

/** `{{name}}` in strings (values and keys, deep) replaced by the captured `vars[name]`. */
export function fillVars(v: unknown, vars: Record<string, string>): unknown {
  if (typeof v === 'string') return v.replace(/\{\{(\w+)\}\}/g, (_, k: string) => vars[k] ?? `{{${k}}}`);
  if (Array.isArray(v)) return v.map((x) => fillVars(x, vars));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [fillVars(k, vars) as string, fillVars(x, vars)]));
  return v;
}

/**
 * Sends `steps` through `createScimHandler({ connector })`; throws naming the first step whose
 * status differs or whose check fails. Returns the captured variables (ids). The caller opens and
 * closes the connector.
 */
export async function replaySteps(
  connector: Connector,
  steps: readonly Step[],
  answers: ReplayAnswers = {},
): Promise<Record<string, string>> {
  const h = createScimHandler({ connector });
  const vars: Record<string, string> = {};
  for (const step of steps) {
    const expected = { ...step, ...(answers[step.name] ?? {}) };
    const res = await h.handle({
      method: step.method,
      url: fillVars(step.url, vars) as string,
      headers: step.headers ?? {},
      ...(step.body === undefined ? {} : { body: JSON.stringify(fillVars(step.body, vars)) }),
    });
    if (res.status !== expected.status) {
      throw new Error(`${step.name}: expected ${expected.status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    }
    for (const [name, key] of Object.entries(step.capture ?? {})) vars[name] = String((res.body as Record<string, unknown>)[key]);
    try {
      expected.check?.(res.body);
    } catch (e) {
      throw new Error(`${step.name}: ${(e as Error).message}`);
    }
  }
  return vars;
}

/** The IdP traffic by client: `[test name, steps]`. */
export const IDP_REPLAYS: readonly (readonly [string, readonly Step[]])[] = [
  ['Entra ID without the 2020 compliance flag', traffic.ENTRA_NO_FLAG],
  ['Entra ID with aadOptscim062020', traffic.ENTRA_FLAG],
  ['Okta (OIN and custom apps)', traffic.OKTA],
  ['OneLogin', traffic.ONELOGIN],
  ['non-standard "op":"delete"', traffic.NONSTANDARD_DELETE_OP],
  ['Broadcom Identity Manager (SCIM 1.1)', traffic.BROADCOM_V1],
];

/**
 * One case per client; `replay` runs the steps against the backend under test (e.g. with
 * {@link replaySteps}) and throws on the first difference.
 *
 * @example
 * for (const c of idpReplayCases((steps) => withConnector((connector) => replaySteps(connector, steps)))) it(c.name, c.run);
 */
export function idpReplayCases(
  replay: (steps: readonly Step[]) => Promise<unknown>,
): { name: string; run: () => Promise<void> }[] {
  return IDP_REPLAYS.map(([name, steps]) => ({
    name,
    run: async () => {
      await replay(steps);
    },
  }));
}
