/**
 * List helpers shared by the directory routes: the top-level `users`/`groups` collections and
 * relationship collections (`members`, `memberOf`, …) with OData casts and `/$count`.
 */
import { GraphError, echo } from '../graph/errors.js';
import { json, text, type GraphResponse } from '../graph/types.js';
import type { DirectoryObject } from '../model/directory.js';
import { DIRECTORY_ROLE, GROUP, SERVICE_PRINCIPAL, type TypeDef, USER } from '../model/schema.js';
import { DIRECTORY_OBJECT_FILTERS, GROUP_FILTERS, GROUP_ORDERBY, USER_FILTERS, USER_ORDERBY } from '../odata/capabilities.js';
import {
  type CollectionItem,
  type CollectionSpec,
  type DirectoryRules,
  countCollection,
  listCollection,
} from '../odata/collection.js';
import { contextFragment } from '../odata/projection.js';
import { typeTarget } from '../odata/target.js';
import { type RouteContext, collectionRequest, contextUrl, listed } from './context.js';
import { DIRECTORY_OBJECT_TARGET, checkSelect, projectObject } from './shape.js';

/** `$search` properties of users (lower-case → canonical). */
export const USER_SEARCH: ReadonlyMap<string, string> = new Map(
  ['displayName', 'givenName', 'surname', 'mail', 'mailNickname', 'userPrincipalName', 'jobTitle', 'employeeId'].map((p) => [
    p.toLowerCase(),
    p,
  ]),
);
/** `$search` properties of groups. */
export const GROUP_SEARCH: ReadonlyMap<string, string> = new Map(
  ['displayName', 'description', 'mail', 'mailNickname'].map((p) => [p.toLowerCase(), p]),
);

/** Directory rules of the top-level `users` collection. */
export const USER_RULES: DirectoryRules = { filters: USER_FILTERS, orderby: USER_ORDERBY, searchable: USER_SEARCH };
/** Directory rules of the top-level `groups` collection. */
export const GROUP_RULES: DirectoryRules = { filters: GROUP_FILTERS, orderby: GROUP_ORDERBY, searchable: GROUP_SEARCH };

const CASTS: Record<string, { type: TypeDef; set: string; kind: DirectoryObject['kind'] }> = {
  'microsoft.graph.user': { type: USER, set: 'users', kind: 'user' },
  'microsoft.graph.group': { type: GROUP, set: 'groups', kind: 'group' },
  'microsoft.graph.serviceprincipal': { type: SERVICE_PRINCIPAL, set: 'servicePrincipals', kind: 'servicePrincipal' },
  'microsoft.graph.directoryrole': { type: DIRECTORY_ROLE, set: 'directoryRoles', kind: 'directoryRole' },
};

/** Objects in a relationship, with the sequence numbers their order and paging use. */
export type RelationshipSource = (afterSeq: number) => Iterable<{ seq: number; object: DirectoryObject }>;

/** Sorts objects by their own sequence number and serves them after a cursor. */
export function bySeq(objects: readonly DirectoryObject[]): RelationshipSource {
  const sorted = [...objects].sort((a, b) => a.seq - b.seq);
  return function* (afterSeq) {
    for (const object of sorted) if (object.seq > afterSeq) yield { seq: object.seq, object };
  };
}

/**
 * Answers GET on a relationship collection, optionally behind an OData cast segment and
 * optionally as `/$count`.
 */
export function relationshipList(
  ctx: RouteContext,
  source: RelationshipSource,
  options: { cast?: string | undefined; count?: boolean; size?: number },
): GraphResponse {
  const cast = options.cast === undefined ? undefined : CASTS[options.cast.toLowerCase()];
  if (options.cast !== undefined && !cast) {
    throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${echo(options.cast)}'.`);
  }
  const query = ctx.options();
  const types = cast ? [cast.type] : [USER, GROUP, SERVICE_PRINCIPAL, DIRECTORY_ROLE];
  const select = checkSelect(types, query.select, false);
  const objects = new Map<string, DirectoryObject>();
  const items = function* (afterSeq: number): Generator<CollectionItem> {
    for (const { seq, object } of source(afterSeq)) {
      if (cast && object.kind !== cast.kind) continue;
      if (!listed(ctx, object.id)) continue;
      objects.set(object.id, object);
      yield { seq, record: object.data };
    }
  };
  const rules: DirectoryRules =
    cast?.kind === 'user'
      ? { ...USER_RULES, relationship: true, cast: true }
      : cast?.kind === 'group'
        ? { ...GROUP_RULES, relationship: true, cast: true }
        : {
            filters: DIRECTORY_OBJECT_FILTERS,
            orderby: new Map(),
            searchable: new Map([['displayname', 'displayName']]),
            relationship: true,
            cast: Boolean(cast),
          };
  const spec: CollectionSpec = {
    target: cast ? typeTarget(cast.type) : DIRECTORY_OBJECT_TARGET,
    items,
    ...(options.size !== undefined && !cast ? { size: options.size } : {}),
    project: (record) => projectObject(objects.get(record.id as string) as DirectoryObject, select),
    context: contextUrl(ctx, contextFragment(cast ? cast.set : 'directoryObjects', select)),
    directory: rules,
  };
  if (options.count) return text(String(countCollection(collectionRequest(ctx), spec)));
  return json(200, listCollection(collectionRequest(ctx), spec));
}
