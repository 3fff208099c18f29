/**
 * Counters and histograms for the series every request touches, kept as plain numbers per label
 * set and handed to prom-client's registry only when Prometheus scrapes.
 *
 * prom-client's `inc` and `observe` validate and hash the label object on every call, and a
 * histogram finds its bucket by looking the bound (a float such as `0.0005`) up as a property name:
 * a number-to-string conversion per bucket test. For a request that is three such calls on the
 * path of every request. Here a request is one `Map` lookup under a key the caller builds from
 * label values it already knows to be bounded, and a few additions; the label objects are made
 * once per label set. What `/metrics` shows is the same text prom-client would write for the same
 * samples (a test renders both).
 */
import type { Registry } from 'prom-client';

/** The numbers of one label set. */
export interface TallyCell {
  /** The label values (made once, when the label set is first seen). */
  readonly labels: Readonly<Record<string, string>>;
  count: number;
  sum: number;
  /** Samples per bucket (not cumulative); the last slot counts samples above every bound. */
  readonly buckets: Float64Array;
}

/** Label sets of one kind of sample, by a key the caller makes unique per label set. */
export class Tally {
  readonly #cells = new Map<string, TallyCell>();
  readonly #bounds: readonly number[];

  /** @param bounds - histogram bucket bounds, ascending; none for a plain count */
  constructor(bounds: readonly number[] = []) {
    this.#bounds = bounds;
  }

  /** Bucket bounds, ascending. */
  get bounds(): readonly number[] {
    return this.#bounds;
  }

  /**
   * Adds one sample of `value` to the label set under `key`; `labels` makes its label object the
   * first time the key is seen.
   */
  add(key: string, labels: () => Record<string, string>, value: number): void {
    let c = this.#cells.get(key);
    if (c === undefined) {
      c = { labels: Object.freeze(labels()), count: 0, sum: 0, buckets: new Float64Array(this.#bounds.length + 1) };
      this.#cells.set(key, c);
    }
    c.count++;
    c.sum += value;
    if (this.#bounds.length > 0) {
      const b = this.#bounds;
      let i = 0;
      while (i < b.length && value > b[i]!) i++;
      c.buckets[i]!++;
    }
  }

  /** Every label set seen, in the order first seen. */
  cells(): IterableIterator<TallyCell> {
    return this.#cells.values();
  }

  /** Forgets every label set. */
  clear(): void {
    this.#cells.clear();
  }
}

/** One exported value, in the shape prom-client's registry formats. */
interface Value {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  value: number;
  metricName?: string;
}

/** What a family needs to list its series: the label sets to export with their numbers. */
export type SeriesSource = () => Iterable<{
  labels: Readonly<Record<string, string>>;
  count: number;
  sum: number;
  buckets: Float64Array;
}>;

/** Options of {@link TallyFamily}. */
export interface TallyFamilyOptions {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  labelNames: readonly string[];
  /** Histograms: the bucket bounds of the cells {@link TallyFamilyOptions.series} lists. */
  bounds?: readonly number[];
  series: SeriesSource;
  registers: Registry[];
  /** Forgets the family's samples (`registry.resetMetrics()`). */
  reset: () => void;
}

/**
 * A metric family in a prom-client registry whose series come from tallies: a counter's value is
 * the cell's count, a histogram has the cell's buckets, sum and count. It has what the registry
 * calls (`get`, `getForPromString`, `reset`), so `/metrics`, `getMetricsAsJSON` and
 * `Registry.merge` see it like any other.
 */
export class TallyFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly labelNames: readonly string[];
  readonly aggregator = 'sum';
  readonly #bounds: readonly number[];
  readonly #series: SeriesSource;
  readonly #reset: () => void;

  constructor(o: TallyFamilyOptions) {
    this.name = o.name;
    this.help = o.help;
    this.type = o.type;
    this.labelNames = o.labelNames;
    this.#bounds = o.bounds ?? [];
    this.#series = o.series;
    this.#reset = o.reset;
    for (const r of o.registers) r.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The series as prom-client's text writer takes them (a histogram's labels shared by its lines). */
  async getForPromString(): Promise<{ name: string; help: string; type: string; values: Value[]; aggregator: string }> {
    const values: Value[] = [];
    for (const c of this.#series()) {
      if (this.type === 'counter') {
        values.push({ labels: { ...c.labels }, value: c.count });
        continue;
      }
      const bucket = `${this.name}_bucket`;
      let acc = 0;
      for (let i = 0; i < this.#bounds.length; i++) {
        acc += c.buckets[i]!;
        values.push({ labels: { le: this.#bounds[i]! }, sharedLabels: c.labels, value: acc, metricName: bucket });
      }
      values.push(
        { labels: { le: '+Inf' }, sharedLabels: c.labels, value: c.count, metricName: bucket },
        { labels: {}, sharedLabels: c.labels, value: c.sum, metricName: `${this.name}_sum` },
        { labels: {}, sharedLabels: c.labels, value: c.count, metricName: `${this.name}_count` },
      );
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** The series with every label on the value (prom-client's `get()`). */
  async get(): Promise<{ name: string; help: string; type: string; values: Value[]; aggregator: string }> {
    const m = await this.getForPromString();
    m.values = m.values.map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } }));
    return m;
  }

  reset(): void {
    this.#reset();
  }
}
