/**
 * Gateways side by side: two `scimgw` processes (the real CLI, `apps/gateway/dist/cli.js`) on one
 * database behave as one — parallel member additions spread over both lose none, racing creates of
 * one userName give one 201, an ETag written by one is seen by the other, and `If-Match` races are
 * decided by the database (`UPDATE … WHERE version IN (…)`), not by whoever read first.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SuiteCase } from './types.js';
import { check } from './types.js';
import { freePort } from '@scimgw/testing-ports';

const repoDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const AUTH = `Basic ${Buffer.from('gwadmin:password').toString('base64')}`;

/** A gateway process. */
export interface GatewayProcess {
  base: string;
  /** Everything it printed. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `scimgw start` in a process of its own with `endpoint` as the endpoint section of
 * `config/<name>.json`; `connector` is the connector's entry module (an absolute path).
 */
export async function startGatewayProcess(options: {
  name: string;
  connector: string;
  endpoint: unknown;
}): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-side-'));
  mkdirSync(join(dir, 'config'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'config', `${options.name}.json`),
    JSON.stringify({
      connector: options.connector,
      scimgateway: {
        port,
        localhostonly: true,
        log: { loglevel: { console: 'info', file: 'off' }, colorize: false },
        auth: { basic: [{ username: 'gwadmin', password: 'password' }] },
      },
      endpoint: options.endpoint,
    }),
  );
  const child: ChildProcess = spawn(process.execPath, [join(repoDir, 'apps', 'gateway', 'dist', 'cli.js'), 'start'], {
    cwd: dir,
    env: { ...process.env, SEED: 'side-by-side' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c) => (out += c));
  child.stderr?.on('data', (c) => (out += c));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited early:\n${out}`);
    try {
      if ((await fetch(`${base}/ping`)).ok) break;
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Answer = { status: number; etag: string | null; body: Record<string, unknown> & { Resources?: Record<string, unknown>[] } };

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: AUTH, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, etag: res.headers.get('etag'), body: text ? JSON.parse(text) : {} };
}

/** Options of {@link sideBySideCases}. */
export interface SideBySideOptions {
  /** Config file name (`connector-postgres`). */
  name: string;
  /** Absolute path of the connector's built entry (`…/dist/index.js`). */
  connector: string;
  /** Makes an empty database with the default layout; returns the endpoint section for it and a cleanup. */
  database(): Promise<{ endpoint: Record<string, unknown>; drop(): Promise<void> }>;
  /** A secret in the endpoint section that must never appear in the gateways' output. */
  secret?: string;
}

/** The side-by-side cases; they share two gateways and one database. */
export function sideBySideCases(options: SideBySideOptions): SuiteCase[] {
  let setup: Promise<{ a: GatewayProcess; b: GatewayProcess; drop(): Promise<void> }> | undefined;
  const get = () =>
    (setup ??= (async () => {
      const db = await options.database();
      const a = await startGatewayProcess({ name: options.name, connector: options.connector, endpoint: db.endpoint });
      const b = await startGatewayProcess({ name: options.name, connector: options.connector, endpoint: db.endpoint });
      return { a, b, drop: db.drop };
    })());
  const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
  return [
    {
      name: '50 parallel member additions to one group, spread over both gateways, lose none',
      async run() {
        const { a, b } = await get();
        const g = await call(a.base, 'POST', '/Groups', { displayName: 'side-by-side' });
        check(g.status === 201, `group: ${g.status}`);
        const users: string[] = [];
        for (let i = 0; i < 50; i++) {
          const u = await call(i % 2 ? a.base : b.base, 'POST', '/Users', { userName: `member-${i}` });
          check(u.status === 201, `user ${i}: ${u.status}`);
          users.push(String(u.body.id));
        }
        const results = await Promise.all(
          users.map((id, i) =>
            call(i % 2 ? a.base : b.base, 'PATCH', `/Groups/${g.body.id}`, {
              schemas: [PATCH],
              Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }],
            }),
          ),
        );
        const statuses = results.map((r) => r.status);
        check(
          statuses.every((s) => s === 204),
          `every addition answers 204: ${JSON.stringify(statuses.filter((s) => s !== 204))}`,
        );
        for (const gw of [a, b]) {
          const read = await call(gw.base, 'GET', `/Groups/${g.body.id}`);
          const members = ((read.body.members as { value: string }[] | undefined) ?? []).map((m) => m.value).sort();
          check(
            JSON.stringify(members) === JSON.stringify([...users].sort()),
            `${members.length} of 50 members seen through ${gw.base}`,
          );
        }
      },
    },
    {
      name: '20 racing creates of one userName over both gateways: exactly one 201, the rest 409 uniqueness',
      async run() {
        const { a, b } = await get();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => call(i % 2 ? a.base : b.base, 'POST', '/Users', { userName: 'Race.Winner' })),
        );
        const created = results.filter((r) => r.status === 201);
        const conflicts = results.filter((r) => r.status === 409 && r.body.scimType === 'uniqueness');
        check(created.length === 1 && conflicts.length === 19, `statuses: ${results.map((r) => r.status).join(',')}`);
        const found = await call(b.base, 'GET', `/Users?filter=${encodeURIComponent('userName eq "race.winner"')}`);
        check(found.body.totalResults === 1, `one user stored, found ${found.body.totalResults}`);
      },
    },
    {
      name: 'an ETag written through one gateway is the one the other serves and checks',
      async run() {
        const { a, b } = await get();
        const u = await call(a.base, 'POST', '/Users', { userName: 'etag.user', title: 'one' });
        const first = u.etag;
        check(first !== null, 'a created user has an ETag');
        const changed = await call(
          b.base,
          'PATCH',
          `/Users/${u.body.id}`,
          { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'two' }] },
          { 'if-match': first as string },
        );
        check(changed.status === 200 && changed.etag !== first, `PATCH through B with If-Match: ${changed.status}`);
        const seen = await call(a.base, 'GET', `/Users/${u.body.id}`);
        check(seen.etag === changed.etag && seen.body.title === 'two', `A serves ${seen.etag}, B wrote ${changed.etag}`);
        const stale = await call(
          a.base,
          'PATCH',
          `/Users/${u.body.id}`,
          { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'three' }] },
          { 'if-match': first as string },
        );
        check(stale.status === 412, `a stale If-Match through A: ${stale.status}`);
        const notModified = await call(a.base, 'GET', `/Users/${u.body.id}`, undefined, {
          'if-none-match': changed.etag as string,
        });
        check(notModified.status === 304, `If-None-Match with the current ETag: ${notModified.status}`);
        const patch = (value: string, ifMatch: string) =>
          call(
            b.base,
            'PATCH',
            `/Users/${u.body.id}`,
            { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value }] },
            { 'if-match': ifMatch },
          );
        const listed = await patch('four', `W/"999999", ${changed.etag as string}`);
        check(listed.status === 200, `an If-Match list naming the current version: ${listed.status}`);
        const foreign = await patch('five', '"not-a-version"');
        check(foreign.status === 412, `an If-Match tag that is not a version: ${foreign.status}`);
        const any = await patch('six', '*');
        check(any.status === 200, `If-Match: * on an existing resource: ${any.status}`);
      },
    },
    {
      name: 'racing writes with the same If-Match through both gateways: one wins, the other gets 412',
      async run() {
        const { a, b } = await get();
        const u = await call(a.base, 'POST', '/Users', { userName: 'if.match.race' });
        for (let round = 0; round < 10; round++) {
          const cur = await call(a.base, 'GET', `/Users/${u.body.id}`);
          const tag = cur.etag as string;
          const results = await Promise.all(
            [a, b, a, b].map((gw, i) =>
              call(
                gw.base,
                'PATCH',
                `/Users/${u.body.id}`,
                { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: `r${round}-${i}` }] },
                { 'if-match': tag },
              ),
            ),
          );
          const ok = results.filter((r) => r.status === 200).length;
          const refused = results.filter((r) => r.status === 412).length;
          check(ok === 1 && refused === 3, `round ${round}: ${results.map((r) => r.status).join(',')}`);
        }
      },
    },
    {
      name: 'neither gateway logged the database password',
      async run() {
        const { a, b } = await get();
        if (!options.secret) return;
        check(a.output().length > 0 && b.output().length > 0, 'the gateways printed their logs');
        for (const gw of [a, b]) check(!gw.output().includes(options.secret), 'the password appears in a gateway log');
      },
    },
    {
      name: 'cleanup',
      async run() {
        if (!setup) return;
        const s = await setup;
        setup = undefined;
        await s.a.stop();
        await s.b.stop();
        await s.drop();
      },
    },
  ];
}
