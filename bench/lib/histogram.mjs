// A latency histogram with 10 µs buckets (up to 10 s; slower requests count in the last bucket,
// their true maximum is kept): percentiles to a hundredth of a millisecond, reported in tenths.
// No per-request allocation, so recording does not itself cause garbage collection.

const BUCKET_US = 10;
const BUCKETS = 1_000_000; // 10 s

export class Histogram {
  constructor() {
    this.counts = new Uint32Array(BUCKETS);
    this.n = 0;
    this.maxUs = 0;
  }

  /** Records one latency in microseconds. */
  record(us) {
    const v = Math.max(us, 0);
    // Bucket i holds (10·i, 10·(i+1)] µs: its upper edge is never below a value it holds.
    this.counts[Math.min(BUCKETS - 1, Math.max(0, Math.ceil(v / BUCKET_US) - 1))]++;
    this.n++;
    if (v > this.maxUs) this.maxUs = v;
  }

  /**
   * The latency (ms) at or under which a fraction `q` (0 < q ≤ 1) of the requests finished: the
   * upper edge of the bucket holding the ceil(q·n)-th fastest request (never above the maximum).
   */
  quantileMs(q) {
    if (this.n === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      // The last bucket also holds everything slower than 10 s: its request is the maximum's.
      if (seen >= rank) return (i === BUCKETS - 1 ? this.maxUs : Math.min((i + 1) * BUCKET_US, this.maxUs)) / 1000;
    }
    return this.maxUs / 1000;
  }

  /** How many requests took longer than `ms` (to the bucket: 10 µs). */
  over(ms) {
    const from = Math.min(BUCKETS, Math.ceil((ms * 1000) / BUCKET_US));
    let n = 0;
    for (let i = from; i < BUCKETS; i++) n += this.counts[i];
    return n;
  }

  /** p50, p90, p99, p99.9 and the maximum in ms (to 0.1 ms), the count, and counts over 2 / 5 / 10 ms. */
  summary() {
    const r = (x) => Math.round(x * 10) / 10;
    return {
      requests: this.n,
      p50: r(this.quantileMs(0.5)),
      p90: r(this.quantileMs(0.9)),
      p99: r(this.quantileMs(0.99)),
      p999: r(this.quantileMs(0.999)),
      max: r(this.maxUs / 1000),
      over2ms: this.over(2),
      over5ms: this.over(5),
      over10ms: this.over(10),
    };
  }
}
