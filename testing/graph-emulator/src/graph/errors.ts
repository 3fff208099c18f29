/**
 * Graph's error shape: `{"error":{"code","message","details"?,"innerError":{…}}}`.
 * Codes and messages follow what Microsoft documents for directory objects; where the docs
 * give no wording the message is the emulator's own (see README).
 */

/** One entry of `error.details`, e.g. `{ code: 'ObjectConflict', target: 'userPrincipalName' }`. */
export interface GraphErrorDetail {
  code: string;
  message?: string;
  target?: string;
}

/** A Graph error response: HTTP status, Graph error code and message. */
export class GraphError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: readonly GraphErrorDetail[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { details?: GraphErrorDetail[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'GraphError';
    this.status = status;
    this.code = code;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

/** Client-controlled text echoed in a message is cut short so an error never mirrors a huge input. */
export function echo(value: string, max = 120): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/** 404 `Request_ResourceNotFound` for a directory object id (or a navigation such as `manager`). */
export function notFound(id: string): GraphError {
  return new GraphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${echo(id)}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

/** 400 `Request_BadRequest`. */
export function badRequest(message: string, details?: GraphErrorDetail[]): GraphError {
  return new GraphError(400, 'Request_BadRequest', message, details ? { details } : {});
}

/** 400 `Request_UnsupportedQuery`. */
export function unsupportedQuery(message: string): GraphError {
  return new GraphError(400, 'Request_UnsupportedQuery', message);
}

/** 403 `Authorization_RequestDenied`, the answer when the token lacks every accepted permission. */
export function accessDenied(): GraphError {
  return new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
}

/** 400 for a property whose value has the wrong type or form. */
export function invalidValue(property: string, entity: string): GraphError {
  return badRequest(`Invalid value specified for property '${echo(property)}' of resource '${entity}'.`, [
    { code: 'InvalidValue', target: property },
  ]);
}

/** 400 `ObjectConflict` detail for a uniqueness violation, as Graph answers a duplicate userPrincipalName. */
export function conflict(property: string): GraphError {
  const message = `Another object with the same value for property ${property} already exists.`;
  return badRequest(message, [{ code: 'ObjectConflict', message, target: property }]);
}

/** `innerError.date` is UTC without fraction or zone designator, e.g. `2021-05-18T19:03:10`. */
export function innerErrorDate(now: number): string {
  return new Date(now).toISOString().slice(0, 19);
}

/** The JSON body Graph sends with an error. */
export function errorBody(
  error: GraphError,
  ids: { requestId: string; clientRequestId: string; now: number },
): Record<string, unknown> {
  const body: Record<string, unknown> = { code: error.code, message: error.message };
  if (error.details) body.details = error.details;
  body.innerError = {
    date: innerErrorDate(ids.now),
    'request-id': ids.requestId,
    'client-request-id': ids.clientRequestId,
  };
  return { error: body };
}
