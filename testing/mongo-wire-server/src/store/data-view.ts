import type { Document, UUID } from 'bson';
import type { Collation } from './collation.js';
import type { CollectionOptions } from './collection.js';
import type { IndexDefinition } from './collection-index.js';

/**
 * What read and write commands need from a collection. The stored collection implements it; so
 * does a transaction's view of it, which layers the transaction's uncommitted changes on top.
 */
export interface CollectionView {
  readonly database: string;
  readonly name: string;
  readonly namespace: string;
  readonly uuid: UUID;
  readonly options: CollectionOptions;
  readonly idCollation: Collation | undefined;
  documents(): Document[];
  candidates(filter: Document, collation: Collation | undefined): Document[] | undefined;
  get(id: unknown): Document | undefined;
  insert(doc: Document): void;
  replace(before: Document, after: Document): void;
  remove(doc: Document): void;
  indexDefinitions(): IndexDefinition[];
}

/** The collections commands read and write: the catalog itself, or a transaction's view of it. */
export interface DataSource {
  get(database: string, name: string): CollectionView | undefined;
  ensure(database: string, name: string): { collection: CollectionView; created: boolean };
}
