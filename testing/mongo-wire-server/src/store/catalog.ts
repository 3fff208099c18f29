import { commandError } from '../errors.js';
import { Collection, type CollectionOptions, type PredicateCompiler } from './collection.js';

/**
 * All databases and their collections. Databases exist while they hold a collection, as in MongoDB.
 */
export class Catalog {
  readonly #databases = new Map<string, Map<string, Collection>>();
  readonly #compile: PredicateCompiler;

  constructor(compile: PredicateCompiler) {
    this.#compile = compile;
  }

  /** The collection, if it exists. */
  get(database: string, name: string): Collection | undefined {
    return this.#databases.get(database)?.get(name);
  }

  /** The collection, created implicitly (as inserts, upserts and createIndexes do) when missing. */
  ensure(database: string, name: string): { collection: Collection; created: boolean } {
    const existing = this.get(database, name);
    if (existing) return { collection: existing, created: false };
    return { collection: this.create(database, name, {}), created: true };
  }

  /**
   * Creates a collection.
   *
   * @throws MongoCommandError NamespaceExists when it exists; InvalidNamespace for a bad name.
   */
  create(database: string, name: string, options: CollectionOptions): Collection {
    validateCollectionName(database, name);
    if (this.get(database, name)) throw commandError('NamespaceExists', `Collection ${database}.${name} already exists.`);
    let collections = this.#databases.get(database);
    if (!collections) {
      collections = new Map();
      this.#databases.set(database, collections);
    }
    const collection = new Collection(database, name, options, this.#compile);
    collections.set(name, collection);
    return collection;
  }

  /** Drops a collection; returns it, or `undefined` when it did not exist. */
  drop(database: string, name: string): Collection | undefined {
    const collections = this.#databases.get(database);
    const collection = collections?.get(name);
    if (!collections || !collection) return undefined;
    collections.delete(name);
    if (collections.size === 0) this.#databases.delete(database);
    return collection;
  }

  /** Drops a database; returns whether it existed. */
  dropDatabase(database: string): boolean {
    return this.#databases.delete(database);
  }

  /** The collections of a database, in creation order. */
  collections(database: string): Collection[] {
    return Array.from(this.#databases.get(database)?.values() ?? []);
  }

  /** The names of databases that hold at least one collection. */
  databaseNames(): string[] {
    return Array.from(this.#databases.keys());
  }

  /** Forgets everything. */
  clear(): void {
    this.#databases.clear();
  }
}

const DB_NAME_FORBIDDEN = /[/\\. "$\0]/;

/**
 * Checks a database name against MongoDB's naming rules.
 *
 * @throws MongoCommandError InvalidNamespace.
 */
export function validateDatabaseName(name: string): void {
  if (name.length === 0 || name.length >= 64 || DB_NAME_FORBIDDEN.test(name)) {
    throw commandError('InvalidNamespace', `Invalid database name: '${name}'`);
  }
}

/**
 * Checks a collection name against MongoDB's naming rules.
 *
 * @throws MongoCommandError InvalidNamespace.
 */
export function validateCollectionName(database: string, name: string): void {
  const invalid =
    name.length === 0 ||
    name.includes('\0') ||
    name.includes('$') ||
    name.startsWith('.') ||
    name.startsWith('system.') ||
    database.length + 1 + name.length > 255;
  if (invalid) throw commandError('InvalidNamespace', `Invalid collection name: ${name}`);
}
