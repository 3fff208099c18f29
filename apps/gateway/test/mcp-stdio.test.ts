/**
 * `scimgw mcp --config FILE` over stdio, started by the MCP SDK's own client as a desktop client
 * starts it: the real CLI (dist/cli.js) in a child process, the credential from the environment.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const ADMIN = 'stdio-admin-token-7a1b2c3d4e';
const READER = 'stdio-reader-token-5f6a7b8c9d';
const ACME = 'stdio-acme-token-0e1f2a3b4c';
const PASSWORD = 'St1ll-not-in-any-log!';

let dir: string;
let config: string;

type Structured = Record<string, any>;
const structured = (r: unknown): Structured => (r as { structuredContent: Structured }).structuredContent;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'scimgw-mcp-stdio-'));
  mkdirSync(join(dir, 'config'));
  config = join(dir, 'config', 'connector-loki.json');
  writeFileSync(
    config,
    JSON.stringify({
      scimgateway: {
        port: 0,
        log: { loglevel: { console: 'debug', file: 'off' }, colorize: false },
        auth: {
          bearerToken: [
            { token: ADMIN, name: 'desktop-agent' },
            { token: READER, name: 'desktop-reader', readOnly: true },
            { token: ACME, name: 'desktop-acme', baseEntities: ['acme'] },
          ],
        },
        mcp: { destructiveTools: true },
      },
      endpoint: { persistence: false, entity: { acme: {} } },
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bunBinary(): string | undefined {
  try {
    const pkg = createRequire(join(dirname(cli), '..', 'package.json')).resolve('bun/package.json');
    const bin = join(dirname(pkg), 'bin', 'bun.exe');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

async function start(env: Record<string, string>, args: string[] = [], runtime = process.execPath) {
  const transport = new StdioClientTransport({
    command: runtime,
    args: [cli, 'mcp', '--config', config, ...args],
    env: { PATH: process.env.PATH ?? '', SEED: 'stdio-test', ...env },
    cwd: dir,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (c) => (stderr += c));
  const client = new Client({ name: 'stdio-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport, stderr: () => stderr };
}

/** Runs the CLI to its end (for the refusals before a session starts). */
function run(env: Record<string, string>, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cli, 'mcp', ...args],
      { env: { PATH: process.env.PATH ?? '', SEED: 'stdio-test', ...env }, cwd: dir },
      (_e, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

describe('scimgw mcp (stdio)', () => {
  it('lists and runs the tools against the embedded store, logs to stderr without secrets, ends with stdin', async () => {
    const s = await start({ SCIMGW_MCP_TOKEN: ADMIN });
    const names = (await s.client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['search_users', 'create_user', 'delete_user', 'remove_group_members']));
    const created = await s.client.callTool({
      name: 'create_user',
      arguments: { user: { userName: 'desk.top', password: PASSWORD } },
    });
    expect(created.isError, JSON.stringify(created)).toBeFalsy();
    const id = structured(created).created.id;
    expect(structured(await s.client.callTool({ name: 'get_user', arguments: { id } })).userName).toBe('desk.top');
    const dry = await s.client.callTool({ name: 'delete_user', arguments: { id, dryRun: true } });
    expect(structured(dry).wouldDelete.id).toBe(id);
    expect(
      structured(await s.client.callTool({ name: 'search_users', arguments: { filter: 'userName eq "desk.top"' } })).totalResults,
    ).toBe(1);
    const bad = await s.client.callTool({ name: 'get_user', arguments: { id: 42 } });
    expect(structured(bad).error).toMatch(/^invalid arguments for get_user: id: expected string, got number 42/);
    expect(structured(await s.client.callTool({ name: 'delete_user', arguments: { id } }))).toEqual({ deleted: id });
    const exited = new Promise<void>((r) => {
      s.transport.onclose = () => r();
    });
    await s.client.close();
    await exited;
    const log = s.stderr();
    expect(log).toMatch(/"msg":"mcp tool call"/);
    expect(log).toMatch(/"principal":"desktop-agent"/);
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain(ADMIN);
  });

  it('a read-only token is refused every write', async () => {
    const s = await start({ SCIMGW_MCP_TOKEN: READER });
    expect(structured(await s.client.callTool({ name: 'get_user', arguments: { id: 'bjensen' } })).id).toBe('bjensen');
    const r = await s.client.callTool({ name: 'update_user', arguments: { id: 'bjensen', replace: { title: 'no' } } });
    expect(r.isError).toBe(true);
    expect(structured(r)).toMatchObject({ status: 405, detail: 'this credential is read-only' });
    await s.client.close();
  });

  it('a tenant-scoped token serves its tenant only', async () => {
    const s = await start({ SCIMGW_MCP_AUTHORIZATION: `Bearer ${ACME}` }, ['--tenant', 'acme']);
    const r = await s.client.callTool({ name: 'create_user', arguments: { user: { userName: 'acme.desk' } } });
    expect(r.isError, JSON.stringify(r)).toBeFalsy();
    expect(structured(r).created.meta.location).toBe(`/acme/scim/v2/Users/${structured(r).created.id}`);
    await s.client.close();
    const outside = await run({ SCIMGW_MCP_TOKEN: ACME }, ['--config', config]);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/the credential was refused: this credential is not allowed for this tenant/);
    expect(outside.stdout).toBe('');
  });

  it('refuses to start without a credential, with a wrong one, or for an unknown tenant, saying why on stderr', async () => {
    const none = await run({}, ['--config', config]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/set SCIMGW_MCP_TOKEN/);
    const wrong = await run({ SCIMGW_MCP_TOKEN: 'not-a-token-of-this-gateway' }, ['--config', config]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/the credential was refused: The access token is invalid/);
    expect(wrong.stderr).not.toContain('not-a-token-of-this-gateway');
    const tenant = await run({ SCIMGW_MCP_TOKEN: ADMIN }, ['--config', config, '--tenant', 'nowhere']);
    expect(tenant.code).toBe(2);
    expect(tenant.stderr).toMatch(/tenant "nowhere" is not configured/);
    const noConfig = await run({ SCIMGW_MCP_TOKEN: ADMIN }, []);
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toMatch(/name one configuration file with --config FILE/);
    for (const r of [none, wrong, tenant, noConfig]) expect(r.stdout).toBe('');
  });

  it('refuses, in one line, a second process on an embedded store another holds', async () => {
    const site = mkdtempSync(join(tmpdir(), 'scimgw-mcp-held-'));
    mkdirSync(join(site, 'config'));
    const held = join(site, 'config', 'connector-loki.json');
    writeFileSync(
      held,
      JSON.stringify({
        scimgateway: { port: 0, log: { loglevel: { console: 'info', file: 'off' } }, auth: { bearerToken: [{ token: ADMIN }] } },
        endpoint: { persistence: true, directory: 'data', exampleData: false },
      }),
    );
    const first = new StdioClientTransport({
      command: process.execPath,
      args: [cli, 'mcp', '--config', held],
      env: { PATH: process.env.PATH ?? '', SEED: 'stdio-test', SCIMGW_MCP_TOKEN: ADMIN },
      cwd: site,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'holder', version: '1.0.0' });
    await client.connect(first);
    try {
      const second = await run({ SCIMGW_MCP_TOKEN: ADMIN }, ['--config', held]);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/scimgw mcp: cannot start: The embedded store in .* is in use/);
      expect(second.stderr).not.toMatch(/\n\s+at /);
      expect(second.stdout).toBe('');
      // The holder still serves.
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    } finally {
      await client.close();
      rmSync(site, { recursive: true, force: true });
    }
  });

  it('exits by itself with 0 when the client closes its input', async () => {
    const r = await run({ SCIMGW_MCP_TOKEN: ADMIN }, ['--config', config]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/MCP server on stdio/);
    expect(r.stderr).toMatch(/connector-loki stopped/);
  });
});

describe.each([
  ['node', process.execPath],
  ['bun', bunBinary()],
])('scimgw mcp on %s', (runtime, binary) => {
  it('serves the tools over stdio', async () => {
    if (!binary) throw new Error(`${runtime} binary not found: run pnpm install (bun is a devDependency of @scimgw/gateway)`);
    const s = await start({ SCIMGW_MCP_TOKEN: ADMIN }, [], binary);
    expect(structured(await s.client.callTool({ name: 'get_user', arguments: { id: 'bjensen' } })).userName).toBe('bjensen');
    await s.client.close();
  });
});
