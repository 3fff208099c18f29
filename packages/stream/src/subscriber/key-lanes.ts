/**
 * Order between different resources' messages where they meet. A subscriber applies each
 * resource's messages in stream order, and different resources side by side; but resources meet:
 *
 * - **Names.** Two publisher resources can hold the same userName one after the other (one deleted
 *   and another created under its name, one renamed into a name another gave up). The one that
 *   takes a name later in the stream must not take it here before the one that took it earlier:
 *   it would find that one's resource by its key. So a message that may give its resource a name
 *   (create, replace, modify) waits for the earlier messages, of any resource, that may give one of
 *   the same names. How a name is given up here (a delete, a rename) is waited for where the name
 *   is found taken: see `holders.ts`.
 * - **References.** A message that adds a member (a group, a manager) waits for the referenced
 *   resource's earlier messages (references.ts). Its delete, later in the stream, must in turn wait
 *   for the message: else the member is written after the delete took it out of every group.
 */
import { naturalKeyOf, naturalKeyOfChanges, type StreamMessage } from '../message.js';
import { type DomainReplacement, replaceDomains } from './options.js';
import { referencedIds } from './references.js';

/** What a message waits for (earlier messages holding one of `waits`), and what later ones wait for it by. */
export interface LaneTokens {
  waits: readonly string[];
  holds: readonly string[];
}

const NONE: LaneTokens = { waits: [], holds: [] };

/** Lane token of a reference to publisher id `id`. */
function refToken(id: string): string {
  return `ref\u0000${id}`;
}

/**
 * The lanes of a message. Names are `<type> <attr> <value>`, the value in lower case (userName and
 * displayName match without regard to case) after the subscriber's domain replacements; a message
 * that may give a name waits for and holds it. A message that references a resource holds the
 * reference; a delete waits for the references to its resource.
 */
export function laneTokens(message: StreamMessage, domains: readonly DomainReplacement[]): LaneTokens {
  if (message.operation === 'delete') return { waits: [refToken(message.resourceId)], holds: [] };
  const type = message.resourceType;
  const data = message.data;
  const names = new Set<string>();
  for (const key of [data.key, naturalKeyOf(type, data.resource), naturalKeyOfChanges(type, data.changes)]) {
    for (const [attr, value] of Object.entries(key ?? {})) {
      if (typeof value !== 'string' || value === '') continue;
      names.add(`${type}\u0000${attr}\u0000${replaceDomains(value, domains).toLowerCase()}`);
    }
  }
  const refs = referencedIds(type, data.resource, data.changes).map(refToken);
  return { waits: [...names], holds: [...names, ...refs] };
}

/** One message's place in the lanes. */
export class LaneTicket {
  tokens: LaneTokens = NONE;
  /** Settles once the message's tokens are known and it stands in its lanes. */
  entered: Promise<void> = Promise.resolve();
  /** Out of its lanes (settled, or waiting for a name another resource holds). */
  gone = false;
  readonly left: Promise<void>;
  private release: () => void = () => {};

  constructor(readonly seq: number) {
    this.left = new Promise<void>((resolve) => {
      this.release = resolve;
    });
  }

  /** Marks the ticket gone; false when it was gone already. */
  out(): boolean {
    if (this.gone) return false;
    this.gone = true;
    this.release();
    return true;
  }
}

/** The lanes of the messages in flight. */
export class KeyLanes {
  private tail: Promise<void> = Promise.resolve();
  /** Token → the tickets holding it. */
  private readonly lanes = new Map<string, LaneTicket[]>();

  /**
   * Puts a message into its lanes (`tokens` may still be on their way: the message is being
   * decoded). Messages enter in the order of these calls, stream order, whatever the order their
   * tokens become known in.
   */
  enter(seq: number, tokens: Promise<LaneTokens>): LaneTicket {
    const ticket = new LaneTicket(seq);
    ticket.entered = this.tail.then(async () => {
      ticket.tokens = await tokens.catch(() => NONE);
      if (ticket.gone) return;
      for (const t of ticket.tokens.holds) {
        const lane = this.lanes.get(t);
        if (lane) lane.push(ticket);
        else this.lanes.set(t, [ticket]);
      }
    });
    this.tail = ticket.entered;
    return ticket;
  }

  /** Resolves once every earlier message holding a token this one waits on has left its lanes. */
  async turn(ticket: LaneTicket): Promise<void> {
    await ticket.entered;
    const before = new Set<LaneTicket>();
    for (const token of ticket.tokens.waits)
      for (const other of this.lanes.get(token) ?? []) if (other.seq < ticket.seq) before.add(other);
    await Promise.all([...before].map((o) => o.left));
  }

  /**
   * Leaves the lanes: the message is settled, or it waits for a name another resource still holds
   * here (the messages behind it must not wait for that: one of them may be what gives it up).
   */
  leave(ticket: LaneTicket): void {
    if (!ticket.out()) return;
    void ticket.entered.then(() => {
      for (const token of ticket.tokens.holds) {
        const lane = this.lanes.get(token);
        if (!lane) continue;
        const i = lane.indexOf(ticket);
        if (i !== -1) lane.splice(i, 1);
        if (lane.length === 0) this.lanes.delete(token);
      }
    });
  }
}
