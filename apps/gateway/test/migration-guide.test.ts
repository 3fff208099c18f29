/**
 * Runs the worked examples of docs/guide/migrating.md: writes the older files the page shows
 * (`<!-- file: … -->`), runs its commands (`<!-- run -->`: `cd`, `scimgw …` through the real CLI
 * on free ports, `curl` through fetch), and compares the files written with the ones the page
 * shows (`<!-- result: … -->`). The LDAP example runs against a throwaway slapd.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeOlderLokiDb } from '../../../packages/connector-loki/test/legacy-fixture.js';
import { HAVE_SLAPD, PEOPLE, type Slapd, startSlapd } from '../../../packages/connector-ldap/test/helpers/slapd.js';
import { runCli } from '../src/cli-main.js';
import type { GatewayInstance } from '../src/instance.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const page = readFileSync(join(repo, 'docs', 'guide', 'migrating.md'), 'utf8');

type Step = { kind: 'file' | 'result'; path: string; text: string } | { kind: 'run'; text: string };
/** The marked code blocks of the page, in order. */
function steps(): Step[] {
  const out: Step[] = [];
  const re = /<!-- (file|result): (\S+) -->\n```\w+\n([\s\S]*?)```|<!-- run -->\n```sh\n([\s\S]*?)```/g;
  for (const m of page.matchAll(re)) {
    if (m[1]) out.push({ kind: m[1] as 'file' | 'result', path: m[2] as string, text: m[3] as string });
    else out.push({ kind: 'run', text: m[4] as string });
  }
  return out;
}

/** Encrypted values differ on every run: the page shows them as `enc:v1:…`. */
function normalized(v: unknown): unknown {
  if (typeof v === 'string') return v.startsWith('enc:v1:') ? 'enc:v1:…' : v;
  if (Array.isArray(v)) return v.map(normalized);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalized(x)]));
  return v;
}

describe.skipIf(!HAVE_SLAPD)('the migration guide, run as written', () => {
  let slapd: Slapd | undefined;
  const started: GatewayInstance[] = [];
  afterAll(async () => {
    for (const g of started) await g.close(1000);
    await slapd?.destroy();
  });

  it('migrates the Loki and the LDAP installation and serves their users with the older ids', async () => {
    slapd = await startSlapd();
    await slapd.ldapadd(
      `dn: uid=bjensen,${PEOPLE}\nobjectClass: inetOrgPerson\nuid: bjensen\ncn: Barbara Jensen\nsn: Jensen\ngivenName: Barbara\nmail: bjensen@example.com\n`,
    );
    const root = mkdtempSync(join(tmpdir(), 'scimgw-guide-'));
    // "npm install @scimgw/connector-ldap" in the new folder: the workspace package stands in.
    mkdirSync(join(root, 'scimgw', 'node_modules', '@scimgw'), { recursive: true });
    symlinkSync(join(repo, 'packages', 'connector-ldap'), join(root, 'scimgw', 'node_modules', '@scimgw', 'connector-ldap'));
    let cwd = root;
    const ran: string[] = [];
    const ldapUrl = (text: string) => text.replaceAll('ldap://127.0.0.1:389', slapd?.url.replace(/\/$/, '') ?? '');
    for (const step of steps()) {
      if (step.kind === 'file') {
        const target = join(root, step.path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, ldapUrl(step.text));
        // The older plugin-loki kept its data in config/loki.db.
        if (basename(target) === 'plugin-loki.json') await writeOlderLokiDb(join(dirname(target), 'loki.db'));
        continue;
      }
      if (step.kind === 'result') {
        const written = JSON.parse(
          readFileSync(join(cwd, step.path), 'utf8').replaceAll(ldapUrl('ldap://127.0.0.1:389'), 'ldap://127.0.0.1:389'),
        );
        expect(normalized(written), step.path).toEqual(JSON.parse(step.text));
        continue;
      }
      for (const line of step.text.split('\n').filter((l) => l.trim() !== '')) {
        const words = line.trim().split(/\s+/);
        if (words[0] === 'cd') {
          cwd = join(root, basename(words[1] as string));
          mkdirSync(cwd, { recursive: true });
          continue;
        }
        if (words[0] === 'curl') {
          const [user, pass] = (words[2] as string).split(':') as [string, string];
          const url = new URL((words[3] as string).replace(/^'|'$/g, ''));
          const gw = started.find((g) => String(g.name).includes(url.port === '8880' ? 'loki' : 'ldap'));
          expect(gw, line).toBeDefined();
          const res = await fetch(`${gw?.url}${url.pathname}${url.search}`, {
            headers: { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` },
          });
          expect(res.status, line).toBe(200);
          const body = (await res.json()) as { id?: string; Resources?: { id: string }[] };
          const id = body.id ?? body.Resources?.[0]?.id;
          expect(id, line).toBe(url.port === '8880' ? 'bjensen' : `uid=bjensen,${PEOPLE}`);
          ran.push(line);
          continue;
        }
        const env: Record<string, string> = {};
        while (/^[A-Z_]+=/.test(words[0] as string)) {
          const [k, ...v] = (words.shift() as string).split('=');
          env[k as string] = v.join('=');
        }
        expect(words.slice(0, 2), line).toEqual(['npx', 'scimgw']);
        const args = words.slice(2);
        if (args[0] === 'start') args.push('--port', '0');
        const saved = { ...process.env };
        Object.assign(process.env, env);
        const out: string[] = [];
        try {
          const result = await runCli(args, { out: (s) => out.push(s), err: (s) => out.push(s), cwd });
          if (Array.isArray(result)) started.push(...result);
          else expect(result, `${line}\n${out.join('\n')}`).toBe(0);
          expect(out.join('\n'), line).not.toMatch(/TO DO/);
        } finally {
          for (const k of Object.keys(env)) {
            if (saved[k] === undefined) delete process.env[k];
            else process.env[k] = saved[k];
          }
        }
        ran.push(line);
      }
    }
    // Both examples ran to their end: two migrations, two starts, two reads.
    expect(ran.filter((l) => l.includes('migrate'))).toHaveLength(2);
    expect(ran.filter((l) => l.startsWith('curl'))).toHaveLength(2);
  });
});
