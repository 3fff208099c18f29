/** The `scimgw` command line: start, check-config, schema, new-connector, mcp, --help, --version. */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPACT_HEAP_THRESHOLD, ConfigErrors, compactHeap, configFileJsonSchema, IdleCompactor } from '@scimgw/server';
import { readGatewayFile } from './bundled.js';
import { buildBinaryCommand } from './build-binary.js';
import { loadConnectorModule } from './connector-loader.js';
import { initCommand } from './init.js';
import { migrateCommand } from './migrate/cli.js';
import { replayCommand } from './replay-command.js';
import { scaffoldConnector } from './scaffold.js';
import { type GatewayInstance, startInstance } from './instance.js';
import { type PreparedConfig, prepareAll } from './prepare.js';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface CliArgs {
  command: 'start' | 'check-config' | 'schema' | 'new-connector' | 'mcp' | 'init' | 'build-binary' | 'help' | 'version';
  configs: string[];
  /** `new-connector <name>`: the package name, and `--dir`. */
  name?: string;
  dir?: string;
  port?: number;
  /** `schema --connector <package>`. */
  connector?: string;
  /** `mcp --tenant <baseEntity>`. */
  tenant?: string;
  /** `start --record FILE`. */
  record?: string;
  /** `init` and `build-binary`: their own arguments, parsed by their own modules. */
  rest?: string[];
}

const HELP = `scimgw — SCIM provisioning gateway

Usage:
  scimgw start [--config FILE]... [--port N] [--record FILE]
                                       start one instance per configuration file; --port overrides
                                       scimgateway.port (one configuration only; 0 = a free port);
                                       --record writes its SCIM traffic to FILE, secrets masked and
                                       personal values pseudonymized (one configuration only)
  scimgw replay FILE --url URL [--seed]
                                       send a recording to the gateway at URL and check every
                                       answer has the recorded status; --seed first creates there
                                       the users and groups the recording used but did not create
                                       (recorded against a populated target); the credential comes
                                       from SCIMGW_REPLAY_AUTHORIZATION or SCIMGW_REPLAY_TOKEN
  scimgw check-config [--config FILE]...  validate configuration files and exit (runs every check
                                       start runs, connector package and endpoint section included)
  scimgw schema [--connector PACKAGE]  print the JSON Schema of a configuration file for a connector
                                       (default @scimgw/connector-loki); name it in "$schema" for editors
  scimgw new-connector NAME [--dir D]  write a connector package NAME (in ./NAME or D) that passes
                                       the Connector contract kit as generated
  scimgw mcp --config FILE [--tenant NAME]
                                       serve the configuration's MCP tools over stdio (for desktop
                                       MCP clients); the credential comes from SCIMGW_MCP_TOKEN or
                                       SCIMGW_MCP_AUTHORIZATION
  scimgw migrate FOLDER [--out DIR] [--dry-run] [--legacy NAME]... [--force]
                                       turn an older scimgateway install's config/plugin-*.json
                                       into scimgw configuration files (secrets re-encrypted),
                                       with a report of every key; --dry-run writes nothing
  scimgw init FOLDER [--connector PACKAGE] [--port N]
                                       write a deployment folder: configuration, package.json with
                                       only the packages it needs, systemd unit, Dockerfile
  scimgw build-binary [--connector PACKAGE]... [--runtime bun|node|both] [--target NAME]... [--out DIR]
                                       compile the gateway and the named connectors into one
                                       executable (Bun targets: linux-x64, linux-arm64,
                                       linux-x64-musl, linux-arm64-musl, darwin-x64, darwin-arm64,
                                       windows-x64; Node: this machine's platform)
  scimgw --help | --version

Without --config, every config/connector-*.json (and plugin-*.json) in the
working directory is used; if there is none, config/connector-loki.json is
created from the bundled example (embedded store, user gwadmin/password).

Environment:
  SEED           key seed for secrets encrypted in configuration files
  SCIMGATEWAY_SEED  the older scimgateway install's SEED, for migrate (default SEED, else the machine id)
  SCIMGW_CONFIG  comma-separated configuration files (instead of --config)
  SCIMGW_MCP_TOKEN, SCIMGW_MCP_AUTHORIZATION
                 the credential of \`scimgw mcp\`: a bearer token, or a whole Authorization value
  SCIMGW_REPLAY_TOKEN, SCIMGW_REPLAY_AUTHORIZATION
                 the credential of \`scimgw replay\`, the same way
`;

/** Parses argv (without node and script). Throws Error with a usage message on bad input. */
export function parseArgs(argv: string[]): CliArgs {
  if (argv[0] === 'init' || argv[0] === 'build-binary') {
    if (argv.includes('--help') || argv.includes('-h')) return { command: 'help', configs: [] };
    return { command: argv[0], configs: [], rest: argv.slice(1) };
  }
  const out: CliArgs = { command: 'start', configs: [] };
  let commandSeen = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--help' || a === '-h') return { command: 'help', configs: [] };
    if (a === '--version' || a === '-v') return { command: 'version', configs: [] };
    if (a === '--config' || a === '-c') {
      const f = argv[++i];
      if (!f) throw new Error('--config needs a file');
      out.configs.push(f);
    } else if (a.startsWith('--config=')) out.configs.push(a.slice(9));
    else if (a === '--port') {
      const p = Number(argv[++i]);
      if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error('--port needs a port number');
      out.port = p;
    } else if (a === '--connector') {
      const c = argv[++i];
      if (!c) throw new Error('--connector needs a package name');
      out.connector = c;
    } else if (a === '--tenant') {
      const t = argv[++i];
      if (!t) throw new Error('--tenant needs a tenant (baseEntity)');
      out.tenant = t;
    } else if (a === '--record') {
      const f = argv[++i];
      if (!f) throw new Error('--record needs a file');
      out.record = f;
    } else if (a === '--dir') {
      const d = argv[++i];
      if (!d) throw new Error('--dir needs a folder');
      out.dir = d;
    } else if (
      !commandSeen &&
      (a === 'start' || a === 'check-config' || a === 'schema' || a === 'new-connector' || a === 'mcp')
    ) {
      out.command = a;
      commandSeen = true;
    } else if (out.command === 'new-connector' && out.name === undefined && !a.startsWith('-')) {
      out.name = a;
    } else throw new Error(`unknown argument "${a}" (see --help)`);
  }
  return out;
}

/** Finds configuration files: arguments, SCIMGW_CONFIG, ./config/, else a fresh copy of the example. */
export function discoverConfigs(args: CliArgs, cwd: string, log: (m: string) => void): string[] {
  if (args.configs.length) return args.configs.map((c) => resolve(cwd, c));
  const env = process.env.SCIMGW_CONFIG;
  if (env) return env.split(',').map((c) => resolve(cwd, c.trim()));
  const dir = join(cwd, 'config');
  const found = existsSync(dir)
    ? readdirSync(dir)
        // The JSON Schema written beside the example (connector-loki.schema.json) is no configuration.
        .filter((f) => /^(connector|plugin)-.+\.json$/i.test(f) && !/\.schema\.json$/i.test(f))
        .sort()
        .map((f) => join(dir, f))
    : [];
  if (found.length) return found;
  mkdirSync(dir, { recursive: true });
  const target = join(dir, 'connector-loki.json');
  writeFileSync(target, readGatewayFile(pkgDir, 'examples/connector-loki.json'));
  // Beside it, the JSON Schema its "$schema" names: completion and checking in editors.
  writeFileSync(join(dir, 'connector-loki.schema.json'), readGatewayFile(pkgDir, 'examples/connector-loki.schema.json'));
  log(`no configuration found: created ${target} from the bundled example`);
  return [target];
}

/** The JSON Schema of a configuration file for `connector`: the gateway's sections and the connector's endpoint. */
export async function configJsonSchemaFor(connector: string, cwd: string): Promise<Record<string, unknown>> {
  const mod = await loadConnectorModule(connector, cwd);
  const section = mod.exports.configSchema as { jsonSchema?: Record<string, unknown> } | undefined;
  const name = connector.replace(/^@[^/]+\//, '');
  return configFileJsonSchema(section?.jsonSchema, `scimgw configuration: ${name}`);
}

const mib = (bytes: number): number => Math.round(bytes / 1048576);

/**
 * `scimgw mcp`: one configuration's MCP tools over stdio. stdout carries the protocol, so every
 * message for the user goes to `err`, and the configuration file is never rewritten.
 */
async function mcpCommand(args: CliArgs, cwd: string, io: { err: (s: string) => void }): Promise<number> {
  if (args.configs.length !== 1 && !process.env.SCIMGW_CONFIG) {
    io.err('scimgw mcp: name one configuration file with --config FILE');
    return 2;
  }
  const files = discoverConfigs(args, cwd, io.err);
  if (files.length !== 1) {
    io.err('scimgw mcp: serves one configuration; name it with --config FILE');
    return 2;
  }
  let cfg: PreparedConfig;
  try {
    [cfg] = (await prepareAll(files, { encryptInPlace: false, cwd })) as [PreparedConfig];
  } catch (e) {
    io.err(e instanceof ConfigErrors ? e.message : `scimgw mcp: ${(e as Error).message}`);
    return 1;
  }
  for (const w of cfg.warnings) io.err(`warning: ${w}`);
  // Loaded here: `scimgw start` never needs the MCP SDK unless a configuration enables MCP.
  const { runMcpStdio } = await import('./mcp-stdio.js');
  return runMcpStdio(cfg, { tenant: args.tenant, env: process.env, err: io.err, handleSignals: true });
}

function version(): string {
  return (JSON.parse(readGatewayFile(pkgDir, 'package.json')) as { version: string }).version;
}

/**
 * Runs the CLI. Resolves with an exit code for one-shot commands; for
 * `start`, resolves with the started instances (the process keeps running).
 */
export async function runCli(
  argv: string[],
  io: { out: (s: string) => void; err: (s: string) => void; cwd?: string } = {
    out: (s) => process.stdout.write(`${s}\n`),
    err: (s) => process.stderr.write(`${s}\n`),
  },
): Promise<number | GatewayInstance[]> {
  if (argv[0] === 'migrate') return migrateCommand(argv.slice(1), { ...io, cwd: io.cwd ?? process.cwd() });
  if (argv[0] === 'replay') return replayCommand(argv.slice(1), { ...io, cwd: io.cwd ?? process.cwd() });
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    io.err(`scimgw: ${(e as Error).message}`);
    return 2;
  }
  if (args.command === 'help') {
    io.out(HELP);
    return 0;
  }
  if (args.command === 'version') {
    io.out(version());
    return 0;
  }
  const cwd = io.cwd ?? process.cwd();
  if (args.command === 'new-connector') {
    if (!args.name) {
      io.err('scimgw: new-connector needs a package name, e.g. scimgw new-connector @acme/scimgw-connector-hr');
      return 2;
    }
    try {
      const dir = scaffoldConnector(args.name, args.dir, cwd);
      io.out(`wrote ${args.name} to ${dir}\nnext: cd ${dir} && npm install && npm run build && npm test`);
      return 0;
    } catch (e) {
      io.err(`scimgw: ${(e as Error).message}`);
      return 1;
    }
  }
  if (args.command === 'schema') {
    try {
      io.out(JSON.stringify(await configJsonSchemaFor(args.connector ?? '@scimgw/connector-loki', cwd), null, 2));
      return 0;
    } catch (e) {
      io.err(`scimgw: ${(e as Error).message}`);
      return 1;
    }
  }
  if (args.command === 'mcp') return mcpCommand(args, cwd, io);
  if (args.command === 'build-binary') return buildBinaryCommand(args.rest ?? [], { ...io, cwd });
  if (args.command === 'init') return initCommand(args.rest ?? [], { ...io, cwd });
  const files = discoverConfigs(args, cwd, io.out);
  if (args.record !== undefined && (args.command !== 'start' || files.length !== 1)) {
    io.err('scimgw: --record goes with start and one configuration (--config FILE)');
    return 2;
  }
  // check-config runs exactly what start runs before it listens.
  let loaded: PreparedConfig[];
  try {
    loaded = await prepareAll(files, { encryptInPlace: args.command === 'start', cwd });
  } catch (e) {
    io.err(e instanceof ConfigErrors ? e.message : `scimgw: ${(e as Error).message}`);
    return 1;
  }
  for (const cfg of loaded) {
    for (const w of cfg.warnings) io.err(`warning: ${w}`);
    if (args.command === 'check-config') {
      const what = cfg.connector === null ? `no connector, chains to ${cfg.chainingBaseUrl}` : `connector ${cfg.connector}`;
      io.out(`${cfg.file}: OK (${what}, port ${cfg.gateway.port})`);
      if ('passThroughDeclared' in cfg && cfg.passThroughDeclared === undefined)
        io.out(
          `${cfg.file}: note: ${cfg.connector} does not say before it starts whether it checks passed-through credentials; scimgw start decides, and refuses to start if it checks none`,
        );
    }
  }
  if (args.command === 'check-config') return 0;
  const started: GatewayInstance[] = [];
  // One per process: every instance shares the heap.
  const compactor = new IdleCompactor();
  // Counts requests; on Bun a request with a large body (a Bulk load) is followed by a collection.
  const onRequest = (req: IncomingMessage, res: ServerResponse) => compactor.request(req, res);
  try {
    for (const c of loaded)
      started.push(
        await startInstance(c, {
          ...(args.port !== undefined && loaded.length === 1 ? { port: args.port } : {}),
          ...(args.record !== undefined ? { record: resolve(cwd, args.record) } : {}),
          onRequest,
        }),
      );
  } catch (e) {
    io.err(`scimgw: ${(e as Error).message}`);
    compactor.stop();
    for (const s of started) await s.close(1000);
    return 1;
  }
  // Large stores leave their parsed snapshots behind as garbage: collect it before traffic comes.
  // Bun's heap counters miss most of it (see compactHeap), so resident memory over twice the heap
  // threshold also triggers it; there the free pages are handed back too (Bun.shrink, once this
  // tick ends: only the startup code, which does not run again, is dropped). On Bun this runs on
  // every start: dropping the startup code (configuration validation, wiring) takes 2–3 MiB off an
  // empty gateway for a collection of a few milliseconds; on Node a collection there frees no
  // resident memory, so a small heap is left alone.
  const compacted = compactHeap(COMPACT_HEAP_THRESHOLD, { rssThreshold: 2 * COMPACT_HEAP_THRESHOLD, releaseCode: true });
  if (compacted) io.out(`heap compacted after startup: ${mib(compacted.before)} → ${mib(compacted.after)} MiB`);
  else if ('Bun' in globalThis) compactHeap(0, { releaseCode: true });
  return started;
}
