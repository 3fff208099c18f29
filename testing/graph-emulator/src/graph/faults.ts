/**
 * Fault injection a test configures: throttling (429 or 503 with Retry-After) for the next N
 * calls or a share of calls, optionally only on some routes or only inside `$batch`; added
 * latency; and replication delay (see {@link Replication}).
 */
import type { Replication, ReplicationDelay } from './replication.js';

/** Which calls a rule applies to. */
export interface FaultMatch {
  readonly method?: string;
  /** Route template (`POST /groups/{id}/members/$ref`) or a pattern tested against it. */
  readonly route?: string | RegExp;
  /** `requests`: top-level HTTP requests only; `batch-items`: items inside `$batch` only; default both. */
  readonly scope?: 'all' | 'requests' | 'batch-items';
}

/** A throttling rule. */
export interface ThrottleRule extends FaultMatch {
  /** 429 (default) or 503. */
  readonly status?: 429 | 503;
  /** Seconds in Retry-After; default 1. */
  readonly retryAfterSeconds?: number;
  /** Throttle the next `times` matching calls (default: unlimited while the rule exists). */
  readonly times?: number;
  /** Throttle this share (0..1) of matching calls, chosen by the seeded generator. */
  readonly ratio?: number;
}

/** A latency rule. */
export interface LatencyRule extends FaultMatch {
  readonly ms: number;
  readonly times?: number;
}

/** A rule once added; `remove()` takes it away, `hits` counts the calls it affected. */
export interface FaultHandle {
  readonly hits: number;
  remove(): void;
}

/** What a fault decision knows about a call. */
export interface CallInfo {
  readonly method: string;
  readonly route: string | null;
  readonly inBatch: boolean;
}

interface Active<R> {
  rule: R;
  hits: number;
  left: number;
}

function matches(match: FaultMatch, call: CallInfo): boolean {
  const scope = match.scope ?? 'all';
  if (scope === 'requests' && call.inBatch) return false;
  if (scope === 'batch-items' && !call.inBatch) return false;
  if (match.method !== undefined && match.method.toUpperCase() !== call.method) return false;
  if (match.route === undefined) return true;
  if (call.route === null) return false;
  return typeof match.route === 'string' ? match.route === call.route : match.route.test(call.route);
}

/** mulberry32: a small seeded generator, so ratio-based throttling is reproducible. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The emulator's fault injection. */
export class Faults {
  private throttles: Array<Active<ThrottleRule>> = [];
  private latencies: Array<Active<LatencyRule>> = [];
  private readonly random: () => number;

  constructor(
    private readonly replication: Replication,
    seed: number,
  ) {
    this.random = seeded(seed);
  }

  /** Adds a throttling rule. */
  throttle(rule: ThrottleRule = {}): FaultHandle {
    const active: Active<ThrottleRule> = { rule, hits: 0, left: rule.times ?? Number.POSITIVE_INFINITY };
    this.throttles.push(active);
    return this.handle(active, () => {
      this.throttles = this.throttles.filter((a) => a !== active);
    });
  }

  /** Adds latency to matching calls. */
  latency(rule: LatencyRule): FaultHandle {
    const active: Active<LatencyRule> = { rule, hits: 0, left: rule.times ?? Number.POSITIVE_INFINITY };
    this.latencies.push(active);
    return this.handle(active, () => {
      this.latencies = this.latencies.filter((a) => a !== active);
    });
  }

  /** Makes newly created objects answer 404 for a while; `undefined` turns it off. */
  replicationDelay(delay: ReplicationDelay | undefined): void {
    this.replication.configure(delay);
  }

  /** Removes every rule and the replication delay. */
  clear(): void {
    this.throttles = [];
    this.latencies = [];
    this.replication.configure(undefined);
  }

  /** @internal The throttling rule that hits this call, if any. */
  throttleFor(call: CallInfo): ThrottleRule | undefined {
    for (const active of this.throttles) {
      if (active.left <= 0 || !matches(active.rule, call)) continue;
      if (active.rule.ratio !== undefined && this.random() >= active.rule.ratio) continue;
      active.left--;
      active.hits++;
      return active.rule;
    }
    return undefined;
  }

  /** @internal Milliseconds of latency to add to this call. */
  latencyFor(call: CallInfo): number {
    let total = 0;
    for (const active of this.latencies) {
      if (active.left <= 0 || !matches(active.rule, call)) continue;
      active.left--;
      active.hits++;
      total += active.rule.ms;
    }
    return total;
  }

  private handle<R>(active: Active<R>, remove: () => void): FaultHandle {
    return {
      get hits() {
        return active.hits;
      },
      remove,
    };
  }
}
