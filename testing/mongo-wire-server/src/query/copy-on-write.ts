import type { Document } from 'bson';
import { isPlainObject, setOwn } from '../store/values.js';

/**
 * A copy of `doc` in which every container an update along `paths` may change is a fresh shallow
 * copy; everything else is shared with the stored version. mingo changes documents in place, so
 * this keeps stored documents (and the cursors and replies that still reference them) unchanged,
 * while adding one member to a 50,000-element array copies one array of references, not 50,000
 * member documents.
 */
export function copyAlongPaths(doc: Document, paths: readonly string[]): Document {
  const owned = new WeakSet<object>();
  const root = shallow(doc, owned) as Document;
  for (const path of paths) copyPath(root, path.split('.'), 0, owned);
  return root;
}

function shallow(value: unknown, owned: WeakSet<object>): unknown {
  if (Array.isArray(value)) {
    if (owned.has(value)) return value;
    const copy = value.slice();
    owned.add(copy);
    return copy;
  }
  if (isPlainObject(value)) {
    if (owned.has(value)) return value;
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      setOwn(copy, key, value[key]);
    }
    owned.add(copy);
    return copy;
  }
  return value;
}

function isPositional(segment: string): boolean {
  return segment === '$' || segment.startsWith('$[');
}

// `container` is owned. Copies its child on the path (and that child's children for positional
// segments or non-numeric segments over arrays, where any element may be reached).
function copyPath(container: unknown, segments: string[], i: number, owned: WeakSet<object>): void {
  if (i >= segments.length) return;
  const segment = segments[i]!;
  if (Array.isArray(container)) {
    if (/^\d+$/.test(segment)) {
      const index = Number(segment);
      if (index < container.length) {
        container[index] = shallow(container[index], owned);
        copyPath(container[index], segments, i + 1, owned);
      }
      return;
    }
    const next = isPositional(segment) ? i + 1 : i;
    for (let j = 0; j < container.length; j++) {
      container[j] = shallow(container[j], owned);
      copyPath(container[j], segments, next, owned);
    }
    return;
  }
  if (isPlainObject(container) && Object.hasOwn(container, segment)) {
    const child = shallow(container[segment], owned);
    setOwn(container, segment, child);
    copyPath(child, segments, i + 1, owned);
  }
}
