/**
 * Writes a Loki database file the way the older scimgateway plugin-loki persisted one: LokiJS with
 * its file adapter, a `users` collection (unique id, userName) and a `groups` collection whose
 * documents carry `members`; LokiJS adds `$loki` and its numeric `meta` itself.
 */
import Loki from 'lokijs';

/** Users and groups as the older plugin stored them (its id = userName / displayName). */
export const OLDER_USERS = [
  {
    id: 'bjensen',
    userName: 'bjensen',
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    emails: [{ value: 'bjensen@example.com', type: 'work' }],
    active: true,
  },
  { id: 'jsmith', userName: 'jsmith', externalId: 'ext-42', active: true },
];
/** Groups with members. */
export const OLDER_GROUPS = [
  { id: 'Admins', displayName: 'Admins', members: [{ value: 'bjensen', display: 'bjensen' }] },
  { id: 'Employees', displayName: 'Employees', members: [{ value: 'bjensen' }, { value: 'jsmith' }] },
];

/** Saves the older database to `file`. */
export function writeOlderLokiDb(file: string, users = OLDER_USERS, groups = OLDER_GROUPS): Promise<void> {
  const db = new Loki(file, { adapter: new Loki.LokiFsAdapter(), autosave: false });
  const u = db.addCollection('users', { unique: ['id', 'userName'] });
  const g = db.addCollection('groups', { unique: ['displayName'] });
  for (const x of users) u.insert(structuredClone(x));
  for (const x of groups) g.insert(structuredClone(x));
  return new Promise((resolve, reject) => db.saveDatabase((err) => (err ? reject(err) : resolve())));
}
