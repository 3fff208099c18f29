/**
 * The gateway's traffic recording (`scimgateway.recorder`): a JSON Lines file, a
 * {@link RecordingHeader} first, then one {@link RecordedExchange} per request it answered.
 */
import type { ReplayStep } from '../idp/step.js';

/** The first line of a recording. */
export interface RecordingHeader {
  /** The format: `scimgw/1`. */
  recording: 'scimgw/1';
  /** When the recording started (ISO 8601). */
  started: string;
  /** Whether personal values were replaced by pseudonyms (consistently, so ids still match up). */
  pseudonymized: boolean;
}

/** One request the gateway answered, and its answer. */
export interface RecordedExchange {
  /** Arrival order, from 1. */
  seq: number;
  /** When the request arrived, in ms after the recording started. */
  at: number;
  /** How long the answer took, in ms. */
  ms: number;
  /** HTTP method, upper case. */
  method: string;
  /**
   * Path and query as the client sent them, relative to the gateway's root (with the tenant
   * segment and `/v2` or `/scim/v2` when the client sent them).
   */
  url: string;
  /** Only `content-type`, `if-match` and `if-none-match`, lower-case names. */
  headers?: Record<string, string>;
  /**
   * The request body, parsed JSON (the raw text when it was not JSON). Secret-named values are
   * the literal `{{secret}}`.
   */
  body?: unknown;
  /** The answer's status. */
  status: number;
  /** The answer's body, parsed JSON, when there was one. */
  response?: unknown;
}

/** A recording turned into replay steps ({@link replayFromRecording}). */
export interface RecordingReplay {
  /** One step per exchange, in arrival order; ids the recorded answers gave are `{{user1}}` etc. */
  steps: ReplayStep[];
  /** Variables to start `runReplay` with: `secret`, a fresh strong password for `{{secret}}`. */
  vars: Record<string, string>;
  /**
   * Ids the recording's requests name in a resource path (`/Users/<id>`) that no earlier answer
   * gave: the recording started on a target that had them, and the replay's target must have them
   * too. In order of first use; an id every such request got a 404 for is not one. With
   * `seed`, only those no answer of the recording showed (they cannot be seeded).
   */
  unknownIds: string[];
  /**
   * With `{ seed: true }` only: steps to run before `steps` (`[...seed, ...steps]`) that create
   * each resource the recording used but did not create (`POST /Users`, expecting 201), from the
   * body an answer of the recording showed for it, capturing its new id into the variable
   * `steps` name it by. Users first, groups last, a member or manager before what names it.
   */
  seed?: ReplayStep[];
}

/** Options of {@link replayFromRecording}. */
export interface RecordingReplayOptions {
  /**
   * Also return `seed`, so that a recording made against a target that already held users and
   * groups replays on one that does not. Default `false`.
   */
  seed?: boolean;
}
