/**
 * One step of an IdP replay, and what the client sequences share: the URNs they send and the
 * helpers their checks use. `{{name}}` in a URL, body, key or header is replaced by a value
 * captured from an earlier answer, `{{name:uri}}` by that value URL-encoded (runner.ts).
 */
/** One request of an identity provider's client and the answer it must get. */
export interface ReplayStep {
  name: string;
  method: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  /**
   * Values of the answer kept under a name for later steps: a top-level key (`{ user: 'id' }`), or
   * a JSON Pointer when it starts with `/` (`{ user3: '/Resources/0/id' }`, RFC 6901: `~1` is `/`,
   * `~0` is `~`). A pointer that names nothing in the answer fails the step.
   */
  capture?: Record<string, string>;
  /** Throws when the answer is wrong; `vars` holds what earlier steps captured. */
  // biome-ignore lint/suspicious/noExplicitAny: answers are arbitrary JSON, read with property access
  check?: (body: any, vars: Record<string, string>) => void;
  /**
   * Sent this many times at once (a burst), `{{i}}` (0, 1, …) filled in first; every answer must
   * have `status` and pass `check`.
   */
  concurrent?: number;
  /**
   * With `concurrent`: how many answers must have each status (`{ 201: 1, 409: 5 }`), instead of
   * every answer having `status`; `check` and `capture` then apply to the answers with `status`.
   */
  statusCounts?: Readonly<Record<number, number>>;
  /**
   * Consecutive steps with the same `group` are sent at once (requests a client sent in parallel).
   * The group passes when its answers' statuses are, as a multiset, the steps' statuses; each
   * step's `capture` and `check` apply to its own answer when that has its status, else to the
   * answer with its status of an identical request of the group (method, URL and body as filled),
   * so a create sent six times at once passes whichever of them made the resource. Not together
   * with `concurrent`.
   */
  group?: string;
}

export const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const V1 = 'urn:scim:schemas:core:1.0';

/** A filter for a URL, `{{name}}` left as it is for the runner to fill in. */
export const q = (filter: string) => encodeURIComponent(filter).replace(/%7B%7B(\w+)%7D%7D/g, '{{$1}}');
/** Throws with the answer (or a message) as the failure. */
export const fail = (what: unknown): never => {
  throw new Error(typeof what === 'string' ? what : JSON.stringify(what));
};
/** The ids a list of members or resources names, sorted. */
export const ids = (list: { value?: string; id?: string }[] | undefined) =>
  (list ?? []).map((m) => m.value ?? m.id).sort((a, b) => String(a).localeCompare(String(b)));
/** Whether sorted ids are exactly `want`. */
export const same = (got: unknown[], want: unknown[]) =>
  JSON.stringify(got) === JSON.stringify([...want].sort((a, b) => String(a).localeCompare(String(b))));
