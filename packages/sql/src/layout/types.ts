/**
 * How users and groups are laid out in tables: the `layout` section of a SQL connector's
 * configuration. Attribute mapping is `@scimgw/mapper`'s `map` section, whose endpoint keys are
 * column names of the main table or names of {@link TableLayout.multiValued} storages.
 */

/** A multi-valued attribute kept in a child table, one row per element. */
export interface ChildTableStorage {
  /** The child table (`scim_user_emails`). */
  table: string;
  /** Its column holding the owner's key (`user_id`). */
  owner: string;
  /**
   * For objects (`type: "complexArray"`): sub-attribute → column (`{ "value": "value", "primary": "is_primary" }`).
   * Sub-attributes without a column are not stored.
   */
  columns?: Record<string, string>;
  /** For scalars (`type: "array"`): the column holding each value. */
  value?: string;
  /** A column giving the elements their order (an auto-numbered column). Default: none (database order). */
  order?: string;
  /**
   * Each owner holds a value once (a unique index on owner + value column, as for group members):
   * adding an element that is there already changes nothing.
   */
  unique?: boolean;
}

/** A multi-valued (or complex) attribute kept as a JSON document in a column of the main table. */
export interface JsonColumnStorage {
  json: string;
}

/**
 * Users only: the groups a user is a member of, read from the groups' members table (the Group
 * mapping's storage whose attribute is `members`). Written only when the host makes `groups`
 * writable (`scim.groupMemberOfUser`).
 */
export interface MemberOfStorage {
  memberOf: true;
}

/** Where one multi-valued endpoint key lives. */
export type MultiValuedStorage = ChildTableStorage | JsonColumnStorage | MemberOfStorage;

/**
 * Counts of rows per bucket of the order column, kept by triggers, so that a page deep inside a
 * large unfiltered list is found without walking every row before it (`startIndex=900001`).
 */
export interface PageIndexLayout {
  table: string;
  /** Rows of the order column per bucket. Default 1,024. */
  bucketSize?: number;
}

/** The main table of one resource type. */
export interface TableLayout {
  table: string;
  /** The column holding the SCIM `id`. */
  key: string;
  /** Who makes ids: the gateway (`uuid`, random UUIDs; the default) or the database (an auto-numbered key). */
  keyGeneration?: 'uuid' | 'database';
  /** Integer column counting changes: `meta.version`, and `If-Match` becomes `UPDATE … WHERE version = ?`. */
  version?: string;
  /** Timestamp column for `meta.created`. */
  created?: string;
  /** Timestamp column for `meta.lastModified`. */
  lastModified?: string;
  /**
   * Column giving lists a stable order (an auto-numbered column; default: the key). Keyset cursors
   * and the page index use it.
   */
  order?: string;
  /** Optional page index on the order column (see {@link PageIndexLayout}). */
  pageIndex?: PageIndexLayout;
  /**
   * Columns the database keeps as `LOWER(column)` (generated columns with an index), by the column
   * they lower-case: case-insensitive comparisons and sorting use them. Needed where the database
   * cannot index `LOWER(column)` itself (MariaDB).
   */
  lowerCase?: Record<string, string>;
  /** Storages of multi-valued endpoint keys (`emails`, `members`), by key. */
  multiValued?: Record<string, MultiValuedStorage>;
}

/** Tables of the resource types served. */
export interface SqlLayout {
  users?: TableLayout;
  groups?: TableLayout;
}

/** Sections of the layout by resource type id. */
export const LAYOUT_SECTIONS = { User: 'users', Group: 'groups' } as const;
