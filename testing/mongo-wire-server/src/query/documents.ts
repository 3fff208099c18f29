import { type Document, ObjectId } from 'bson';
import { commandError } from '../errors.js';
import { bsonTag, isPlainObject, setOwn } from '../store/values.js';
import { documentSize } from '../wire/bson-io.js';
import { MAX_BSON_OBJECT_SIZE } from '../wire/constants.js';

/**
 * Checks a document about to be stored against MongoDB's rules for `_id`: present, not an array, not
 * a regular expression, not undefined, and (when it is a document) without `$`-prefixed fields.
 * Other `$`-prefixed and dotted field names are allowed, as in MongoDB 5.0 and later.
 */
export function checkStorable(doc: Document): void {
  const id = doc['_id'];
  if (Array.isArray(id)) throw commandError('InvalidIdField', "The '_id' value cannot be of type array");
  if (id instanceof RegExp || bsonTag(id) === 'BSONRegExp')
    throw commandError('InvalidIdField', "The '_id' value cannot be of type regex");
  if (id === undefined && Object.hasOwn(doc, '_id'))
    throw commandError('InvalidIdField', "The '_id' value cannot be of type undefined");
  if (isPlainObject(id)) {
    for (const key of Object.keys(id)) {
      if (key.startsWith('$')) {
        throw commandError(
          'DollarPrefixedFieldName',
          `_id fields may not contain '$'-prefixed fields: ${key} is not valid for storage.`,
        );
      }
    }
  }
}

/**
 * A new document with `_id` as its first field (generated when missing), as MongoDB stores it.
 */
export function withIdFirst(doc: Document): Document {
  const id = Object.hasOwn(doc, '_id') ? doc['_id'] : new ObjectId();
  const keys = Object.keys(doc);
  if (keys[0] === '_id') return doc;
  const out: Document = { _id: id };
  for (const key of keys) if (key !== '_id') setOwn(out, key, doc[key]);
  return out;
}

// Encoded sizes of stored documents (exact, or an upper bound after a bounded update), so a small
// change to a large document does not re-measure all of it.
const sizes = new WeakMap<object, number>();

/** The encoded size of a document, or an upper bound of it; measured once per document object. */
export function sizeOf(doc: Document): number {
  let size = sizes.get(doc);
  if (size === undefined) {
    size = documentSize(doc);
    sizes.set(doc, size);
  }
  return size;
}

/**
 * Rejects a document larger than MongoDB's 16 MiB limit after an update. With `bound` (an upper
 * bound of the new size), the document is measured only when the bound reaches the limit.
 */
export function checkUpdatedSize(doc: Document, bound?: number): void {
  if (bound !== undefined && bound <= MAX_BSON_OBJECT_SIZE) {
    sizes.set(doc, bound);
    return;
  }
  const size = documentSize(doc);
  sizes.set(doc, size);
  if (size > MAX_BSON_OBJECT_SIZE) {
    throw commandError('Location17419', `Resulting document after update is larger than ${MAX_BSON_OBJECT_SIZE}`);
  }
}

/** Rejects a document to insert that is larger than MongoDB's 16 MiB limit. */
export function checkInsertSize(doc: Document): void {
  const size = sizeOf(doc);
  if (size > MAX_BSON_OBJECT_SIZE) {
    throw commandError(
      'BSONObjectTooLarge',
      `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_OBJECT_SIZE}`,
    );
  }
}
