/**
 * Real identity providers' traffic as test cases any connector can run: each client's requests,
 * in the order it sends them, through the real core handler into the connector.
 *
 * @example
 * import { idpReplayCases } from '@scimgw/core/testkit';
 * for (const c of idpReplayCases({ connector: () => createMyConnector() })) it(c.name, c.run);
 */
import type { Connector } from '../../contract/types.js';
import { createScimHandler } from '../../handler/handler.js';
import { type ReplayAnswers, runReplay } from './runner.js';
import { AWS_CURSOR } from './aws.js';
import { BROADCOM_V1, NONSTANDARD_DELETE_OP } from './broadcom.js';
import { BULK } from './bulk.js';
import { ENTRA_FLAG, ENTRA_MATCHING, ENTRA_NO_FLAG } from './entra.js';
import { GOOGLE } from './google.js';
import { JUMPCLOUD } from './jumpcloud.js';
import { OKTA } from './okta.js';
import { ONE_IDENTITY } from './one-identity.js';
import { ONELOGIN } from './onelogin.js';
import { SAILPOINT_BURST } from './sailpoint.js';
import type { ReplayStep } from './step.js';

/** Each client's requests, by client. */
export const idpTraffic = Object.freeze({
  /** Entra ID without the `aadOptscim062020` flag: capitalised ops, string booleans, value-list removals. */
  entraNoFlag: ENTRA_NO_FLAG,
  /** Entra ID with the flag: path-less replaces with dotted keys, removals by filter. */
  entraFlag: ENTRA_FLAG,
  /** Entra ID's matching lookups: a work address, a group name with special characters. */
  entraMatching: ENTRA_MATCHING,
  /** Okta (OIN and custom apps): password on create, PUT updates, path-less deactivate. */
  okta: OKTA,
  /** OneLogin: non-standard schema URNs, trailing `?`/`&`, PUT updates. */
  oneLogin: ONELOGIN,
  /** A client that sends `"op":"delete"`. */
  nonStandardDeleteOp: NONSTANDARD_DELETE_OP,
  /** Broadcom Identity Manager over SCIM 1.1. */
  broadcomV1: BROADCOM_V1,
  /** Google Workspace: `application/json` bodies. */
  google: GOOGLE,
  /** JumpCloud's Test Connection: a test user and group, created, joined, left and deleted. */
  jumpCloud: JUMPCLOUD,
  /** One Identity Manager: long `or` filters over userName, id and externalId. */
  oneIdentity: ONE_IDENTITY,
  /** AWS IAM Identity Center: RFC 9865 cursor paging. */
  awsCursor: AWS_CURSOR,
  /** SailPoint: bursts of parallel creates and member changes to one group. */
  sailPointBurst: SAILPOINT_BURST,
  /** A client provisioning through `/Bulk`: bulkId references, `failOnErrors`. */
  bulk: BULK,
});

/** Each client's requests as `[test name, steps]`. */
export const IDP_REPLAYS: readonly (readonly [string, readonly ReplayStep[]])[] = [
  ['Entra ID without the 2020 compliance flag', idpTraffic.entraNoFlag],
  ['Entra ID with aadOptscim062020', idpTraffic.entraFlag],
  ['Okta (OIN and custom apps)', idpTraffic.okta],
  ['OneLogin', idpTraffic.oneLogin],
  ['non-standard "op":"delete"', idpTraffic.nonStandardDeleteOp],
  ['Broadcom Identity Manager (SCIM 1.1)', idpTraffic.broadcomV1],
  ['Entra ID matching lookups', idpTraffic.entraMatching],
  ['Google Workspace (application/json)', idpTraffic.google],
  ['JumpCloud test connection', idpTraffic.jumpCloud],
  ['One Identity Manager (long or filters)', idpTraffic.oneIdentity],
  ['AWS IAM Identity Center (cursor paging)', idpTraffic.awsCursor],
  ['SailPoint (bursts of parallel requests)', idpTraffic.sailPointBurst],
  ['a client using /Bulk (bulkId references, failOnErrors)', idpTraffic.bulk],
];

/** Bulk as the gateway serves it by default (the Bulk client's replay needs it on). */
export const REPLAY_BULK = Object.freeze({ maxOperations: 1000, maxPayloadSize: 10_485_760 });

/** Options of {@link idpReplayCases}. */
export interface IdpReplayOptions {
  /**
   * Returns the connector under test, called once per client. Each client's names are its own, so
   * the clients can share one backend; one client's steps assume its names are free.
   */
  connector: () => Connector | Promise<Connector>;
  /** Called after each client with the connector it used. */
  release?: (connector: Connector) => void | Promise<void>;
  /** Where the backend rightly answers a step differently: the step's name → its answer (say why). */
  answers?: ReplayAnswers;
}

/**
 * One case per client: its requests through `createScimHandler({ connector })`, each answer's
 * status and content checked; `run` throws naming the first step that differs.
 */
export function idpReplayCases(opts: IdpReplayOptions): { name: string; run: () => Promise<void> }[] {
  return IDP_REPLAYS.map(([name, steps]) => ({
    name,
    run: async () => {
      const connector = await opts.connector();
      try {
        const h = createScimHandler({ connector, bulk: REPLAY_BULK });
        await runReplay((req) => h.handle(req), steps, opts.answers);
      } finally {
        await opts.release?.(connector);
      }
    },
  }));
}
