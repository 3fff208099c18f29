/**
 * Who holds a natural key here. A message whose resource has no record here finds it by its key
 * (userName, displayName, externalId) — but only a resource that no other publisher resource owns
 * is its to adopt: two publisher resources can hold one name one after the other (deleted and
 * created again, renamed), and the later one must not take the earlier one's resource, which the
 * earlier one's own messages (its delete, say) then change under it.
 *
 * A name held by the resource of another publisher resource is waited for: first that resource's
 * earlier messages (its delete or rename gives the name up), then, if it still holds the name, the
 * stream, through retries ({@link KeyConflictError}).
 */
import { type NaturalKey, naturalKeysOf, PoisonMessageError, tokenToId } from '../message.js';
import type { RecordStore } from './records.js';
import { recordKey } from './references.js';
import { KeyConflictError, type ScimTarget } from './target.js';

/** Which publisher resource each resource here belongs to. */
export interface OwnerIndex {
  /** Record key of the publisher resource whose record names `id` (a resource of `type` here) now, if any. */
  ownerOf(type: string, id: string): Promise<string | undefined>;
  /** Notes that `id` (a resource of `type` here) is the resource of the publisher resource whose record key is `owner`. */
  claim(type: string, id: string, owner: string): Promise<void>;
}

/**
 * The owner index kept in a subscriber's record store. An owner whose record names another
 * resource here (or none: it was deleted) gave this one up. `persist` retries a write until it is
 * stored: an owner entry is written before the record that names the resource.
 */
export function recordOwners(records: RecordStore, persist: (write: () => Promise<void>) => Promise<void>): OwnerIndex {
  return {
    async ownerOf(type, id) {
      const owner = await records.owner(recordKey(type, id));
      if (owner === undefined) return undefined;
      return (await records.get(owner))?.id === id ? owner : undefined;
    },
    claim: (type, id, owner) => persist(() => records.setOwner(recordKey(type, id), owner)),
  };
}

/** What finding holders uses. */
export interface HolderContext {
  target: ScimTarget;
  /** Without it every resource found by its key may be adopted (as before owners were kept). */
  owners?: OwnerIndex | undefined;
  /** Resolves once the messages of record key `key` that came before this one are settled. */
  settled(key: string): Promise<void>;
}

/** Resources here named by one search, that this side can look for by natural key at once. */
const LOOKUP_LIMIT = 10;

/** A publisher resource named by its record key, for messages. */
function describe(key: string): string {
  const dot = key.indexOf('.');
  return dot === -1 ? key : `${key.slice(0, dot)} ${tokenToId(key.slice(dot + 1))}`;
}

/** The holders of the natural keys of one message's resource. */
export class Holders {
  /** Record key of the message's resource. */
  readonly self: string;

  constructor(
    private readonly ctx: HolderContext,
    private readonly type: string,
    publisherId: string,
    private readonly requestId: string,
  ) {
    this.self = recordKey(type, publisherId);
  }

  /** Notes that `id` here is this message's resource (it was made or adopted for it). */
  async claim(id: string): Promise<void> {
    await this.ctx.owners?.claim(this.type, id, this.self);
  }

  /** Among `ids`, those another publisher resource owns, with their owners. */
  private async ownedByOthers(ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const owners = this.ctx.owners;
    if (!owners) return out;
    for (const id of ids) {
      const owner = await owners.ownerOf(this.type, id);
      if (owner !== undefined && owner !== this.self) out.set(id, owner);
    }
    return out;
  }

  /** Waits for the earlier messages of each owner. */
  private async waitFor(owners: Iterable<string>): Promise<void> {
    for (const owner of new Set(owners)) await this.ctx.settled(owner);
  }

  private lookup(attr: string, value: string): Promise<string[]> {
    return this.ctx.target.find(this.type, attr, value, this.requestId, LOOKUP_LIMIT);
  }

  /**
   * The resource here with `key` that this message may take: found by each key attribute in turn,
   * and owned by no other publisher resource. `heldBy` names the publisher resources whose
   * resources hold the key when there is none to take.
   */
  async find(key: NaturalKey | undefined): Promise<{ id: string | undefined; heldBy: string[] }> {
    const heldBy = new Set<string>();
    if (!key) return { id: undefined, heldBy: [] };
    for (const attr of naturalKeysOf(this.type)) {
      const value = key[attr];
      if (value === undefined) continue;
      let ids = await this.lookup(attr, value);
      let others = await this.ownedByOthers(ids);
      if (others.size > 0) {
        await this.waitFor(others.values());
        ids = await this.lookup(attr, value);
        others = await this.ownedByOthers(ids);
      }
      const free = ids.filter((id) => !others.has(id));
      if (free.length > 1) throw new PoisonMessageError(`${free.length} resources here have ${attr} "${value}"`);
      if (free[0] !== undefined) return { id: free[0], heldBy: [] };
      for (const owner of others.values()) heldBy.add(owner);
    }
    return { id: undefined, heldBy: [...heldBy] };
  }

  /**
   * After a write was refused because a name it sets is taken (409): waits for the publisher
   * resources whose resources hold it to give it up. True when the write may be tried again (they
   * gave it up, or the name is free now); false when a resource that is no publisher resource's
   * holds it (the refusal stands).
   *
   * @throws KeyConflictError while another publisher resource's resource still holds it
   */
  async afterConflict(key: NaturalKey | undefined, ownId?: string): Promise<boolean> {
    if (!this.ctx.owners || !key) return false;
    let held = await this.holding(key, ownId);
    if (held.others.size > 0) {
      await this.waitFor(held.others.values());
      held = await this.holding(key, ownId);
    }
    if (held.others.size > 0) throw this.conflict(key, [...held.others.values()]);
    return !held.unowned;
  }

  /** The error of a key another publisher resource's resource holds here. */
  conflict(key: NaturalKey | undefined, heldBy: readonly string[]): KeyConflictError {
    const name = Object.entries(key ?? {})
      .map(([attr, value]) => `${attr} "${value}"`)
      .join(', ');
    return new KeyConflictError(
      `${name} is held here by the resource of ${heldBy.map(describe).join(', ')}, which the stream has not given up (yet)`,
    );
  }

  /** The resources here holding any attribute of `key`, other than `ownId`: owned by others, and whether any belongs to no one. */
  private async holding(key: NaturalKey, ownId?: string): Promise<{ others: Map<string, string>; unowned: boolean }> {
    const others = new Map<string, string>();
    let unowned = false;
    for (const attr of naturalKeysOf(this.type)) {
      const value = key[attr];
      if (value === undefined) continue;
      const ids = (await this.lookup(attr, value)).filter((id) => id !== ownId);
      const owned = await this.ownedByOthers(ids);
      for (const [id, owner] of owned) others.set(id, owner);
      if (ids.some((id) => !owned.has(id))) unowned = true;
    }
    return { others, unowned };
  }
}
