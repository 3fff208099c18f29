// One autocannon run: requests/s and latency percentiles.
import autocannon from 'autocannon';

/**
 * Runs a load against `url`. `makeRequest(i, connection)` returns { method, path, body? } per
 * request so paths and bodies can vary (random users, unique userNames); `connection` is an object
 * kept per connection.
 */
export async function load({ url, headers = {}, connections, duration, makeRequest }) {
  let i = 0;
  const result = await autocannon({
    url,
    connections,
    duration,
    headers,
    requests: [
      {
        // `context` is autocannon's per-connection object: a workload can keep state per connection.
        setupRequest: (req, context) => {
          const r = makeRequest(i++, context);
          return { ...req, method: r.method ?? 'GET', path: r.path, ...(r.body ? { body: JSON.stringify(r.body) } : {}) };
        },
      },
    ],
  });
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
