/**
 * The operations guide (docs/guide/operations.md), checked by running what it shows: its shell
 * commands (the self-signed certificate), its TLS snippets in a configuration that must pass
 * `scimgw check-config` with the files the command made, and its chaining front, whose
 * `check-config` output the page quotes. (Its deployment commands are deploy.md's, run by
 * deploy-docs.test.ts; the express snippet is express.test.ts's.)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
const page = readFileSync(join(here, '..', '..', '..', 'docs', 'guide', 'operations.md'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'scimgw-ops-docs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The page's fenced blocks of one language, in order. */
const blocks = (lang: string) =>
  [...page.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] as string);

const checkConfig = (cwd: string, file: string) =>
  spawnSync(process.execPath, [cli, 'check-config', '--config', file], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, SEED: 'ops-docs' },
  });

/** The example configuration of the embedded store, with `scimgateway` extended by `extra`. */
function lokiConfig(dir: string, extra: Record<string, unknown>): string {
  const example = JSON.parse(readFileSync(join(here, '..', 'examples', 'connector-loki.json'), 'utf8'));
  example.scimgateway = { ...example.scimgateway, ...extra };
  mkdirSync(join(dir, 'config'), { recursive: true });
  const file = join(dir, 'config', 'connector-loki.json');
  writeFileSync(file, JSON.stringify(example, null, 2));
  return file;
}

describe('the operations guide, run', () => {
  it('TLS: the certificate command works, and the certificate snippet with its files passes check-config', () => {
    const dir = mkdtempSync(join(work, 'tls-'));
    const sh = blocks('sh').find((b) => b.includes('openssl req'));
    expect(sh, 'the self-signed certificate command').toBeDefined();
    const r = spawnSync('sh', ['-c', sh as string], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'key.pem')) && existsSync(join(dir, 'cert.pem'))).toBe(true);

    const snippet = blocks('json').find((b) => b.trim().startsWith('"certificate"'));
    const certificate = JSON.parse(`{${snippet}}`).certificate as { key: string; cert: string; ca: string[] };
    // The files go to the certs folder beside the configuration, as the page says.
    mkdirSync(join(dir, 'config', 'certs'), { recursive: true });
    cpSync(join(dir, 'key.pem'), join(dir, 'config', 'certs', certificate.key));
    cpSync(join(dir, 'cert.pem'), join(dir, 'config', 'certs', certificate.cert));
    for (const ca of certificate.ca) cpSync(join(dir, 'cert.pem'), join(dir, 'config', 'certs', ca));
    const file = lokiConfig(dir, { certificate });
    const ok = checkConfig(dir, file);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);

    // And a file it names that is missing stops the check with the path that names it.
    rmSync(join(dir, 'config', 'certs', certificate.ca[1] as string));
    const missing = checkConfig(dir, file);
    expect(missing.status).not.toBe(0);
    expect(missing.stdout + missing.stderr).toContain('certificate');
  });

  it('chaining: the front the page shows passes check-config with the output it quotes', () => {
    const dir = mkdtempSync(join(work, 'front-'));
    const front = blocks('json').find((b) => b.includes('chainingBaseUrl'));
    expect(front).toBeDefined();
    mkdirSync(join(dir, 'config'));
    writeFileSync(join(dir, 'config', 'front.json'), front as string);
    const r = checkConfig(dir, 'config/front.json');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const quoted = /reports it as\s+`([^`]+)`/.exec(page)?.[1];
    expect(quoted).toBeDefined();
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(quoted);
  });
});
