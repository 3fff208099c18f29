/**
 * The variables of a recording's replay: each id an answer gave named after its resource type and
 * a counter (`user1`, `group1`, `user2`, …), each entity tag a later request sends back
 * (`etag_1`), and the ids requests name before any answer gave them (the target must have them).
 * Ids to be seeded (created before the replay) are named where they first appear, in a path or
 * an answer, and captured by their seed step, not by the step where they appear.
 */
import type { Lookup } from './template.js';

/** `meta.resourceType` as a variable prefix: lower case letters and digits, else `resource`. */
function prefixOf(resourceType: unknown): string {
  const p = typeof resourceType === 'string' ? resourceType.toLowerCase().replace(/[^a-z0-9]/g, '') : '';
  return p === '' || /^\d/.test(p) ? 'resource' : p;
}

/** Values with a variable each. */
class Named implements Lookup {
  private readonly names = new Map<string, string>();
  longest = 0;

  name(value: string): string | undefined {
    return this.names.get(value);
  }
  has(value: string): boolean {
    return this.names.has(value);
  }
  get size(): number {
    return this.names.size;
  }
  set(value: string, name: string): string {
    this.names.set(value, name);
    this.longest = Math.max(this.longest, value.length);
    return name;
  }
}

/** Names given to values of a recording, and the ids it used without any answer giving them. */
export class RecordingNames {
  /** The ids answers gave. */
  readonly ids = new Named();
  /** The entity tags answers gave that requests send back. */
  readonly tags = new Named();
  private readonly counters = new Map<string, number>();
  /** Ids used in a resource path before an answer gave them → whether some use needs them to exist. */
  private readonly unknown = new Map<string, boolean>();

  /**
   * @param usedTags - the entity tags requests send (only those get a variable)
   * @param seeded - ids the replay creates before its steps, with their `meta.resourceType`
   */
  constructor(
    private readonly usedTags: ReadonlySet<string>,
    private readonly seeded: ReadonlyMap<string, unknown> = new Map(),
  ) {}

  /** The next variable for a resource type: `user3`. */
  private next(resourceType: unknown): string {
    const prefix = prefixOf(resourceType);
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}${n}`;
  }

  /**
   * Names an id an answer gives; returns the name to capture it as: `undefined` when it is known,
   * was used before (not created), or is seeded (its seed step captures it).
   */
  addId(value: string, resourceType: unknown): string | undefined {
    if (value === '' || this.ids.has(value) || this.unknown.has(value)) return undefined;
    const name = this.ids.set(value, this.next(resourceType ?? this.seeded.get(value)));
    return this.seeded.has(value) ? undefined : name;
  }

  /**
   * Names a seeded id before the steps are made: a stand-in first named in a request body (a member
   * added) is replaced there by its variable like any id an answer gave.
   */
  nameSeeded(value: string): void {
    if (!this.ids.has(value) && this.seeded.has(value)) this.ids.set(value, this.next(this.seeded.get(value)));
  }

  /** Names an entity tag an answer gives, when a request sends it and it has no name yet. */
  addTag(value: string): string | undefined {
    if (!this.usedTags.has(value) || this.tags.has(value)) return undefined;
    return this.tags.set(value, `etag_${this.tags.size + 1}`);
  }

  /**
   * Notes an id a request names in a resource path; one no answer gave is unknown. `found`: the
   * answer was not 404 (the id existed; a 404 replays on a target without it).
   */
  usePathId(value: string, found: boolean): void {
    if (this.ids.has(value)) return;
    if (this.seeded.has(value)) {
      this.ids.set(value, this.next(this.seeded.get(value)));
      return;
    }
    this.unknown.set(value, (this.unknown.get(value) ?? false) || found);
  }

  /** Ids the recording used, never created, and found: in order of first use. */
  unknownIds(): string[] {
    return [...this.unknown].filter(([, found]) => found).map(([id]) => id);
  }
}
