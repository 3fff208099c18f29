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
          // Fresh headers every time: autocannon keeps the request object per connection, and a
          // Content-Length left from a PATCH on a following GET would make the server read the next
          // request as that GET's body.
          const out = { ...req, method: r.method ?? 'GET', path: r.path, headers: { ...headers } };
          if (r.body) out.body = JSON.stringify(r.body);
          else delete out.body;
          return out;
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
