// Preloaded into a gateway by the bench (`node --import <this file> …`): writes one line to stderr
// per garbage-collection pause of the process, `scimgw-gc <start, epoch ms> <duration ms> <kind>`,
// so that the bench can count the pauses that fall into a measurement and set them against the
// slow requests. Adds nothing to a request; one short line per collection.
import { PerformanceObserver, performance } from 'node:perf_hooks';

const KINDS = { 1: 'minor', 4: 'major', 8: 'incremental', 16: 'weakcb' };
const observer = new PerformanceObserver((list) => {
  let out = '';
  for (const e of list.getEntries()) {
    const kind = KINDS[e.detail?.kind] ?? String(e.detail?.kind);
    out += `scimgw-gc ${(performance.timeOrigin + e.startTime).toFixed(2)} ${e.duration.toFixed(3)} ${kind}\n`;
  }
  process.stderr.write(out);
});
observer.observe({ entryTypes: ['gc'] });
