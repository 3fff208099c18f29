/**
 * Normalized change lists as SCIM PATCH requests: a subscriber replays a message's changes through
 * its own SCIM handler, and a Security Event Token carries a `patch:full` event as a PatchOp
 * message (RFC 9967 §2.4.2). The core normalizes the request back into the same changes.
 */
import type { Change, ChangePath } from '@scimgw/core';
import { serializeFilter } from '@scimgw/core/filter';

/** The schema URN of a SCIM PATCH request body. */
export const PATCH_OP_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** One operation of a PATCH request. */
export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

/** A SCIM PATCH request body. */
export interface PatchOpBody {
  schemas: [typeof PATCH_OP_URN];
  Operations: PatchOperation[];
}

/** The PATCH path of a change path: `[urn:]attr[[filter]][.sub]` (RFC 7644 §3.5.2). */
export function changePathToString(path: ChangePath): string {
  const prefix = path.extension ? `${path.extension}:` : '';
  const where = path.where ? `[${serializeFilter(path.where)}]` : '';
  const sub = path.sub ? `.${path.sub}` : '';
  return `${prefix}${path.attr}${where}${sub}`;
}

/**
 * A PATCH request body that a SCIM handler turns back into `changes`.
 *
 * @example
 * toPatchOp([{ op: 'add', path: { attr: 'members' }, value: [{ value: '2819c223' }] }])
 * // { schemas: [PATCH_OP_URN], Operations: [{ op: 'add', path: 'members', value: [{ value: '2819c223' }] }] }
 */
export function toPatchOp(changes: readonly Change[]): PatchOpBody {
  const operations = changes.map((c): PatchOperation => {
    const path = changePathToString(c.path);
    if (c.op === 'remove') return c.value === undefined ? { op: 'remove', path } : { op: 'remove', path, value: c.value };
    return { op: c.op, path, value: c.value };
  });
  return { schemas: [PATCH_OP_URN], Operations: operations };
}
