/**
 * `scimgw init <folder>`: a deployment folder for one connector — its configuration, a
 * package.json naming only the packages it needs, a systemd unit, a Windows service definition and
 * a Dockerfile. Nothing is installed and nothing outside the folder is written.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashPassword } from '@scimgw/auth';
import { configJsonSchemaFor } from './cli-main.js';
import { resolveConnectorPackage } from './connector-loader.js';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const LOKI = '@scimgw/connector-loki';

/** What `scimgw init` writes. */
export interface InitOptions {
  folder: string;
  connector: string;
  port: number;
}

/** Parses the arguments after `init`. Throws Error with a usage message on bad input. */
export function parseInitArgs(argv: string[]): InitOptions {
  const usage = 'usage: scimgw init FOLDER [--connector PACKAGE] [--port N]';
  const out: Partial<InitOptions> = { connector: LOKI, port: 8880 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--connector') {
      const c = argv[++i];
      if (!c || c.startsWith('-')) throw new Error(`--connector needs a package name (${usage})`);
      out.connector = c;
    } else if (a === '--port') {
      const p = Number(argv[++i]);
      if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`--port needs a port number (${usage})`);
      out.port = p;
    } else if (!a.startsWith('-') && out.folder === undefined) out.folder = a;
    else throw new Error(`unknown argument "${a}" (${usage})`);
  }
  if (!out.folder) throw new Error(`name the folder to write (${usage})`);
  return out as InitOptions;
}

/** `@scimgw/connector-postgres` → `postgres`. */
const shortName = (pkg: string): string => pkg.replace(/^@[^/]+\//, '').replace(/^(scimgw-)?connector-/, '');

/** The connector's own example configuration (its `examples/connector-<name>.json`), when installed here. */
function connectorExample(connector: string, cwd: string): { config: Record<string, unknown>; version?: string } | undefined {
  let pkg: ReturnType<typeof resolveConnectorPackage>;
  try {
    pkg = resolveConnectorPackage(connector, cwd);
  } catch {
    return undefined;
  }
  const version = typeof pkg.packageJson?.version === 'string' ? pkg.packageJson.version : undefined;
  const file =
    connector === LOKI
      ? join(pkgDir, 'examples', 'connector-loki.json')
      : findUp(dirname(pkg.entry), join('examples', `connector-${shortName(connector)}.json`));
  if (!file || !existsSync(file)) return { config: {}, ...(version ? { version } : {}) };
  return { config: JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>, ...(version ? { version } : {}) };
}

function findUp(dir: string, rel: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, rel))) return join(d, rel);
    if (dirname(d) === d) return undefined;
  }
}

/** The configuration file: the connector's example with the chosen port and, for the embedded store, a fresh password. */
function configFor(
  connector: string,
  port: number,
  example: Record<string, unknown>,
): { config: Record<string, unknown>; password?: string } {
  const config = structuredClone(example);
  delete config.$schema;
  // The file name says @scimgw/connector-<name>; any other package is named in the file.
  if (connector !== `@scimgw/connector-${shortName(connector)}`) config.connector = connector;
  const gw = (config.scimgateway ??= {}) as Record<string, unknown>;
  gw.port = port;
  if (connector !== LOKI) {
    if (!gw.auth) gw.auth = { basic: [{ username: 'gwadmin', password: 'process.env.GW_PASSWORD' }] };
    config.endpoint ??= {};
    return { config };
  }
  // The example's well-known password must not reach a deployment: a random one, which the file
  // holds only as a scrypt hash (writeDeployment): the folder may be copied into an image before
  // any start could encrypt a clear one.
  const password = randomBytes(18).toString('base64url');
  gw.auth = { basic: [{ username: 'gwadmin', password, readOnly: false, baseEntities: [] }] };
  return { config, password };
}

const gatewayVersion = (): string =>
  (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;

/** Writes the deployment folder; returns the files written. Throws when a file would be overwritten. */
export async function writeDeployment(
  opts: InitOptions,
  cwd: string,
): Promise<{ files: string[]; password?: string; exampleFound: boolean }> {
  const dir = resolve(cwd, opts.folder);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} is not empty: name a new or empty folder`);
  const short = shortName(opts.connector);
  const example = connectorExample(opts.connector, cwd);
  const { config, password } = configFor(opts.connector, opts.port, example?.config ?? {});
  if (password) {
    const basic = ((config.scimgateway as Record<string, unknown>).auth as { basic: { password: string }[] }).basic;
    for (const entry of basic) entry.password = await hashPassword(password);
  }
  const version = gatewayVersion();
  const dependencies: Record<string, string> = { '@scimgw/gateway': `^${version}` };
  // The gateway brings the embedded store; any other connector is named.
  if (opts.connector !== LOKI) dependencies[opts.connector] = `^${example?.version ?? version}`;
  const name =
    basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[._-]+/, '') || 'scimgw-deployment';
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify(
      {
        name,
        private: true,
        description: `scimgw deployment (${opts.connector})`,
        scripts: { start: 'scimgw start', 'check-config': 'scimgw check-config' },
        dependencies,
        engines: { node: '>=20.19' },
      },
      null,
      2,
    )}\n`,
    [`config/connector-${short}.json`]: `${JSON.stringify(config, null, 2)}\n`,
    '.gitignore': 'node_modules/\ndata/\nlogs/\n',
  };
  // The JSON Schema beside the configuration, when the connector is at hand to describe its section.
  if (example) {
    try {
      files[`config/connector-${short}.schema.json`] =
        `${JSON.stringify(await configJsonSchemaFor(opts.connector, cwd), null, 2)}\n`;
      files[`config/connector-${short}.json`] =
        `${JSON.stringify({ $schema: `./connector-${short}.schema.json`, ...config }, null, 2)}\n`;
    } catch {}
  }
  const fill = (t: string) => t.replaceAll('__PORT__', String(opts.port)).replaceAll('__DIR__', dir);
  const template = (f: string) => fill(readFileSync(join(pkgDir, 'templates', 'deploy', f), 'utf8'));
  files.Dockerfile = template('Dockerfile');
  files['.dockerignore'] = template('dockerignore');
  files['scimgw.service'] = template('scimgw.service');
  files['scimgw-service.xml'] = template('scimgw-service.xml');
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text, { flag: 'wx' });
  }
  return {
    files: Object.keys(files).map((f) => join(dir, f)),
    ...(password ? { password } : {}),
    exampleFound: example !== undefined,
  };
}

/** `scimgw init …`: writes the folder and says what to do next. */
export async function initCommand(
  argv: string[],
  io: { out: (s: string) => void; err: (s: string) => void; cwd: string },
): Promise<number> {
  let opts: InitOptions;
  try {
    opts = parseInitArgs(argv);
  } catch (e) {
    io.err(`scimgw init: ${(e as Error).message}`);
    return 2;
  }
  try {
    const r = await writeDeployment(opts, io.cwd);
    const dir = resolve(io.cwd, opts.folder);
    io.out(`wrote ${r.files.length} files to ${dir}:`);
    for (const f of r.files) io.out(`  ${f.slice(dir.length + 1)}`);
    if (r.password)
      io.out(`the gateway's user is gwadmin, password ${r.password} (shown only now: the file holds a scrypt hash of it)`);
    if (!r.exampleFound)
      io.out(
        `${opts.connector} is not installed here: fill in config/connector-${shortName(opts.connector)}.json's endpoint from its README`,
      );
    io.out(`next: cd ${opts.folder} && npm install && SEED=<your secret> npx scimgw check-config && npx scimgw start`);
    return 0;
  } catch (e) {
    io.err(`scimgw init: ${(e as Error).message}`);
    return 1;
  }
}
