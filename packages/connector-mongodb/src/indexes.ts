/**
 * The indexes the connector relies on, created at startup with `createIndexes` (idempotent: an index
 * that already exists with the same definition is left alone). The README lists them.
 */
import type { Collection, CreateIndexesOptions, IndexSpecification } from 'mongodb';
import { CASE_INSENSITIVE } from './filter.js';

/** One index definition. */
export interface IndexDefinition {
  name: string;
  key: Record<string, 1>;
  unique?: boolean;
  caseInsensitive?: boolean;
  /** Why the connector needs it (README). */
  why: string;
}

/** Collections of one tenant. */
export type CollectionRole = 'users' | 'groups' | 'roles' | 'entitlements';

/** The indexes of each collection; with tenancy "field" every key starts with the tenant field. */
export function indexDefinitions(role: CollectionRole, opts: { uniqueGroupDisplayName: boolean }): IndexDefinition[] {
  const id: IndexDefinition = { name: 'scim_id', key: { id: 1 }, unique: true, why: 'reads, writes and deletes by id' };
  switch (role) {
    case 'users':
      return [
        id,
        {
          name: 'scim_userName',
          key: { userName: 1 },
          unique: true,
          caseInsensitive: true,
          why: 'userName is unique regardless of case; `userName eq` lookups and sorting',
        },
        { name: 'scim_externalId', key: { externalId: 1 }, why: '`externalId eq` lookups (IdP matching)' },
        {
          name: 'scim_emails_value',
          key: { 'emails.value': 1 },
          caseInsensitive: true,
          why: '`emails.value eq` / `emails[value eq …]`',
        },
      ];
    case 'groups':
      return [
        id,
        {
          name: 'scim_displayName',
          key: { displayName: 1 },
          caseInsensitive: true,
          ...(opts.uniqueGroupDisplayName ? { unique: true } : {}),
          why: '`displayName eq` lookups and sorting; unique with indexes.uniqueGroupDisplayName',
        },
        { name: 'scim_externalId', key: { externalId: 1 }, why: '`externalId eq` lookups' },
        {
          name: 'scim_members_value',
          key: { 'members.value': 1 },
          why: '`members.value eq` (groups of a user), removing a deleted user from its groups',
        },
      ];
    case 'roles':
    case 'entitlements':
      return [id];
  }
}

/** Creates the indexes of one collection (`tenantField` set with tenancy "field"). */
export async function ensureIndexes(
  collection: Collection,
  defs: IndexDefinition[],
  tenantField: string | undefined,
  maxTimeMS: number,
): Promise<void> {
  const specs = defs.map((d) => {
    const key: IndexSpecification = tenantField ? { [tenantField]: 1, ...d.key } : { ...d.key };
    const options: CreateIndexesOptions = { name: d.name };
    if (d.unique) options.unique = true;
    if (d.caseInsensitive) options.collation = { ...CASE_INSENSITIVE };
    return { key: key as Record<string, 1>, ...options };
  });
  await collection.createIndexes(
    specs.map(({ key, ...rest }) => ({ key, ...rest })),
    { maxTimeMS },
  );
}
