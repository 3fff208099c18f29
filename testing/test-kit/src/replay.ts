/**
 * IdP replays: the real request bodies of packages/core/test/fixtures/idp-traffic.ts (Entra ID with
 * and without the 2020 flag, Okta, OneLogin, the non-standard `"op":"delete"`, Broadcom's SCIM 1.1)
 * through the core's request handler into any connector, in order, with captured ids filled in.
 */
import type { Connector } from '@scimgw/core';
import { createScimHandler } from '@scimgw/core/handler';
import * as others from '../../../packages/core/test/fixtures/idp-traffic-others.js';
import * as traffic from '../../../packages/core/test/fixtures/idp-traffic.js';
import type { Step } from '../../../packages/core/test/fixtures/idp-traffic.js';
import { fillVars, type ReplayAnswers, runReplay } from '../../../packages/core/test/fixtures/replay-runner.js';

export type { Step as ReplayStep };
export type { ReplayAnswers };
export { fillVars };

/**
 * Sends `steps` through `createScimHandler({ connector })`; throws naming the first step whose
 * status differs or whose check fails (a step with `concurrent` is sent that many times at once).
 * Returns the captured variables (ids). The caller opens and closes the connector.
 */
export async function replaySteps(
  connector: Connector,
  steps: readonly Step[],
  answers: ReplayAnswers = {},
): Promise<Record<string, string>> {
  const h = createScimHandler({ connector });
  return runReplay((req) => h.handle(req), steps, answers);
}

/** The IdP traffic by client: `[test name, steps]`. */
export const IDP_REPLAYS: readonly (readonly [string, readonly Step[]])[] = [
  ['Entra ID without the 2020 compliance flag', traffic.ENTRA_NO_FLAG],
  ['Entra ID with aadOptscim062020', traffic.ENTRA_FLAG],
  ['Okta (OIN and custom apps)', traffic.OKTA],
  ['OneLogin', traffic.ONELOGIN],
  ['non-standard "op":"delete"', traffic.NONSTANDARD_DELETE_OP],
  ['Broadcom Identity Manager (SCIM 1.1)', traffic.BROADCOM_V1],
  ['Entra ID matching lookups', others.ENTRA_MATCHING],
  ['Google Workspace (application/json)', others.GOOGLE],
  ['JumpCloud test connection', others.JUMPCLOUD],
  ['One Identity Manager (long or filters)', others.ONE_IDENTITY],
  ['AWS IAM Identity Center (cursor paging)', others.AWS_CURSOR],
  ['SailPoint (bursts of parallel requests)', others.SAILPOINT_BURST],
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
