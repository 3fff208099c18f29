// One autocannon run: requests/s and latency percentiles.
import autocannon from 'autocannon';

/**
 * Runs a load against `url`. `makeRequest(i)` returns { method, path, body? } per request so
 * paths and bodies can vary (random users, unique userNames).
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
        setupRequest: (req) => {
          const r = makeRequest(i++);
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
