// Scale run: with a very large directory, filter and paging latency, and the cost of adding one
// member as a group grows from 10 to 50,000 members.
import { load } from './load.mjs';
import { pick } from './workloads.mjs';

async function patch(base, auth, path, body) {
  const res = await fetch(`${base}${path}`, {
    method: 'PATCH',
    headers: { authorization: auth, 'content-type': 'application/scim+json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`PATCH ${path}: ${res.status}`);
}

export async function scaleRun({ base, auth, seeded, connections, duration }) {
  const headers = { authorization: auth, 'content-type': 'application/scim+json' };
  const total = seeded.userIds.length;
  const filter = () => ({ path: `/Users?filter=${encodeURIComponent(`userName eq "${pick(seeded.userNames)}"`)}` });
  const page = () => ({ path: `/Users?startIndex=${1 + Math.floor(Math.random() * (total - 100))}&count=100` });
  // Latency is read twice: with one connection (what one client sees: each request waits for
  // nothing but itself) and with `connections` in a closed loop, where the server is saturated and
  // every request also waits for the others in the queue (p99 there is mostly connections ÷ req/s).
  const latency = {};
  for (const [name, makeRequest] of [
    ['b', filter],
    ['c', page],
  ]) {
    await load({ url: base, headers, connections, duration: 1, makeRequest }); // warm-up
    latency[name] = {
      single: await load({ url: base, headers, connections: 1, duration, makeRequest }),
      saturated: await load({ url: base, headers, connections, duration, makeRequest }),
    };
  }
  const { b, c } = latency;
  console.log(
    `(b) filter p99 ${b.single.p99} ms with 1 connection, ${b.saturated.p99} ms with ${connections} (target < 5); ` +
      `(c) paging p99 ${c.single.p99} ms with 1 connection, ${c.saturated.p99} ms with ${connections} (target < 50)`,
  );
  // Group-size curve: one group filled to 10, 1,000, 10,000 and 50,000 members; at each size, the
  // cost of changing one member. Each connection adds a member of its own and removes it with its
  // next request, so the group stays at its size (± one member per connection) while it is
  // measured; adding a fresh member with every request would grow a 10-member group to tens of
  // thousands within the measurement.
  const res = await fetch(`${base}/Groups`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ displayName: `${seeded.prefix}-curve` }),
  });
  const gid = (await res.json()).id;
  let next = 0;
  const oneMember = (_i, conn) => {
    conn.member ??= `curve-extra-${next++}`;
    conn.added = !conn.added;
    const op = conn.added
      ? { op: 'add', path: 'members', value: [{ value: conn.member }] }
      : { op: 'remove', path: `members[value eq "${conn.member}"]` };
    return { method: 'PATCH', path: `/Groups/${gid}`, body: { Operations: [op] } };
  };
  await load({ url: base, headers, connections, duration: Math.min(3, duration), makeRequest: oneMember }); // warm-up
  const curve = [];
  let size = 0;
  for (const target of [10, 1000, 10_000, 50_000]) {
    const add = seeded.userIds.slice(size, target).map((value) => ({ value }));
    for (let i = 0; i < add.length; i += 10_000)
      await patch(base, auth, `/Groups/${gid}`, {
        Operations: [{ op: 'add', path: 'members', value: add.slice(i, i + 10_000) }],
      });
    size = target;
    const f = await load({ url: base, headers, connections, duration, makeRequest: oneMember });
    curve.push({ members: target, rps: f.rps, p50: f.p50, p99: f.p99 });
    console.log(`(f) group of ${target}: ${f.rps} req/s, p50 ${f.p50} ms, p99 ${f.p99} ms`);
  }
  return {
    b,
    c,
    groupCurve: curve,
    targets: { bP99Under5ms: b.single.p99 < 5, cP99Under50ms: c.single.p99 < 50 },
  };
}
