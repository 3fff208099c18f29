// Seeding through SCIM Bulk: N users, G groups, one big group with M members.

async function bulk(base, auth, ops) {
  const res = await fetch(`${base}/Bulk`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: ops }),
  });
  if (res.status !== 200) throw new Error(`Bulk failed: ${res.status} ${await res.text()}`);
  const body = await res.json();
  const failed = body.Operations.filter((o) => Number(o.status) >= 400);
  if (failed.length) throw new Error(`Bulk: ${failed.length} operations failed, e.g. ${JSON.stringify(failed[0])}`);
  return body.Operations;
}

/** Seeds users and groups; returns their ids and names. */
export async function seed({ base, auth, users, groups, bigSize, prefix, batch = 1000 }) {
  const t0 = Date.now();
  const userIds = [];
  const userNames = [];
  for (let start = 0; start < users; start += batch) {
    const ops = [];
    for (let i = start; i < Math.min(users, start + batch); i++) {
      const userName = `${prefix}-user-${i}`;
      userNames.push(userName);
      ops.push({
        method: 'POST',
        path: '/Users',
        bulkId: `u${i}`,
        data: {
          userName,
          externalId: `ext-${prefix}-${i}`,
          name: { givenName: `Given${i}`, familyName: `Family${i % 997}` },
          emails: [{ value: `${userName}@example.com`, type: 'work', primary: true }],
          active: true,
        },
      });
    }
    for (const o of await bulk(base, auth, ops)) userIds.push(o.location.split('/').pop());
  }
  const groupIds = [];
  const gops = [];
  for (let g = 0; g < groups; g++) {
    const members = userIds.slice(g * 10, g * 10 + 10).map((value) => ({ value }));
    gops.push({ method: 'POST', path: '/Groups', bulkId: `g${g}`, data: { displayName: `${prefix}-group-${g}`, members } });
  }
  for (const o of await bulk(base, auth, gops)) groupIds.push(o.location.split('/').pop());
  const bigGroupId = groupIds[0];
  const bigMembers = userIds.slice(0, bigSize).map((value) => ({ value }));
  const res = await fetch(`${base}/Groups/${bigGroupId}`, {
    method: 'PATCH',
    headers: { authorization: auth, 'content-type': 'application/scim+json' },
    body: JSON.stringify({ Operations: [{ op: 'add', path: 'members', value: bigMembers }] }),
  });
  if (res.status >= 300) throw new Error(`filling the big group failed: ${res.status} ${await res.text()}`);
  return { userIds, userNames, groupIds, bigGroupId, prefix, seconds: Math.round((Date.now() - t0) / 100) / 10 };
}
