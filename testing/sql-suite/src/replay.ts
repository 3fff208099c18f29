/**
 * The IdP replay suite: the real request bodies of Entra ID (with and without the 2020 flag),
 * Okta, OneLogin, the non-standard `"op":"delete"` and Broadcom's SCIM 1.1, in order, through the
 * core's request handler, each on an empty database (the steps and the runner are
 * `@scimgw/testing-kit`'s, shared with the non-SQL connectors).
 */
import { idpReplayCases, type ReplayStep, replaySteps } from '@scimgw/testing-kit';
import type { FreshFactory, SuiteCase } from './types.js';

/** Replays `steps` against a fresh connector; throws naming the first step that differs. */
export async function replay(fresh: FreshFactory, steps: readonly ReplayStep[]): Promise<void> {
  const { connector, done } = await fresh();
  try {
    await replaySteps(connector, steps);
  } finally {
    await done();
  }
}

/** One case per client. */
export function replayCases(fresh: FreshFactory): SuiteCase[] {
  return idpReplayCases((steps) => replay(fresh, steps));
}
