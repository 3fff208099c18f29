/**
 * Replication delay: Microsoft Entra ID is eventually consistent, so an object created a moment
 * ago can answer 404 on the next read (typically from another replica). When a delay is
 * configured, objects created through the API stay invisible to reads by id — and to
 * references such as a member add — for a number of reads or a time, and are left out of lists.
 */
import type { ObjectKind } from '../model/directory.js';

/** How long new objects stay invisible. */
export interface ReplicationDelay {
  /** Reads by id that answer 404 before the object appears. */
  readonly reads?: number;
  /** Milliseconds after creation during which reads answer 404. */
  readonly ms?: number;
  /** Kinds affected; default users and groups. */
  readonly kinds?: readonly ObjectKind[];
}

interface Pending {
  readsLeft: number;
  visibleAt: number;
}

/** Tracks objects that have not replicated yet. */
export class Replication {
  private rule: ReplicationDelay | undefined;
  private readonly pending = new Map<string, Pending>();

  configure(rule: ReplicationDelay | undefined): void {
    this.rule = rule;
    if (!rule) this.pending.clear();
  }

  /** Called for every object created through the API. */
  created(id: string, kind: ObjectKind, now: number): void {
    const rule = this.rule;
    if (!rule || !(rule.kinds ?? ['user', 'group']).includes(kind)) return;
    this.pending.set(id, { readsLeft: rule.reads ?? 0, visibleAt: now + (rule.ms ?? 0) });
  }

  /** Whether a read by id sees the object; each refused read counts down. */
  readable(id: string, now: number): boolean {
    const entry = this.pending.get(id);
    if (!entry) return true;
    if (entry.readsLeft <= 0 && now >= entry.visibleAt) {
      this.pending.delete(id);
      return true;
    }
    if (entry.readsLeft > 0) entry.readsLeft--;
    return false;
  }

  /** Whether a list shows the object (does not count as a read). */
  listed(id: string, now: number): boolean {
    const entry = this.pending.get(id);
    return !entry || (entry.readsLeft <= 0 && now >= entry.visibleAt);
  }

  /** Number of objects still invisible. */
  get size(): number {
    return this.pending.size;
  }
}
