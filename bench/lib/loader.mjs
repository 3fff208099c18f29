// Loader for very large directories: writes the embedded store's snapshot file directly, so a
// million users are there when the gateway starts (seeding them through Bulk takes ~20 minutes on
// two cores; the point of the scale run is what happens after).
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes `<dir>/loki.json` with `users` users and `groups` groups; returns their names and ids.
 * Groups are empty unless `members(g)` says how many members group `g` has (users picked by a
 * stride through them).
 */
export function writeLokiSnapshot(dir, { users, groups, prefix, members = () => 0 }) {
  mkdirSync(dir, { recursive: true });
  const fd = openSync(join(dir, 'loki.json'), 'w');
  const t = new Date().toISOString();
  const meta = { created: t, lastModified: t };
  const userIds = [];
  const userNames = [];
  try {
    writeSync(fd, '{"format":"scimgw-loki/1","collections":{"users":[');
    let chunk = [];
    for (let i = 0; i < users; i++) {
      const userName = `${prefix}-user-${i}`;
      const id = `${prefix}-u${i}`;
      userIds.push(id);
      userNames.push(userName);
      chunk.push(
        JSON.stringify({
          id,
          userName,
          externalId: `ext-${prefix}-${i}`,
          name: { givenName: `Given${i}`, familyName: `Family${i % 997}` },
          emails: [{ value: `${userName}@example.com`, type: 'work', primary: true }],
          active: true,
          meta: { ...meta, version: `W/"${i.toString(36)}"` },
        }),
      );
      if (chunk.length === 10_000) {
        writeSync(fd, (i >= 10_000 ? ',' : '') + chunk.join(','));
        chunk = [];
      }
    }
    if (chunk.length) writeSync(fd, (users > chunk.length ? ',' : '') + chunk.join(','));
    const groupIds = [];
    const gdocs = [];
    for (let g = 0; g < groups; g++) {
      const id = `${prefix}-g${g}`;
      groupIds.push(id);
      const n = members(g);
      const list = n > 0 ? Array.from({ length: n }, (_, k) => ({ value: userIds[(g * 97 + k) % users] })) : undefined;
      gdocs.push(
        JSON.stringify({
          id,
          displayName: `${prefix}-group-${g}`,
          ...(list ? { members: list } : {}),
          meta: { ...meta, version: `W/"g${g}"` },
        }),
      );
    }
    writeSync(fd, `],"groups":[${gdocs.join(',')}],"roles":[],"entitlements":[]}}`);
    return { userIds, userNames, groupIds, bigGroupId: groupIds[0], prefix };
  } finally {
    closeSync(fd);
  }
}
