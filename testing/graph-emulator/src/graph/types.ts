/** Framework-free request and response shapes of the Graph handler (HTTP and `$batch` share them). */

/** One Graph request, after the `/v1.0` prefix has been taken off. */
export interface GraphRequest {
  readonly method: string;
  /** Path below `/v1.0`, e.g. `/users/{id}`, still percent-encoded. */
  readonly path: string;
  /** Query string without `?`. */
  readonly query: string;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body, `undefined` when none was sent. */
  readonly body: unknown;
  /** `https://host:port/v1.0` as the client reached it, for `@odata.context` and links. */
  readonly serviceRoot: string;
  readonly inBatch: boolean;
}

/** One Graph response. */
export interface GraphResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** JSON value, or a string for `text/plain` answers such as `/$count`. */
  readonly body?: unknown;
}

/** The application a token was issued to, as the Graph routes see it. */
export interface Caller {
  readonly appId: string;
  readonly displayName: string;
  readonly servicePrincipalId: string;
  readonly roles: ReadonlySet<string>;
}

/** JSON content type Graph sends. */
export const JSON_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

/** A JSON response. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): GraphResponse {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body };
}

/** 204 No Content. */
export function noContent(): GraphResponse {
  return { status: 204, headers: {} };
}

/** A `text/plain` response (`$count`). */
export function text(value: string): GraphResponse {
  return { status: 200, headers: { 'content-type': 'text/plain' }, body: value };
}
