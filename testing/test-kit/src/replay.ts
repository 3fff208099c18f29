/**
 * IdP replays: the real request bodies of `@scimgw/core/testkit`'s `idpTraffic` (Entra ID with
 * and without the 2020 flag and its matching lookups, Okta, OneLogin, the non-standard
 * `"op":"delete"`, Broadcom's SCIM 1.1, Google, JumpCloud, One Identity, AWS, SailPoint's bursts)
 * through the core's request handler into any connector, in order, with captured ids filled in.
 */
import type { Connector } from '@scimgw/core';
import { createScimHandler } from '@scimgw/core/handler';
import {
  fillReplayVars as fillVars,
  IDP_REPLAYS,
  REPLAY_BULK,
  type ReplayAnswers,
  type ReplayStep as Step,
  runReplay,
} from '@scimgw/core/testkit';

export type { Step as ReplayStep };
export type { ReplayAnswers };
export { fillVars, IDP_REPLAYS };

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
  const h = createScimHandler({ connector, bulk: REPLAY_BULK });
  return runReplay((req) => h.handle(req), steps, answers);
}

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
