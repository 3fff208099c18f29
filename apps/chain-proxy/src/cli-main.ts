/** The `scimgw-chain-proxy` command line: start, check-config, --help, --version. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, ConfigErrors } from '@scimgw/server';
import { type ChainProxy, type ProxyConfig, prepareProxyConfig, startChainProxy } from './proxy.js';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Parsed command line of `scimgw-chain-proxy`. */
export interface ProxyCliArgs {
  command: 'start' | 'check-config' | 'help' | 'version';
  configs: string[];
  port?: number;
}

const HELP = `scimgw-chain-proxy — the scimgw gateway-chaining front (no connector)

Usage:
  scimgw-chain-proxy start [--config FILE]... [--port N]
                               authorize SCIM requests here and forward them to the gateway
                               named by scimgateway.chainingBaseUrl (one proxy per file)
  scimgw-chain-proxy check-config [--config FILE]...
                               run every check start runs, then exit
  scimgw-chain-proxy --help | --version

Without --config: SCIMGW_CONFIG (comma-separated files), else config/chain-proxy.json.
The configuration file has the gateway's "scimgateway" section (port, auth, certificate,
ipAllowList, log, azureRelay …) and no "endpoint" section.

Environment:
  SEED           key seed for secrets encrypted in configuration files
  SCIMGW_CONFIG  comma-separated configuration files (instead of --config)
`;

/** Parses argv (without node and script). Throws Error with a usage message on bad input. */
export function parseProxyArgs(argv: string[]): ProxyCliArgs {
  const out: ProxyCliArgs = { command: 'start', configs: [] };
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
    } else if (!commandSeen && (a === 'start' || a === 'check-config')) {
      out.command = a;
      commandSeen = true;
    } else throw new Error(`unknown argument "${a}" (see --help)`);
  }
  return out;
}

function version(): string {
  return (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Runs the CLI. Resolves with an exit code for one-shot commands; for `start`, with the started
 * proxies (the process keeps running).
 */
export async function runProxyCli(
  argv: string[],
  io: { out: (s: string) => void; err: (s: string) => void; cwd?: string; env?: NodeJS.ProcessEnv } = {
    out: (s) => process.stdout.write(`${s}\n`),
    err: (s) => process.stderr.write(`${s}\n`),
  },
): Promise<number | ChainProxy[]> {
  let args: ProxyCliArgs;
  try {
    args = parseProxyArgs(argv);
  } catch (e) {
    io.err(`scimgw-chain-proxy: ${(e as Error).message}`);
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
  const env = io.env ?? process.env;
  const files = args.configs.length
    ? args.configs.map((f) => resolve(cwd, f))
    : env.SCIMGW_CONFIG
      ? env.SCIMGW_CONFIG.split(',').map((f) => resolve(cwd, f.trim()))
      : [join(cwd, 'config', 'chain-proxy.json')];
  if (!args.configs.length && !env.SCIMGW_CONFIG && !existsSync(files[0] as string)) {
    io.err(`scimgw-chain-proxy: no configuration: name one with --config FILE (looked for ${files[0]})`);
    return 2;
  }
  const loaded: ProxyConfig[] = [];
  const problems: ConfigError[] = [];
  for (const f of files) {
    try {
      loaded.push(await prepareProxyConfig(f, { encryptInPlace: args.command === 'start', env }));
    } catch (e) {
      if (e instanceof ConfigErrors) problems.push(...e.errors);
      else problems.push(new ConfigError('', (e as Error).message, f));
    }
  }
  const byPort = new Map<number, string>();
  for (const p of loaded) {
    const other = byPort.get(p.gateway.port);
    if (p.gateway.port !== 0 && other !== undefined)
      problems.push(new ConfigError('scimgateway.port', `${p.gateway.port} is also the port of ${other}`, p.file));
    byPort.set(p.gateway.port, p.file);
  }
  if (problems.length) {
    io.err(new ConfigErrors(problems).message);
    return 1;
  }
  for (const cfg of loaded) {
    for (const w of cfg.warnings) io.err(`warning: ${w}`);
    if (args.command === 'check-config') io.out(`${cfg.file}: OK (chains to ${cfg.chainingBaseUrl}, port ${cfg.gateway.port})`);
  }
  if (args.command === 'check-config') return 0;
  const started: ChainProxy[] = [];
  try {
    for (const c of loaded)
      started.push(await startChainProxy(c, args.port !== undefined && loaded.length === 1 ? { port: args.port } : {}));
  } catch (e) {
    io.err(`scimgw-chain-proxy: ${(e as Error).message}`);
    for (const s of started) await s.close(1000);
    return 1;
  }
  return started;
}
