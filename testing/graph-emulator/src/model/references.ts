/** `@odata.id` references, as in `{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}`. */
import { badRequest, echo } from '../graph/errors.js';

const REFERENCE =
  /^https?:\/\/[^/]+\/v1\.0\/(directoryObjects|users|groups|servicePrincipals|contacts|devices)\/([0-9a-fA-F-]{36})$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Lower-case GUID test for object ids. */
export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/**
 * The object id an absolute reference URL points at.
 * @throws GraphError 400 `Invalid object identifier` for anything else.
 */
export function referenceId(url: unknown): string {
  const match = typeof url === 'string' ? REFERENCE.exec(url) : null;
  const id = match?.[2];
  if (!id || !isGuid(id)) throw badRequest(`Invalid object identifier '${echo(String(url))}'.`);
  return id.toLowerCase();
}

/** The id of a `{"@odata.id": …}` body. */
export function referenceBody(body: unknown): string {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !Object.hasOwn(body, '@odata.id')) {
    throw badRequest('The request body must be a JSON object with an @odata.id reference.');
  }
  return referenceId((body as Record<string, unknown>)['@odata.id']);
}
