/**
 * The recorder end to end: every IdP's traffic sent over HTTP to a recording gateway, the file
 * read back (mode, lines, no credential, no personal value the clients sent), then `scimgw replay`
 * of it against a fresh gateway (every answer as recorded, ids the new gateway gives) and against
 * one configured differently (it must fail, naming the request). A recording made against a
 * gateway that already held users and groups replays on an empty one with `--seed` only.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReplayHandle, ReplayStep } from '@scimgw/core/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/index.js';
import { BASIC, startGateway, type TestGateway } from './helpers.js';
import { httpReplayHandle, IDP_REPLAYS, runReplay } from './idp-http-replay.js';

const dir = mkdtempSync(join(tmpdir(), 'scimgw-recorder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'traffic.jsonl');

/** Runs the CLI with the replay credential in the environment; its exit code and what it printed. */
async function cli(argv: string[], authorization: string | null = BASIC) {
  const out: string[] = [];
  const err: string[] = [];
  const before = process.env.SCIMGW_REPLAY_AUTHORIZATION;
  if (authorization === null) delete process.env.SCIMGW_REPLAY_AUTHORIZATION;
  else process.env.SCIMGW_REPLAY_AUTHORIZATION = authorization;
  try {
    const code = await runCli(argv, { out: (s) => out.push(s), err: (s) => err.push(s), cwd: dir });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    if (before === undefined) delete process.env.SCIMGW_REPLAY_AUTHORIZATION;
    else process.env.SCIMGW_REPLAY_AUTHORIZATION = before;
  }
}

const PERSONAL = new Set([
  'username',
  'displayname',
  'givenname',
  'familyname',
  'formatted',
  'externalid',
  'title',
  'department',
  'nickname',
]);

/** Every value the replays send at a personal attribute (or compare in a filter), placeholders taken out. */
function personalValues(steps: readonly ReplayStep[]): Set<string> {
  const found = new Set<string>();
  const add = (s: string) => {
    for (const part of s.split(/\{\{\w+\}\}/)) if (part.replace(/[^\p{L}\p{N}]/gu, '').length >= 4) found.add(part);
  };
  const walk = (v: unknown, key: string, inList: string) => {
    if (typeof v === 'string') {
      if (PERSONAL.has(key.toLowerCase()) || (key === 'value' && /^(emails|phonenumbers)$/i.test(inList))) add(v);
    } else if (Array.isArray(v)) for (const x of v) walk(x, key, key);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k.split('.').pop() ?? k, inList);
  };
  for (const s of steps) {
    walk(s.body, '', '');
    const filter = /[?&]filter=([^&]*)/.exec(s.url)?.[1];
    if (filter)
      for (const m of decodeURIComponent(filter).matchAll(/(\w+)\s+eq\s+"([^"]*)"/gi)) if (m[1] !== 'type') add(m[2] as string);
  }
  return found;
}

describe('recording every IdP, then replaying the recording', () => {
  let gw: TestGateway;
  let requests = 0;
  beforeAll(async () => {
    gw = await startGateway({ recorder: { enabled: true, file } }, { exampleData: false });
  });

  for (const [name, steps] of IDP_REPLAYS) {
    it(`records ${name}`, async () => {
      const send = httpReplayHandle(gw.base);
      const counted: ReplayHandle = (req) => {
        requests++;
        return send(req);
      };
      await runReplay(counted, steps);
    });
  }

  it('wrote one line per request, to a file only its owner reads, without a credential', async () => {
    await gw.stop();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ recording: 'scimgw/1', pseudonymized: true });
    expect(lines.length - 1).toBe(requests);
    expect(
      lines
        .slice(1)
        .map((l) => l.seq)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: requests }, (_, i) => i + 1));
    expect(gw.logs()).toContain(`recording SCIM traffic to ${file}`);
    for (const secret of [BASIC, BASIC.slice(6), 'gwadmin', 'authorization']) expect(text).not.toContain(secret);
  });

  it('holds no value the clients sent at a personal attribute or compared in a filter', () => {
    const text = readFileSync(file, 'utf8').toLowerCase();
    const values = new Set<string>();
    for (const [, steps] of IDP_REPLAYS) for (const v of personalValues(steps)) values.add(v);
    expect(values.size).toBeGreaterThan(40);
    // Entra ID's real traffic names a user "givenName familyName": words that are attribute names
    // or parts of schema URNs in the file are structure, kept as sent.
    const structure = new Set<string>();
    const walk = (v: unknown, key: string) => {
      if (typeof v === 'string' && key === 'schemas') for (const part of v.split(':')) structure.add(part.toLowerCase());
      else if (Array.isArray(v)) for (const x of v) walk(x, key);
      else if (v && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          structure.add(k.toLowerCase());
          walk(x, k);
        }
    };
    for (const line of text.trimEnd().split('\n')) walk(JSON.parse(line), '');
    const leaked = [...values].filter(
      (v) =>
        !structure.has(v.toLowerCase()) &&
        (text.includes(v.toLowerCase()) || text.includes(JSON.stringify(v).slice(1, -1).toLowerCase())),
    );
    expect(leaked).toEqual([]);
    expect([...values].filter((v) => structure.has(v.toLowerCase())).sort()).toEqual(
      ['displayName', 'familyName', 'givenName', 'User'].sort(),
    );
  });

  it('replays against a fresh gateway: every answer as recorded (scimgw replay)', async () => {
    const fresh = await startGateway({}, { exampleData: false });
    try {
      const r = await cli(['replay', file, '--url', fresh.base]);
      expect(r.err).toBe('');
      expect(r.out).toContain(`${requests} requests replayed against ${fresh.base}, every answer as recorded`);
      expect(r.code).toBe(0);
    } finally {
      await fresh.stop();
    }
  });

  it('fails against a gateway that answers otherwise, naming the request', async () => {
    const other = await startGateway({ scim: { groupPatchStatus: 200 } }, { exampleData: false });
    try {
      const r = await cli(['replay', file, '--url', other.base]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/scimgw replay: #\d+ PATCH \/Groups\/\S+: expected 204, got 200/);
    } finally {
      await other.stop();
    }
  });

  it('fails without the credential, and refuses bad arguments', async () => {
    const fresh = await startGateway({}, { exampleData: false });
    try {
      const r = await cli(['replay', file, '--url', fresh.base], null);
      expect(r.code).toBe(1);
      expect(r.err).toContain('no credential');
      expect(r.err).toMatch(/expected \d+, got 401/);
    } finally {
      await fresh.stop();
    }
    expect((await cli(['replay', file])).err).toContain('--url is required');
    expect((await cli(['replay', '--url', 'http://x'])).err).toContain('name the recording');
    expect((await cli(['replay', file, '--url', 'http://u:p@x'])).err).toContain('no credentials in the URL');
    expect((await cli(['replay', file, '--url', 'ftp://x'])).code).toBe(2);
    expect((await cli(['replay', join(dir, 'missing.jsonl'), '--url', 'http://x'])).code).toBe(1);
  });

  it('a second start keeps the first recording beside the new one', async () => {
    const again = await startGateway({ recorder: { enabled: true, file } }, { exampleData: false });
    await again.call('GET', '/Users?count=1');
    await again.stop();
    const kept = readdirSync(dir).filter((f) => /^traffic\..+\.jsonl$/.test(f));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dir, kept[0] as string), 'utf8').split('\n').length).toBeGreaterThan(requests);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
  });
});

describe('the recorder', () => {
  it('records only the tenants it is given', async () => {
    const only = join(dir, 'tenant-a.jsonl');
    const gw = await startGateway(
      { recorder: { enabled: true, file: only, tenants: ['a'] } },
      { exampleData: false, entity: { a: {}, b: {} } },
    );
    try {
      for (const prefix of ['/a', '/b', '/a/scim/v2', '/b/scim/v2'])
        expect((await gw.call('GET', `${prefix}/Users?count=1`)).status, prefix).toBe(200);
      expect(gw.logs()).toContain(`recording SCIM traffic of tenant a to ${only}`);
    } finally {
      await gw.stop();
    }
    const urls = readFileSync(only, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => (JSON.parse(l) as { url: string }).url);
    expect(urls).toEqual(['/a/Users?count=1', '/a/scim/v2/Users?count=1']);
  });

  it('stops at maxSize with one warning, and the gateway goes on answering', async () => {
    const small = join(dir, 'small.jsonl');
    const gw = await startGateway({ recorder: { enabled: true, file: small, maxSize: 2000 } }, { exampleData: false });
    try {
      for (let i = 0; i < 20; i++) {
        const r = await gw.call('POST', '/Users', { userName: `u${i}@example.com`, name: { givenName: 'A', familyName: 'B' } });
        expect(r.status).toBe(201);
      }
      expect(statSync(small).size).toBeLessThanOrEqual(2000);
      expect(gw.logs().match(/reached scimgateway\.recorder\.maxSize/g)).toHaveLength(1);
    } finally {
      await gw.stop();
    }
  });

  it('records nothing when off, and values as sent (secrets still masked) without pseudonyms', async () => {
    const raw = join(dir, 'raw.jsonl');
    const off = await startGateway({}, { exampleData: false });
    await off.call('GET', '/Users');
    expect(existsSync(join(off.dir, 'config', 'recordings'))).toBe(false);
    expect(off.logs()).not.toContain('recording SCIM traffic');
    await off.stop();
    const gw = await startGateway({ recorder: { enabled: true, file: raw, pseudonymize: false } }, { exampleData: false });
    try {
      expect((await gw.call('POST', '/Users', { userName: 'ann.lee@example.com', password: 'Pa55-word!' })).status).toBe(201);
      expect(gw.logs()).toContain('personal data is in this file');
    } finally {
      await gw.stop();
    }
    const text = readFileSync(raw, 'utf8');
    expect(text).toContain('ann.lee@example.com');
    expect(text).not.toContain('Pa55-word!');
    expect(text).toContain('{{secret}}');
  });
});

describe('a recording made against a populated gateway, replayed with --seed', () => {
  const populated = join(dir, 'populated.jsonl');
  const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
  const filter = (f: string) => `filter=${encodeURIComponent(f)}`;
  /** What Entra ID does to a user and a group the directory already held (the example data). */
  const entraLike: ReplayStep[] = [
    {
      name: 'find jsmith',
      method: 'GET',
      url: `/Users?${filter('userName eq "jsmith"')}`,
      status: 200,
      capture: { u: '/Resources/0/id' },
    },
    {
      name: 'retitle jsmith',
      method: 'PATCH',
      url: '/Users/{{u}}',
      body: { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'title', value: 'Principal Consultant' }] },
      status: 200,
    },
    {
      name: 'find Admins',
      method: 'GET',
      url: `/Groups?excludedAttributes=members&${filter('displayName eq "Admins"')}`,
      status: 200,
      capture: { g: '/Resources/0/id' },
    },
    {
      name: 'jsmith joins Admins',
      method: 'PATCH',
      url: '/Groups/{{g}}',
      body: { schemas: [PATCH], Operations: [{ op: 'Add', path: 'members', value: [{ value: '{{u}}' }] }] },
      status: 204,
    },
  ];

  beforeAll(async () => {
    const gw = await startGateway({ recorder: { enabled: true, file: populated } }, { exampleData: true });
    try {
      const vars = await runReplay(httpReplayHandle(gw.base), entraLike);
      expect(vars).toMatchObject({ u: 'jsmith', g: 'Admins' });
    } finally {
      await gw.stop();
    }
  });

  it('without --seed fails at the first lookup, the warning hinting at --seed', async () => {
    const fresh = await startGateway({}, { exampleData: false });
    try {
      const r = await cli(['replay', populated, '--url', fresh.base]);
      expect(r.err).toContain(
        'warning: the recording uses 2 resource(s) it did not create; they must exist on the target; run with --seed to create the 2 that its answers show first',
      );
      expect(r.err).toMatch(/scimgw replay: #1 GET \/Users: totalResults: expected 1 as recorded, got 0/);
      expect(r.code).toBe(1);
    } finally {
      await fresh.stop();
    }
  });

  it('with --seed creates the user and the group first, then replays every answer as recorded', async () => {
    const fresh = await startGateway({}, { exampleData: false });
    try {
      const r = await cli(['replay', populated, '--url', fresh.base, '--seed']);
      expect(r.err).toBe('');
      expect(r.out).toContain(`2 resource(s) seeded, then 4 requests replayed against ${fresh.base}, every answer as recorded`);
      expect(r.code).toBe(0);
      // The seeded user (values pseudonymized as recorded) holds the recorded change and is the one
      // member of the seeded group.
      const lines = readFileSync(populated, 'utf8')
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((l) => JSON.parse(l));
      const found = lines[0].response.Resources[0];
      const retitle = lines[1].body.Operations[0].value;
      expect(found.id).not.toBe('jsmith');
      const users = (await fresh.call('GET', '/Users')).body as { Resources: { id: string; userName: string; title?: string }[] };
      expect(users.Resources).toEqual([expect.objectContaining({ userName: found.userName, title: retitle })]);
      const groups = (await fresh.call('GET', '/Groups')).body as { Resources: { members?: { value: string }[] }[] };
      expect(groups.Resources.map((g) => g.members?.map((m) => m.value))).toEqual([[users.Resources[0]?.id]]);
    } finally {
      await fresh.stop();
    }
  });
});
